"""Session 45 (qa45-leftovers): faults noticed in session 44 and left, each met as a user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import DATA, Runner


@pytest.mark.parametrize(
    ("batna", "said"),
    [
        # the portfolio as written has no package AA accepts: explained, as a plain solve's
        ("500bn", "AA's acceptance needs"),
        # the mean has one, the 99% share of the samples none
        ("{dist: uniform, low: 0, high: 5bn}", "no package AA accepts in at least 99%"),
    ],
)
def test_a_robust_solve_without_packages_says_so_in_json(
    run: Runner, tiny: Path, batna: str, said: str
) -> None:
    """`solve --robust 0.99 --require-deal AA --json` exited 3 with nothing on stdout (a
    script parsing its JSON met an empty stream), and the portfolio's own infeasibility
    was said bare ("no set of packages satisfies every limit"), unexplained."""
    answer = run(
        "solve", tiny, "--robust", "0.99", "--samples", "300", "--require-deal", "AA",
        "--set", f"partners.AA.batna={batna}", "--json",
    )  # fmt: skip
    assert answer.exit_code == 3, answer.output
    data = json.loads(answer.stdout)
    assert data["status"] == "infeasible"
    assert said in data["message"]
    assert said in answer.stderr
    if batna == "500bn":  # the limits to relax, with amounts, as `solve --json` gives them
        assert data["explanation"]["relax"][0]["partner"] == "AA"


def test_risk_on_dask_says_its_samples_run_not_solves(run: Runner, shipped: Path) -> None:
    """`risk --jobs 2 --executor dask` said "on a dask cluster the solves run on its
    workers": risk solves nothing, its batches of samples run there. A sweep's are solves."""
    uncertain = shipped / "portfolios/gulf-asia-uncertain.yaml"
    answer = run(
        "risk", shipped / "packages/ae-offer.yaml", "--portfolio", uncertain,
        "--jobs", "2", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1",
    )  # fmt: skip
    assert answer.exit_code == 2, answer.output
    assert "on a dask cluster the batches of samples run on its workers" in answer.stderr
    assert "solve" not in answer.stderr
    sweep = run(
        "sweep", shipped / "portfolios/gulf-asia.yaml", shipped / "scenarios/gulf-asia.yaml",
        "--jobs", "2", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1",
    )  # fmt: skip
    assert "on a dask cluster the solves run on its workers" in sweep.stderr


def test_the_samples_say_what_runs_wherever_they_run(
    shipped: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The executor's failures ("a worker process died while ...", "the Dask workers died
    while ...", "the solves wait for one") are said of its work: `risk_report` runs its
    batches of samples as SAMPLING whatever executor it is given (a library caller's)."""
    from dealbench.analyze import parallel
    from dealbench.analyze.cluster import SAMPLING, SOLVING, _failure_text
    from dealbench.analyze.uncertainty import risk_report
    from dealbench.model import load_package, load_portfolio

    seen = []
    real_map = parallel.Executor.map

    def map_(self: parallel.Executor, *args: object, **kwargs: object) -> object:
        seen.append(self.work)
        return real_map(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel.Executor, "map", map_)
    pf = load_portfolio(shipped / "portfolios/gulf-asia-uncertain.yaml")
    pkg = load_package(shipped / "packages/ae-offer.yaml", pf)
    risk_report(pf, pkg, 200, 0, executor=parallel.Executor())
    assert seen == [SAMPLING]
    assert parallel.Executor().work == SOLVING  # a comparison's, a sweep's
    distributed = pytest.importorskip("distributed")
    said = _failure_text(distributed.KilledWorker("t", "w", 3), "tcp://h:8786", SAMPLING)
    assert said.startswith("the Dask workers at tcp://h:8786 died while sampling")


@pytest.fixture(scope="module")
def short_curve() -> Any:
    """A frontier of four points (tests/data/qa9neg's XH), as solved."""
    from dealbench import load_portfolio
    from dealbench.negotiate import frontier

    return frontier(load_portfolio(DATA / "qa9neg/hyrule.yaml"), "XH", points=4)


def test_coinciding_named_points_are_both_seen_and_named_on_the_chart(short_curve: Any) -> None:
    """`frontier --out` drew the Kalai diamond over the Nash star where the two points are
    one package (a short frontier): the chart showed no Nash, though its legend named one.
    Each earlier mark is drawn again beneath, larger (a frame of its colour), and the spot
    is named by both, as the web's chart names one square "Nash, Kalai–Smorodinsky"."""
    from dealbench.negotiate.chart import STAR_SIZE, _draw, frontier_png

    nash = short_curve.nash
    one = short_curve.model_copy(update={"kalai": nash})
    ax = _draw(one, []).axes[0]
    at = (nash.partner_utility / 1e9, nash.us_utility / 1e9)
    here = [
        (float(c.get_sizes()[0]), c.get_label())
        for c in ax.collections
        if tuple(c.get_offsets()[0]) == pytest.approx(at)
    ]
    assert (STAR_SIZE, "Nash") in here and ("Kalai–Smorodinsky" in [lbl for _, lbl in here])
    framed = [size for size, label in here if label == "_nolegend_"]
    assert framed and framed[0] > STAR_SIZE  # the star around the diamond
    assert [t.get_text() for t in ax.texts] == ["Nash, Kalai–Smorodinsky"]
    # Apart, as solved, nothing is framed nor named twice.
    ax = _draw(short_curve, []).axes[0]
    assert all(c.get_label() != "_nolegend_" for c in ax.collections)
    assert not [t.get_text() for t in ax.texts if "," in t.get_text()]
    assert frontier_png(one) == frontier_png(one)  # the same bytes, as every chart


def test_replan_and_residual_name_the_partners_left_out_alike(tiny: Path) -> None:
    """`residual(pf, excluded=...)` but `replan(pf, negs, exclude=...)`: one idea, two
    names in the exported library. `replan` takes `excluded` too; the old `exclude` still
    works, with a DeprecationWarning, and a refused code names the keyword as given."""
    import dealbench
    from dealbench.errors import ArgumentError

    pf = dealbench.load_portfolio(tiny)
    assert "replan" in dealbench.__all__ and "residual" in dealbench.__all__
    plan = dealbench.replan(pf, {}, excluded=["AA"])
    assert plan.excluded == ["AA"] and plan.package("AA") is None
    assert dealbench.residual(pf, excluded=["AA"]).partners == []
    with pytest.warns(DeprecationWarning, match=r"replan\(excluded=\)"):
        old = dealbench.replan(pf, {}, exclude=["AA"])
    assert old.excluded == ["AA"]
    with pytest.warns(DeprecationWarning), pytest.raises(ArgumentError) as info:
        dealbench.replan(pf, {}, exclude=["ZZ"])
    assert info.value.argument == "exclude"
    with pytest.raises(ArgumentError, match="give one of them"):
        dealbench.replan(pf, {}, excluded=["AA"], exclude=["AA"])


def test_validate_checks_the_house_templates_naming_file_and_line(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`validate deals/` said ok of every file and passed over deals/house: a house clause
    with a syntax error, an unknown filter or a misspelt placeholder was found only when a
    document rendered it, after the solve. Each is said at its file and line (exit 2); a
    template that replaces nothing is noted; the shipped one is ok."""
    done = run("validate", shipped / "house")
    assert done.exit_code == 0, done.output
    assert "clauses/confidentiality.txt.j2 (house template)" in done.stdout
    house = tmp_path / "house/clauses"
    house.mkdir(parents=True)
    (house / "confidentiality.txt.j2").write_text("One.\n\nThe {{ partnr | in_text }}.\n")
    (house / "term.txt.j2").write_text("{% if partner %}\nNo end.\n")
    (house / "purpose.txt.j2").write_text("For {{ partner | no_such }}.\n")
    (house / "confidentialty.txt.j2").write_text("For {{ partner | in_text }}.\n")
    refused = run("validate", tmp_path / "house")
    assert refused.exit_code == 2, refused.output
    err = refused.stderr
    assert (
        f"error: {house / 'confidentiality.txt.j2'}:3: unknown placeholder 'partnr': no "
        "document gives a template that name (did you mean partner?)"
    ) in err
    assert f"error: {house / 'term.txt.j2'}:2: template syntax error: Unexpected end" in err
    assert f"error: {house / 'purpose.txt.j2'}:1: template syntax error: No filter named" in err
    assert f"note: {house / 'confidentialty.txt.j2'}: replaces no shipped template" in err
    assert "confidentiality.txt.j2, consultation.txt.j2" in err  # the names it could take
