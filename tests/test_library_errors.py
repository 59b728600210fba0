"""A library call given a bad argument raises an `ArgumentError` naming the parameter the
caller passed (`samples`), in words with no CLI option in them; the CLI, given the same
bad option, names its own (`--samples`) through `cli.errors.option_name`, exits 2 and
shows no traceback. The web names its form field."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import dealbench
from dealbench.errors import ArgumentError
from helpers import DATA, REPO, Runner, solo_deals, words

TINY = DATA / "tiny/portfolio.yaml"
PACKAGE = """\
partner: AA
security: kyc
compute: {2026: 40_000}
concessions: {invest: large, no-prc: true}
"""

Call = Callable[[dealbench.Portfolio, Path], object]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A rounds folder (`rounds/`) and a package file (`offer.yaml`) for the tiny portfolio."""
    (tmp_path / "rounds").mkdir()
    (tmp_path / "offer.yaml").write_text(PACKAGE)
    return tmp_path


def _package(pf: dealbench.Portfolio, tmp: Path, **update: object) -> dealbench.Package:
    return dealbench.load_package(tmp / "offer.yaml", pf).model_copy(update=update)


def _record(**kwargs: object) -> Call:
    return lambda pf, tmp: dealbench.record_offer(pf, tmp / "rounds", "AA", **kwargs)  # type: ignore[arg-type]


def _sweep(
    path: str = "portfolio.supply.2026",
    start: object = 1,
    stop: object = 2,
    steps: int = 2,
    **kw: int,
) -> Call:
    from dealbench.analyze.sweep import sweep_param

    return lambda pf, tmp: sweep_param(pf, path, start, stop, steps, **kw)  # type: ignore[arg-type]


def _executor(jobs: int | None, executor: str | None, scheduler: str | None) -> Call:
    from dealbench.analyze.parallel import make_executor

    return lambda pf, tmp: make_executor(jobs, executor, scheduler)


def _robust(level: float = 0.9, samples: int = 10, **options: object) -> Call:
    from dealbench.analyze.robust import robust_solve

    return lambda pf, tmp: robust_solve(pf, level, samples, **options)


def _source(pf: dealbench.Portfolio, tmp: Path) -> object:
    from dealbench.render.sources import source_from_packages

    return source_from_packages(pf, [_package(pf, tmp)], origin="test")


def _documents(**kwargs: object) -> Call:
    from dealbench.render.documents import documents_for

    return lambda pf, tmp: documents_for(_source(pf, tmp), **kwargs)  # type: ignore[arg-type]


def _prices(pf: dealbench.Portfolio, tmp: Path) -> object:
    return dealbench.shadow_prices(pf, dealbench.solve(pf, "partner-best"))


def _result_for_another_portfolio(pf: dealbench.Portfolio, tmp: Path) -> object:
    other = dealbench.load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    return dealbench.source_from_result(other, dealbench.solve(pf))


def _no_negotiation(pf: dealbench.Portfolio, tmp: Path) -> object:
    from dealbench.negotiate.rounds.read import load_negotiation

    return load_negotiation(pf, tmp / "rounds", "ZZ")


def _templates(pf: dealbench.Portfolio, tmp: Path) -> object:
    from dealbench.render.environment import render_template

    return render_template("term-sheet.md.j2", {}, tmp / "no-such-folder")


def _regimes(pf: dealbench.Portfolio, tmp: Path) -> object:
    from dealbench.model.regimes import parse_regimes

    return parse_regimes(" , ")


def _load_source(pf: dealbench.Portfolio, tmp: Path) -> object:
    from dealbench.render.sources import load_source

    return load_source(tmp / "offer.yaml")


def _counter(pf: dealbench.Portfolio, tmp: Path) -> object:
    package = _package(pf, tmp, side="offer")
    return dealbench.record_counter(pf, tmp / "rounds", "AA", package)


def _solve_options(pf: dealbench.Portfolio, tmp: Path) -> object:
    return dealbench.SolveOptions(time_limit=0)


def _out_is_a_file(pf: dealbench.Portfolio, tmp: Path) -> object:
    from dealbench.io import OutputDir

    OutputDir(tmp / "offer.yaml").check_target()
    return None


# id: (library call, its parameter, the CLI's arguments for the same mistake, its option)
CASES: dict[str, tuple[Call, str, list[str], str]] = {
    "offer-package-and-strategy": (
        lambda pf, tmp: dealbench.record_offer(
            pf, tmp / "rounds", "AA", package=_package(pf, tmp), strategy="linear"
        ),
        "package",
        ["offer", "--partner", "AA", "--package", "{tmp}/offer.yaml", "--strategy", "linear"],
        "--package",
    ),
    "offer-mode-and-strategy": (
        _record(mode="nash", strategy="linear"),
        "mode",
        ["offer", "--partner", "AA", "--mode", "nash", "--strategy", "linear"],
        "--mode",
    ),
    "offer-mode": (
        _record(mode="best"),
        "mode",
        ["offer", "--partner", "AA", "--mode", "best"],
        "--mode",
    ),
    "offer-strategy": (
        _record(strategy="bogus"),
        "strategy",
        ["offer", "--partner", "AA", "--strategy", "bogus"],
        "--strategy",
    ),
    "offer-deadline": (
        _record(deadline=0),
        "deadline",
        ["offer", "--partner", "AA", "--deadline", "0"],
        "--deadline",
    ),
    "offer-beta": (
        _record(beta=0.0),
        "beta",
        ["offer", "--partner", "AA", "--beta", "0"],
        "--beta",
    ),
    "offer-fix": (
        _record(fix=["security"]),
        "fix",
        ["offer", "--partner", "AA", "--fix", "security"],
        "--fix",
    ),
    "offer-partner": (
        lambda pf, tmp: dealbench.record_offer(pf, tmp / "rounds", "ZZ"),
        "partner",
        ["offer", "--partner", "ZZ"],
        "--partner",
    ),
    "history-partner": (_no_negotiation, "partner", ["history", "--partner", "ZZ"], "--partner"),
    "sweep-steps": (
        _sweep(steps=0),
        "steps",
        ["sweep", "--param", "portfolio.supply.2026", "--from", "1", "--to", "2", "--steps", "0"],
        "--steps",
    ),
    "sweep-one-step": (
        _sweep(steps=1),
        "steps",
        ["sweep", "--param", "portfolio.supply.2026", "--from", "1", "--to", "2", "--steps", "1"],
        "--steps",
    ),
    "sweep-refine": (
        _sweep(refine=-1),
        "refine",
        ["sweep", "--param", "portfolio.supply.2026", "--from", "1", "--to", "2", "--refine", "-1"],
        "--refine",
    ),
    "sweep-param": (
        _sweep(path="portfolio.nothing"),
        "path",
        ["sweep", "--param", "portfolio.nothing", "--from", "1", "--to", "2"],
        "--param",
    ),
    "sweep-from": (
        _sweep(start="1bn"),
        "start",
        ["sweep", "--param", "portfolio.supply.2026", "--from", "1bn", "--to", "2"],
        "--from",
    ),
    "sweep-to": (
        _sweep(stop="2bn"),
        "stop",
        ["sweep", "--param", "portfolio.supply.2026", "--from", "1", "--to", "2bn"],
        "--to",
    ),
    "jobs": (_executor(0, None, None), "jobs", ["compare", "--jobs", "0"], "--jobs"),
    "executor": (
        _executor(None, "ray", None),
        "executor",
        ["compare", "--executor", "ray"],
        "--executor",
    ),
    "scheduler-missing": (
        _executor(None, "dask", None),
        "scheduler",
        ["compare", "--executor", "dask"],
        "--scheduler",
    ),
    "scheduler-unused": (
        _executor(None, None, "tcp://x:1"),
        "scheduler",
        ["compare", "--scheduler", "tcp://x:1"],
        "--scheduler",
    ),
    "robust-level": (_robust(level=1.5), "level", ["solve", "--robust", "1.5"], "--robust"),
    "robust-samples": (
        _robust(samples=0),
        "samples",
        ["solve", "--robust", "0.9", "--samples", "0"],
        "--samples",
    ),
    "robust-mode": (
        _robust(mode="nash"),
        "mode",
        ["solve", "--robust", "0.9", "--mode", "nash"],
        "--mode",
    ),
    "prices": (_prices, "result", ["solve", "--prices", "--mode", "partner-best"], "--prices"),
    "time-limit": (_solve_options, "time_limit", ["compare", "--time-limit", "0"], "--time-limit"),
    "set": (
        lambda pf, tmp: dealbench.apply_overrides(pf, {"budget.risk": 1}),
        "overrides",
        ["solve", "--set", "budget.risk=1"],
        "--set",
    ),
    "set-scenario": (
        lambda pf, tmp: dealbench.load_scenario(TINY, sets=["partners.AA.batna=-1x"]),
        "sets",
        ["solve", "--set", "partners.AA.batna=-1x"],
        "--set",
    ),
    "set-parse": (
        lambda pf, tmp: dealbench.parse_set(["partners.AA.batna"]),
        "items",
        [
            "sweep",
            "--param",
            "portfolio.supply.2026",
            "--from",
            "1",
            "--to",
            "2",
            "--set",
            "partners.AA.batna",
        ],
        "--set",
    ),
    "regimes": (_regimes, "text", ["compare", "--regimes", " , "], "--regimes"),
    "render-partner": (
        _documents(kind="term-sheet", partners=["ZZ"]),
        "partners",
        [
            "render",
            "{tmp}/offer.yaml",
            "--portfolio",
            str(TINY),
            "--out",
            "{tmp}/out",
            "--partner",
            "ZZ",
        ],
        "--partner",
    ),
    "render-audience": (
        _documents(kind="deal-memo", audience="external"),
        "audience",
        [
            "render",
            "{tmp}/offer.yaml",
            "--portfolio",
            str(TINY),
            "--out",
            "{tmp}/out",
            "--doc",
            "deal-memo",
            "--audience",
            "external",
        ],
        "--audience",
    ),
    "render-portfolio": (
        _load_source,
        "portfolio_path",
        ["render", "{tmp}/offer.yaml", "--out", "{tmp}/out"],
        "--portfolio",
    ),
    "out": (_out_is_a_file, "root", ["solve", "--out", "{tmp}/offer.yaml"], "--out"),
    "templates": (
        _templates,
        "templates",
        [
            "render",
            "{tmp}/offer.yaml",
            "--portfolio",
            str(TINY),
            "--out",
            "{tmp}/out",
            "--templates",
            "{tmp}/no-such-folder",
        ],
        "--templates",
    ),
}


def _cli(args: list[str], tmp: Path) -> list[str]:
    """The command, the tiny portfolio where it takes one, and the rounds in `tmp`."""
    command, *rest = [a.replace("{tmp}", str(tmp)) for a in args]
    portfolio = [] if command == "render" else [str(TINY)]
    rounds = ["--rounds", str(tmp / "rounds")] if command in ("offer", "history") else []
    extra = ["--no-documents"] if command == "offer" else []
    return [command, *portfolio, *rest, *rounds, *extra]


@pytest.mark.parametrize(("call", "argument"), [c[:2] for c in CASES.values()], ids=list(CASES))
def test_the_library_names_the_parameter_passed(call: Call, argument: str, folder: Path) -> None:
    with pytest.raises(ArgumentError) as info:
        call(dealbench.load_portfolio(TINY), folder)
    assert info.value.argument == argument
    assert str(info.value).startswith(f"{argument}: ")
    assert "--" not in str(info.value)


@pytest.mark.parametrize(("args", "option"), [c[2:] for c in CASES.values()], ids=list(CASES))
def test_the_cli_names_its_option(run: Runner, args: list[str], option: str, folder: Path) -> None:
    done = run(*_cli(args, folder))
    assert (done.exit_code, done.traceback) == (2, "")
    assert done.stderr.startswith(f"error: {option}: "), done.stderr


def test_the_cli_maps_the_new_parameters_to_its_options() -> None:
    from dealbench.cli.errors import option_name

    assert [option_name(p) for p in ("path", "start", "stop", "level", "samples")] == [
        "--param",
        "--from",
        "--to",
        "--robust",
        "--samples",
    ]
    assert {option_name(p) for p in ("overrides", "sets", "items")} == {"--set"}
    assert option_name("partners") == "--partner"
    assert option_name("portfolio_path") == "--portfolio"
    assert option_name("root") == "--out"


# --- a package passed, not read from a file: the parameter, and the field at fault ----------


def test_a_counter_passed_that_is_our_offer_names_the_parameter(folder: Path) -> None:
    with pytest.raises(ArgumentError) as info:
        _counter(dealbench.load_portfolio(TINY), folder)
    assert info.value.argument == "counter"
    assert str(info.value).startswith("counter: side: is offer: the package is a US proposal")
    assert "--" not in str(info.value)


def test_another_portfolios_result_names_the_portfolio(folder: Path) -> None:
    with pytest.raises(ArgumentError) as info:
        _result_for_another_portfolio(dealbench.load_portfolio(TINY), folder)
    assert str(info.value) == "portfolio: the result is for portfolio 'tiny', not 'gulf-asia'"


def test_a_bad_override_names_each_problem_under_the_parameter() -> None:
    pf = dealbench.load_portfolio(TINY)
    with pytest.raises(ArgumentError) as info:
        dealbench.apply_overrides(pf, {"budget.risk": 1})
    assert str(info.value).startswith("overrides: budget.risk: unknown root 'budget'")


def test_overrides_may_be_the_set_options_texts() -> None:
    """`apply_overrides(pf, ["partners.AA.batna=2bn"])`, `--set`'s texts as a list, raised
    AttributeError ('list' object has no attribute 'items'). They are taken as `--set`
    takes them; anything else is an ArgumentError naming the parameter."""
    pf = dealbench.load_portfolio(TINY)
    texts = dealbench.apply_overrides(pf, ["partners.AA.batna=2bn"])
    mapping = dealbench.apply_overrides(pf, {"partners.AA.batna": "2bn"})
    assert texts.fingerprint() == mapping.fingerprint()
    assert texts.partner("AA").batna == 2e9
    for bad in (["partners.AA.batna"], [("partners.AA.batna", 1)], 5):
        with pytest.raises(ArgumentError) as info:
            dealbench.apply_overrides(pf, bad)  # type: ignore[arg-type]
        assert info.value.argument == "overrides", bad


def test_an_argument_error_survives_a_process_boundary() -> None:
    import pickle

    error = ArgumentError("overrides", "first", "a.b", more=[("c.d", "second")])
    error.add_note("note: before it")
    again = pickle.loads(pickle.dumps(error))
    assert (again.argument, str(again), again.__notes__) == (
        "overrides",
        "overrides: a.b: first\noverrides: c.d: second",
        ["note: before it"],
    )


# --- a switch that lets a refused call through: `force=True` to a caller, `--force` to a user


def test_an_existing_file_names_the_switch_in_each_shells_words(run: Runner, folder: Path) -> None:
    from dealbench.io import OutputDir
    from dealbench.output_errors import OutputExistsError

    out = folder / "out"
    out.mkdir()
    (out / "result.json").write_text("{}\n")
    with pytest.raises(OutputExistsError) as info:
        OutputDir(out).write("result.json", "{}\n")
    assert str(info.value).endswith("it is left as it is (pass force=True to overwrite it)")
    done = run("solve", TINY, "--out", out)
    assert (done.exit_code, done.traceback) == (2, ""), done.stderr
    assert done.stderr.endswith("it is left as it is (use --force to overwrite it)\n")


def test_a_document_clash_names_the_switch_in_the_librarys_words(folder: Path) -> None:
    from dealbench.render.naming import DocumentClashError, Identity, guard_documents

    (folder / "AA.md").write_text("a term sheet\n")
    (folder / ".dealbench-documents.json").write_text(
        '{"AA.md": {"document": "other", "title": "another document"}}'
    )
    ident = Identity("term-sheet", "tiny", "AA", "", "external")
    with pytest.raises(DocumentClashError) as info:
        guard_documents(folder, [("AA.md", ident)])
    assert "would replace it (pass force=True to replace it, or write into another folder)" in (
        str(info.value)
    )


# --- the web: its form field, never a CLI flag ------------------------------------------------


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    from dealbench.web import create_app
    from dealbench.web.security import CSRF_FIELD, csrf_for

    app = create_app(solo_deals(tmp_path / "deals", rounds=False), "token")
    with TestClient(app, headers={"X-Dealbench-Token": "token"}) as c:
        c.csrf = {CSRF_FIELD: csrf_for("token")}  # type: ignore[attr-defined]
        yield c
    app.state.jobs.shutdown()


def test_the_web_names_its_form_field(client: TestClient) -> None:
    """Keeping terms of an offer before there is one: the form's "Keep fixed", not `--fix`
    (qa43b-web: its label, no longer its name `fix`)."""
    data = {**client.csrf, "expect": "1", "fix": "security"}  # type: ignore[attr-defined]
    sent = client.post("/p/solo/n/SG/offer", data=data)
    assert sent.status_code == 422
    text = words(sent.text)
    assert "Keep fixed: there is no earlier US offer to SG to keep terms of" in text
    assert "--fix" not in text
