"""Session 45 (qa45-library): the library as a Python user calls it, and the shipped data's
README against what the data produce.

Each test is a fault a user met: a wrong argument that was an AttributeError, a TypeError
or a ValueError deep inside (never a dealbench error naming it), the inputs of an exported
call that only a submodule could make, the rounds' answers whose `--json` shape was built
in the CLI alone, and a sentence of deals/README.md the data no longer bear out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from tests.helpers import invoke, solo_deals

import dealbench
from dealbench.jsontext import finite


@pytest.fixture
def tiny_solved(tiny: Path) -> tuple[dealbench.Portfolio, dealbench.SolveResult]:
    pf = dealbench.load_portfolio(tiny)
    return pf, dealbench.solve(pf)


# --- documents: documents_for, render_document, load_source ---------------------------------


def test_documents_for_given_a_solve_result_names_the_source_it_wants(
    tiny_solved: tuple[dealbench.Portfolio, dealbench.SolveResult],
) -> None:
    """`documents_for(result, "term-sheet")` was "AttributeError: 'SolveResult' object has
    no attribute 'checked'"."""
    _pf, result = tiny_solved
    with pytest.raises(dealbench.ArgumentError) as caught:
        dealbench.documents_for(result, "term-sheet")  # type: ignore[arg-type]
    assert caught.value.argument == "source"
    assert "source_from_result(portfolio, result)" in str(caught.value)
    assert "load_source(" in str(caught.value)


@pytest.mark.parametrize("audience", [None, "external"])
def test_an_unknown_document_kind_lists_the_kinds_first(
    tiny_solved: tuple[dealbench.Portfolio, dealbench.SolveResult], audience: str | None
) -> None:
    """`documents_for(source, "memo")` was a RenderError listing no kind; with
    audience="external" it said "a memo is an internal document" instead."""
    pf, result = tiny_solved
    source = dealbench.source_from_result(pf, result)
    with pytest.raises(dealbench.ArgumentError) as caught:
        dealbench.documents_for(source, "memo", audience=audience)  # type: ignore[arg-type]
    assert caught.value.argument == "kind"
    assert "expected one of: term-sheet, deal-memo, portfolio-memo" in str(caught.value)


def test_render_document_given_a_source_names_the_document_it_wants(
    tiny_solved: tuple[dealbench.Portfolio, dealbench.SolveResult],
) -> None:
    """`render_document(source, "md")` was "AttributeError: 'Source' object has no
    attribute 'kind'"."""
    pf, result = tiny_solved
    source = dealbench.source_from_result(pf, result)
    with pytest.raises(dealbench.ArgumentError) as caught:
        dealbench.render_document(source, "md")  # type: ignore[arg-type]
    assert caught.value.argument == "doc"
    assert "documents_for(source, kind)" in str(caught.value)


def test_load_source_is_exported_and_takes_str_paths(shipped: Path) -> None:
    """`dealbench.render.load_source("…yaml", "…yaml")` was "AttributeError: 'str' object
    has no attribute 'is_dir'", and `dealbench` did not export it: a package's documents
    could not be made from the top-level API."""
    source = dealbench.load_source(
        str(shipped / "packages/ae-offer.yaml"), str(shipped / "portfolios/gulf-asia.yaml")
    )
    (doc,) = dealbench.documents_for(source, "term-sheet")
    (md,) = dealbench.render_document(doc, "md")
    assert "United Arab Emirates" in md.data.decode()


# --- sweep_scenarios and load_scenarios ------------------------------------------------------


def test_sweep_scenarios_given_a_file_path_says_how_to_read_it(tiny: Path) -> None:
    """`sweep_scenarios(portfolio, "deals/scenarios/gulf-asia.yaml")`, what `dealbench
    sweep` takes, was "ValueError: not enough values to unpack (expected 2, got 1)"."""
    pf = dealbench.load_portfolio(tiny)
    for given in ("deals/scenarios/gulf-asia.yaml", [pf]):
        with pytest.raises(dealbench.ArgumentError) as caught:
            dealbench.sweep_scenarios(pf, given)  # type: ignore[arg-type]
        assert caught.value.argument == "scenarios"
        assert "load_scenarios(path, portfolio)" in str(caught.value)


def test_load_scenarios_is_exported_and_feeds_sweep_scenarios(tiny: Path, tmp_path: Path) -> None:
    """`sweep_scenarios` was exported but the only reader of its input, `load_scenarios`,
    was not (`dealbench.analyze` alone)."""
    assert "load_scenarios" in dealbench.__all__
    path = tmp_path / "scenarios.yaml"
    path.write_text("scenarios:\n  - id: less-supply\n    set: {portfolio.supply.2026: 10_000}\n")
    pf = dealbench.load_portfolio(tiny)
    scenarios = dealbench.load_scenarios(path, pf)
    table, results = dealbench.sweep_scenarios(pf, scenarios)
    assert [row.id for row in table.rows] == ["base", "less-supply"]
    assert len(results) == 2


# --- the rounds' lower-level calls: replan, next_offer, verdict -------------------------------


@pytest.fixture
def tiny_rounds(tiny: Path, tmp_path: Path) -> tuple[dealbench.Portfolio, dict[str, object], Path]:
    pf = dealbench.load_portfolio(tiny)
    root = tmp_path / "rounds"
    return pf, dict(dealbench.load_negotiations(pf, root)), root


def test_replan_given_the_rounds_folder_names_the_negotiations_it_wants(
    tiny_rounds: tuple[dealbench.Portfolio, dict[str, object], Path],
) -> None:
    """`replan(portfolio, root)` was "AttributeError: 'PosixPath' object has no attribute
    'items'"."""
    pf, _negotiations, root = tiny_rounds
    with pytest.raises(dealbench.ArgumentError) as caught:
        dealbench.replan(pf, root)  # type: ignore[arg-type]
    assert caught.value.argument == "negotiations"
    assert "load_negotiations(portfolio, root)" in str(caught.value)


def test_next_offer_without_a_plan_names_it(
    tiny_rounds: tuple[dealbench.Portfolio, dict[str, object], Path],
) -> None:
    """`next_offer(portfolio, negotiations, None, code)` was "AttributeError: 'NoneType'
    object has no attribute 'fixed'", after a re-plan's solve; a mapping without the
    partner was a KeyError."""
    pf, negotiations, _root = tiny_rounds
    code = pf.partners[0].code
    with pytest.raises(dealbench.ArgumentError) as caught:
        dealbench.next_offer(pf, negotiations, None, code)  # type: ignore[arg-type]
    assert caught.value.argument == "plan"
    assert "replan(portfolio, negotiations)" in str(caught.value)
    plan = dealbench.replan(pf, negotiations)  # type: ignore[arg-type]
    with pytest.raises(dealbench.ArgumentError, match=f"no negotiation with {code}"):
        dealbench.next_offer(pf, {}, plan, code)
    offer = dealbench.next_offer(pf, negotiations, plan, code)  # type: ignore[arg-type]
    assert offer.package.partner == code


def test_verdict_given_a_folder_or_a_wrong_plan_names_them(
    tiny_rounds: tuple[dealbench.Portfolio, dict[str, object], Path],
    tiny_solved: tuple[dealbench.Portfolio, dealbench.SolveResult],
) -> None:
    """`verdict(portfolio, root, package)` was "TypeError: 'PosixPath' object is not
    subscriptable"; `plan="..."` an AttributeError."""
    pf, negotiations, root = tiny_rounds
    package = tiny_solved[1].deals[0].package()
    with pytest.raises(dealbench.ArgumentError) as caught:
        dealbench.verdict(pf, root, package)  # type: ignore[arg-type]
    assert caught.value.argument == "negotiations"
    with pytest.raises(dealbench.ArgumentError) as caught:
        dealbench.verdict(pf, negotiations, package, plan="plan")  # type: ignore[arg-type]
    assert caught.value.argument == "plan"


# --- the rounds' answers as JSON: what the CLI prints ---------------------------------------


def _cli_json(*args: str | Path) -> dict[str, object]:
    done = invoke(args)
    assert done.exit_code == 0, done.stderr
    data: dict[str, object] = json.loads(done.stdout)
    data.pop("documents")
    return data


def _same(cli: dict[str, object], lib: dict[str, object]) -> None:
    """The library's dict is the CLI's JSON: the same keys and values once rounded as `--json`
    rounds them; `file` is the same round file (the CLI's path is the other copy's)."""
    lib = json.loads(json.dumps(finite(lib)))
    assert set(cli) == set(lib)
    assert Path(str(cli.pop("file"))).name == Path(str(lib.pop("file"))).name
    assert cli == lib


def test_offer_counter_and_walk_away_to_json_is_what_the_cli_prints(tmp_path: Path) -> None:
    """`record_offer` returns an `Offer`, a dataclass (no `model_dump_json`, though README
    said results are pydantic models); the object `offer --json` prints was assembled in the
    CLI, and a library user could not get it. Now `Offer.to_json()`, `Counter.to_json()`
    and `Round.to_json()` make it, and the CLI prints theirs."""
    cli_deals = solo_deals(tmp_path / "cli" / "deals", rounds=False)
    lib_deals = solo_deals(tmp_path / "lib" / "deals", rounds=False)
    portfolio = "portfolios/solo.yaml"
    cli_offer = _cli_json(
        "offer", cli_deals / portfolio, "--partner", "SG", "--json", "--no-documents"
    )

    pf = dealbench.load_portfolio(lib_deals / portfolio)
    root = dealbench.rounds_root(lib_deals / portfolio, pf)
    offer = dealbench.record_offer(pf, root, "SG")
    _same(cli_offer, offer.to_json())

    # The partner's counter: the offer with less of everything it gives the US.
    package = offer.round.package
    assert package is not None
    data = package.model_dump(mode="json", exclude_none=True)
    data.update(side="counter", concessions={}, sites=None)
    data = {k: v for k, v in data.items() if v is not None}
    for folder in (cli_deals, lib_deals):
        (folder / "packages" / "sg-counter.yaml").write_text(yaml.safe_dump(data))
    cli_counter = _cli_json(
        "counter",
        cli_deals / portfolio,
        cli_deals / "packages/sg-counter.yaml",
        "--json",
        "--no-documents",
    )
    counter = dealbench.record_counter(pf, root, "SG", lib_deals / "packages/sg-counter.yaml")
    _same(cli_counter, counter.to_json())

    cli_walk = _cli_json("walk-away", cli_deals / portfolio, "--partner", "SG", "--json")
    _same(cli_walk, dealbench.walk_away(pf, root, "SG").to_json())


# --- deals/README.md against the data ---------------------------------------------------------


def test_deals_readme_says_the_step_the_global_solve_puts_compute_in(shipped: Path) -> None:
    """deals/README.md said global's terms "fit steps of 1,000 after a second solve that
    keeps a rounding reserve (V 290.21bn instead of 290.43bn; the result says so)"; the
    solve says compute is in steps of 100 H100e, the reserve costing $134.8m of V."""
    result = dealbench.solve(dealbench.load_portfolio(shipped / "portfolios/global.yaml"))
    assert result.compute_step == 100
    cost = re.search(
        r"reserve for rounding costs the United States (\$[\d.]+m) of V", result.message
    )
    assert cost is not None
    readme = " ".join((shipped / "README.md").read_text().split())
    assert "both gulf-asia and global fit steps of 100 H100e only" in readme
    assert f"costs {cost.group(1)} of V" in readme
    assert "290.21bn" not in readme
