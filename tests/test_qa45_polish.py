"""Session 45 (qa45-polish): small faults colleagues noticed and left, each met as a user
meets it (docs/decisions.md, "Session 45 (qa45-polish)")."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from dealbench.model import load_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult, solve
from helpers import REPO, Runner

SHIPPED = REPO / "deals"
GULF = SHIPPED / "portfolios" / "gulf-asia.yaml"


@cache
def _tiny() -> tuple[Portfolio, SolveResult]:
    pf = load_portfolio(REPO / "tests" / "data" / "tiny" / "portfolio.yaml")
    return pf, solve(pf).raise_for_status()


def _with_compute(result: SolveResult, code: str, amount: float) -> SolveResult:
    deals = [
        d.model_copy(update={"compute": dict.fromkeys(d.compute, amount)})
        if d.partner == code
        else d
        for d in result.deals
    ]
    return result.model_copy(update={"deals": deals})


def test_diff_says_a_change_of_compute_below_100_h100e_as_it_prints() -> None:
    """`diff` said a compute below 100 H100e (printed to the hundredth) changing from 0.1 to
    0.3 H100e "(+0)", a real change as none, in whole units; it says "(+0.2)"."""
    from dealbench.analyze import diff_results

    result = _tiny()[1]
    a, b = _with_compute(result, "AA", 0.1), _with_compute(result, "AA", 0.3)
    [row] = [p for p in diff_results(a, b).partners if p.partner == "AA"]
    [said] = [c for c in row.changes if "compute" in c]
    assert said == "2026 compute 0.1 -> 0.3 H100e (+0.2)", said
    a, b = _with_compute(result, "AA", 40_000), _with_compute(result, "AA", 30_000)
    [row] = [p for p in diff_results(a, b).partners if p.partner == "AA"]
    assert "2026 compute 40,000 -> 30,000 H100e (-10,000)" in row.changes


def _redline(tmp_path: Path, run: Runner, new: Path) -> str:
    out = tmp_path / "redline.md"
    done = run(
        "redline", SHIPPED / "packages" / "ae-offer.yaml", new, "--portfolio", GULF,
        "--audience", "internal", "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    return " ".join(out.read_text("utf-8").split())


def test_the_redline_note_on_interacting_terms_fits_the_change(run: Runner, tmp_path: Path) -> None:
    """The internal redline of the UAE offer against its counter (both `security: veu`)
    explained that terms interact "(the security level changes the risk of every H100e)",
    a level that did not change. The example is given where the level changes; else the
    note says it generally."""
    same_level = _redline(tmp_path, run, SHIPPED / "packages" / "ae-counter.yaml")
    assert "security level changes" not in same_level
    assert "terms can interact, so they need not add up to the whole" in same_level
    text = (SHIPPED / "packages" / "ae-counter.yaml").read_text("utf-8")
    kyc = tmp_path / "ae-kyc.yaml"
    kyc.write_text(text.replace("security: veu", "security: kyc", 1))
    other_level = _redline(tmp_path, run, kyc)
    assert (
        "terms interact (the security level changes the risk of every H100e), so they need "
        "not add up to the whole" in other_level
    )
