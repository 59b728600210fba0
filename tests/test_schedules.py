"""Schedules a negotiator can sign: what is printed is what `check` vouched for.

Compute is decided in whole steps of the portfolio's granularity (default
1,000 H100e) after the optimizer's choices, smoothed among equal values
(`dealbench.optimize.schedule.signable`). These tests read the numbers back out of every
format of the demo's documents, and check the rounding on generated portfolios.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import builders
from builders import concession, partner, policy, portfolio
from dealbench.checker import check, evaluate
from dealbench.cli import app
from dealbench.model import load_portfolio
from dealbench.model.granularity import Granularity
from dealbench.model.overrides import apply_overrides
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult, solve
from dealbench.optimize.formulation import MODES, Mode
from dealbench.optimize.result import Status

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
DEMO = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


# --- the demo, read back --------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _rows(lines: list[str], periods: list[str]) -> dict[str, float]:
    """Period -> H100e from table rows that start with a period and an amount."""
    out: dict[str, float] = {}
    pattern = re.compile(r"^\|?\s*(\S+?)\s*\|?\s+([\d,]+(?:\.\d+)?)\b")
    for line in lines:
        match = pattern.match(line.strip())
        if match and match[1] in periods and match[1] not in out:
            out[match[1]] = float(match[2].replace(",", ""))
    return out


def _md(path: Path, periods: list[str]) -> dict[str, float]:
    return _rows(path.read_text(encoding="utf-8").splitlines(), periods)


def _html(path: Path, periods: list[str]) -> dict[str, float]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<tr\b[^>]*>", "\n", text)
    text = re.sub(r"</t[dh]>", " | ", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return _rows(text.splitlines(), periods)


def _docx(path: Path, periods: list[str]) -> dict[str, float]:
    import docx

    document = docx.Document(str(path))
    lines = [" | ".join(cell.text for cell in row.cells) for t in document.tables for row in t.rows]
    return _rows(lines, periods)


def _pdf(path: Path, periods: list[str]) -> dict[str, float]:
    import pypdf

    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)
    return _rows(text.splitlines(), periods)


READERS = {"md": _md, "html": _html, "docx": _docx, "pdf": _pdf}


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_every_printed_term_sheet_is_the_checked_package(demo: Path, fmt: str) -> None:
    """The compute printed in every term sheet, read back and evaluated, gives the result's
    verdict and utilities to the dollar."""
    pf = load_portfolio(DEMO)
    result = SolveResult.model_validate_json((demo / "result.json").read_bytes())
    assert result.deals
    seen = 0
    for sheet in sorted((demo / "term-sheets").glob(f"*.{fmt}")):
        deal = next(d for d in result.deals if sheet.name.startswith(d.partner))
        printed = READERS[fmt](sheet, pf.periods)
        expected = {t: x for t, x in deal.compute.items() if x > 0 or t in printed}
        assert printed == expected, f"{sheet.name}: printed {printed}, checked {deal.compute}"
        package = Package(
            partner=deal.partner,
            security=deal.security,
            compute={t: printed.get(t, 0.0) for t in pf.periods},
            concessions=deal.concessions,
        )
        again = evaluate(pf, package)
        assert again.accepts == deal.accepts is True
        assert again.us_value == pytest.approx(deal.us_value, abs=1.0)
        assert again.partner_utility == pytest.approx(deal.partner_utility, abs=1.0)
        seen += 1
    assert seen >= len(result.deals)


def test_demo_amounts_are_whole_steps(demo: Path) -> None:
    """Every amount of the demo is a whole number of H100e on the step the result states."""
    result = SolveResult.model_validate_json((demo / "result.json").read_bytes())
    step = result.solver.details["granularity_h100e"]
    assert step >= 1
    pf = load_portfolio(DEMO)
    for deal in result.deals:
        p = pf.partner(deal.partner)
        assert p is not None
        for t, x in deal.compute.items():
            assert x == int(x)
            assert x % step == 0 or x == pf.cap(p, deal.security, t), (deal.partner, t, x)


# --- generated portfolios -------------------------------------------------------------


def _step_value(pf: Portfolio, result: SolveResult) -> float:
    """The US value of one step of compute for the deal where it is largest."""
    step = pf.granularity.h100e
    policy = pf.policy
    worst = max(
        abs(
            policy.export_value_per_h100e - policy.risk_penalty_per_h100e * d.risk / d.total_compute
        )
        if d.total_compute > 0
        else 0.0
        for d in result.deals
    )
    return step * worst


@st.composite
def portfolios(draw: st.DrawFn) -> Portfolio:
    periods = ["2026", "2027", "2028"][: draw(st.integers(1, 3))]
    n = draw(st.integers(1, 3))
    partners = []
    for i in range(n):
        ask = {
            t: float(draw(st.integers(5, 150)) * 1_000 + draw(st.sampled_from([0, 500])))
            for t in periods
        }
        partners.append(
            partner(
                f"P{chr(65 + i)}",
                tier=draw(st.sampled_from([1, 2])),
                diversion_risk=draw(st.sampled_from([0.0, 0.05, 0.2, 0.4])),
                ask=ask,
                value=float(draw(st.integers(20, 40)) * 1_000),
                batna=float(draw(st.integers(0, 30)) * 1e8),
                concessions=[
                    concession(
                        "invest",
                        us_value=float(draw(st.integers(0, 30)) * 1e8),
                        partner_cost=float(draw(st.integers(0, 20)) * 1e8),
                    )
                ],
            )
        )
    supply = {t: float(draw(st.integers(20, 300)) * 1_000) for t in periods}
    return portfolio(policy(), partners, supply=supply, granularity=1_000)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pf=portfolios())
def test_rounded_packages_pass_check_and_lose_at_most_a_step(pf: Portfolio) -> None:
    """Every rounded package passes `check`; V after rounding is within one step's value
    of the unrounded optimum (the result reports both), give or take the tenth of the
    gap that smoothing may trade."""
    result = solve(pf)
    assert result.status is Status.OPTIMAL, result.message
    packages = [d.package() for d in result.deals]
    assert check(pf, packages).ok
    assert result.objective is not None
    step = result.solver.details["granularity_h100e"]
    if step > 0 and result.deals:
        for deal in result.deals:
            p = pf.partner(deal.partner)
            assert p is not None
            for t, x in deal.compute.items():
                assert x % step == 0 or x == pf.cap(p, deal.security, t)
        unrounded = result.solver.details["unrounded_objective"]
        loss = unrounded - result.objective
        if "reserve" in result.message:  # a second solve with room to round: cost stated
            assert f"${loss / 1e6:,.1f}m" in result.message
        else:
            assert loss <= _step_value(pf, result) + 1e-7 * abs(unrounded) + 1.0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pf=builders.portfolios(), mode=st.sampled_from(MODES))
def test_both_modes_round_within_a_step_on_the_shared_generator(pf: Portfolio, mode: Mode) -> None:
    """tests/builders.py's portfolios in steps of 1,000 H100e, in both modes: every package
    passes `check`, amounts are on the grid, the objective (V, or the partners' total)
    loses at most one step's value, and partner-best keeps V at its floor."""
    pf = pf.model_copy(update={"own_granularity": Granularity(h100e=1_000)})
    result = solve(pf, mode)
    if result.status is not Status.OPTIMAL:
        return
    assert check(pf, [d.package() for d in result.deals]).ok
    step = result.solver.details.get("granularity_h100e", 0.0)
    if not result.deals or step == 0 or "reserve" in result.message:
        return
    for deal in result.deals:
        p = pf.partner(deal.partner)
        assert p is not None
        for t, x in deal.compute.items():
            assert abs(x / step - round(x / step)) < 1e-9 or x == pf.cap(p, deal.security, t)
    details = result.solver.details
    if mode == "us-best":
        lost = details["unrounded_objective"] - (result.objective or 0.0)
        allowed = _step_value(pf, result) * step / 1_000
    else:
        assert (result.us_value or 0.0) >= sum(p.us_batna for p in pf.partners) - 1.0
        lost = details["unrounded_partner_total"] - (result.partner_total or 0.0)
        firsts = {p.code: p.segments[0][1] for p in pf.partners}
        best = max(firsts[d.partner] for d in result.deals)
        allowed = step * best
    assert lost <= allowed + 1e-7 * abs(details["unrounded_objective"]) + 1.0


# --- smoothness -----------------------------------------------------------------------


def _pinned(supply: dict[str, float], ask: float = 150_000.0, risk: float = 0.4) -> Portfolio:
    """One partner whose compute costs the US (risk 0.4: 8k - 100k x 0.4 < 0), so the US gives
    just what acceptance needs: 30k x X >= 2bn + 5bn for `invest` -> X = 233,334 H100e.
    Any split of X over three periods has the same V; only the shape differs."""
    qa = partner(
        "QA",
        tier=1,
        diversion_risk=risk,
        ask=dict.fromkeys(supply, ask),
        value=30_000.0,
        batna=2e9,
        security_costs={"baseline": 0},
        concessions=[concession("invest", us_value=20e9, partner_cost=5e9)],
    )
    return portfolio(policy(), [qa], supply=supply, granularity=1_000)


def test_no_mid_horizon_zero_when_an_equal_schedule_has_the_same_value() -> None:
    """Equal amounts are possible, so the schedule is 78,000 / 78,000 / 78,000 (234,000 on
    the 1,000 grid), never 94,286 / 0 / 150,000."""
    result = solve(_pinned({"2026": 500_000, "2027": 500_000, "2028": 500_000}))
    (deal,) = result.deals
    assert list(deal.compute.values()) == [78_000, 78_000, 78_000]


def test_a_limit_shapes_the_schedule_without_dips() -> None:
    """2027 supply of 40,000 forces an uneven schedule: the rest is spread (nearly) equally,
    97,000 / 40,000 / 97,000 up to the 2.5% pieces of the evenness measure."""
    result = solve(_pinned({"2026": 500_000, "2027": 40_000, "2028": 500_000}))
    (deal,) = result.deals
    x = list(deal.compute.values())
    assert x[1] == 40_000
    assert sum(x) == 234_000
    assert abs(x[0] - x[2]) <= 2_000


def test_the_remainder_goes_to_the_later_periods() -> None:
    """A fixed tie-break: 235,000 = 78,000 + 78,000 + 79,000 (ramp-up, not ramp-down)."""
    pf = _pinned({"2026": 500_000, "2027": 500_000, "2028": 500_000})
    qa = pf.partners[0]
    richer = qa.model_copy(update={"batna": 2.04e9})  # X >= 234,666.7: 235,000 on the grid
    result = solve(pf.model_copy(update={"partners": [richer]}))
    (deal,) = result.deals
    x = list(deal.compute.values())
    assert sum(x) == 235_000
    assert x == sorted(x)


def test_schedules_and_documents_are_the_same_bytes_twice() -> None:
    from dealbench.render import documents_for, render_document, source_from_result

    pf = load_portfolio(DEMO)
    first, second = solve(pf), solve(pf)
    assert [d.compute for d in first.deals] == [d.compute for d in second.deals]
    for other in (solve(pf, method="plain"), solve(pf, solver="cbc")):
        # The same terms give the same schedule, whichever method or solver found them.
        assert [(d.security, d.concessions) for d in other.deals] == [
            (d.security, d.concessions) for d in first.deals
        ]
        assert [d.compute for d in other.deals] == [d.compute for d in first.deals]
    docs = [
        [
            f.data
            for doc in documents_for(source_from_result(pf, r), "term-sheet", audience="external")
            for f in render_document(doc, ["md", "html"])
        ]
        for r in (first, second)
    ]
    assert docs[0] == docs[1]


# --- granularity as declared ----------------------------------------------------------


def test_a_step_that_leaves_no_schedule_is_refined_and_said() -> None:
    """QA needs X >= 233,334 (see `_pinned`); supply of 233,400 in one period admits no
    multiple of 1,000 that QA accepts, so the step becomes 100 H100e and the result says so."""
    pf = _pinned({"2026": 233_400}, ask=300_000)
    result = solve(pf)
    (deal,) = result.deals
    assert deal.compute == {"2026": 233_400}
    assert result.solver.details["granularity_h100e"] == 100
    assert "steps of 100 H100e" in result.message
    assert check(pf, [deal.package()]).ok


def test_granularity_in_chips_gives_whole_chips() -> None:
    pf = _pinned({"2026": 500_000, "2027": 500_000, "2028": 500_000})
    grid = Granularity(h100e=1_000 * 36_000 / 15_832, chips=1_000, model="B200")
    result = solve(pf.model_copy(update={"own_granularity": grid}))
    (deal,) = result.deals
    for x in deal.compute.values():
        chips = x / (36_000 / 15_832)
        assert chips == pytest.approx(round(chips / 1_000) * 1_000, abs=1e-6)


def test_granularity_is_read_from_portfolio_then_policy(tmp_path: Path) -> None:
    from dealbench.model import load_policy

    pf = load_portfolio(DEMO)
    assert pf.granularity == Granularity(h100e=1_000)
    text = DEMO.read_text(encoding="utf-8") + "granularity: {chips: 512, model: b200}\n"
    for name in ("policy", "partners"):
        (tmp_path / name).symlink_to(REPO / "deals" / name)
    (tmp_path / "portfolios").mkdir()
    (tmp_path / "portfolios" / "p.yaml").write_text(text, encoding="utf-8")
    chips = load_portfolio(tmp_path / "portfolios" / "p.yaml").granularity
    assert (chips.chips, chips.model) == (512, "B200")
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(
        (REPO / "deals" / "policy" / "bilateral.yaml").read_text(encoding="utf-8")
        + "granularity: 0\n",
        encoding="utf-8",
    )
    assert load_policy(policy_file).granularity == Granularity(h100e=0)
    assert pf.with_policy(load_policy(policy_file)).granularity.h100e == 0


def test_a_fractional_granularity_is_refused() -> None:
    from pydantic import TypeAdapter, ValidationError

    from dealbench.model.granularity import GranularityField

    with pytest.raises(ValidationError, match="whole number"):
        TypeAdapter(GranularityField).validate_python(2.5)


def test_no_whole_schedule_is_reported_not_hidden() -> None:
    """A risk budget of exactly 0.9 x 233,333.3 leaves QA one amount: 233,333.3 H100e, not
    a whole number; 233,334 would overrun the budget by 0.6, beyond the checker's tolerance.
    The result keeps the unrounded amounts, still checked, and says so."""
    pf = _pinned({"2026": 500_000}, ask=300_000, risk=0.9)
    pf = pf.model_copy(update={"risk_budget": 0.9 * 7e9 / 30_000})
    result = solve(pf)
    (deal,) = result.deals
    assert deal.compute["2026"] == pytest.approx(7e9 / 30_000, abs=1e-3)
    assert result.solver.details["granularity_h100e"] == 0
    assert "unrounded" in result.message
    assert check(pf, [deal.package()]).ok


def test_single_units_within_the_check_tolerance_are_said() -> None:
    """With risk 0.4, 233,334 H100e overruns that budget by 0.27 risk-weighted H100e,
    inside the checker's tolerance of 0.5: the package is in whole H100e and says so."""
    pf = _pinned({"2026": 500_000}, ask=300_000)
    pf = pf.model_copy(update={"risk_budget": 0.4 * 7e9 / 30_000})
    result = solve(pf)
    (deal,) = result.deals
    assert deal.compute == {"2026": 233_334}
    assert "within the independent check's tolerance" in result.message
    assert check(pf, [deal.package()]).ok


def test_finer_steps_for_the_first_terms_beat_a_reserve_that_costs_more() -> None:
    """The shipped global portfolio holds every partner at its walk-away value and uses the
    risk budget to the last H100e: its terms admit no schedule in steps of 1,000 H100e
    within a step's value, and a reserve for rounding costs hundreds of millions. The same
    terms in steps of 100 H100e cost a few millions: the answer is in those, passes `check`
    against the real limits, and says what each way costs."""
    pf = load_portfolio(REPO / "deals" / "portfolios" / "global.yaml")
    result = solve(pf)
    assert result.solver.details["granularity_h100e"] == 100
    for deal in result.deals:
        assert all(x % 100 == 0 for x in deal.compute.values()), deal.compute
    assert check(pf, [d.package() for d in result.deals]).ok
    lost = result.solver.details["unrounded_objective"] - (result.objective or 0.0)
    assert 0 <= lost < 1e-4 * result.solver.details["unrounded_objective"]
    assert f"in the finer steps those terms cost ${lost / 1e6:,.1f}m" in result.message
    reserve = re.search(
        r"in reserve for rounding costs the United States \$([\d,.]+)m", result.message
    )
    assert reserve is not None, result.message
    assert float(reserve.group(1).replace(",", "")) * 1e6 > lost


def test_more_supply_never_rounds_to_much_less_value() -> None:
    """gulf-asia with 1,562.5 H100e more of 2027 supply: V before rounding rises, and so
    must V after it (give or take one declared step's value). The reserve for rounding cost
    $690m there and made the larger supply worth $636m less; the first terms in steps of
    100 H100e cost $0.4m."""
    pf = load_portfolio(REPO / "deals" / "portfolios" / "gulf-asia.yaml")
    less = solve(apply_overrides(pf, ["portfolio.supply.2027=995312.5"]))
    larger = apply_overrides(pf, ["portfolio.supply.2027=996875"])
    more = solve(larger)
    assert less.objective is not None and more.objective is not None
    assert more.solver.details["unrounded_objective"] > less.solver.details["unrounded_objective"]
    step_value = 4.2e6  # one step of 1,000 H100e of the most valuable compute here
    assert more.objective >= less.objective - step_value, more.message
    assert check(larger, [d.package() for d in more.deals]).ok


def test_a_reserve_solve_is_scheduled_on_the_real_limits() -> None:
    """tests/data/qa7an with a risk budget of 7,400: the first terms admit no schedule in
    whole units, so the portfolio is solved again with a reserve held back. That solve's
    terms are then put in whole steps against the real limits, not its smooth amounts
    rounded inside the reserve: $6.43bn (AA 95,000 + 100,000 H100e), not $6.39bn."""
    pf = apply_overrides(
        load_portfolio(DATA / "qa7an" / "two-years.yaml"), ["portfolio.risk_budget=7400"]
    )
    result = solve(pf)
    assert "held in reserve" in result.message
    assert result.objective is not None and result.objective >= 6.43e9 - 1.0
    assert result.solver.details["granularity_h100e"] == 1_000
    for deal in result.deals:
        assert all(x % 1_000 == 0 for x in deal.compute.values()), deal.compute
    assert check(pf, [d.package() for d in result.deals]).ok
    lost = result.solver.details["unrounded_objective"] - result.objective
    assert f"${lost / 1e6:,.1f}m" in result.message
