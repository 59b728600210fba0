"""A tenth pass on the optimizer (qa10-opt): compute in whole steps, on inputs no one here
wrote (tests/data/qa10opt/), against the independent reference (tests/qa7_reference.py:
its own YAML reading and DESIGN.md's model in PuLP, nothing of dealbench).
"""

from __future__ import annotations

import math
from functools import cache

import pytest

import qa7_reference as ref
from dealbench import load_portfolio, solve
from dealbench.checker import check
from dealbench.model import Package, Portfolio
from dealbench.optimize import SolveResult, SolverInfo, Status
from dealbench.optimize.schedule.signable import Scheduled, schedule
from helpers import DATA, invoke, reference_packages

QA10 = DATA / "qa10opt"


@cache
def portfolio(name: str) -> Portfolio:
    return load_portfolio(QA10 / f"{name}.yaml")


@cache
def spec(name: str) -> ref.Spec:
    return ref.load(QA10 / f"{name}.yaml")


@cache
def solved(name: str, mode: str = "us-best") -> SolveResult:
    return solve(portfolio(name), mode, gap=1e-9)  # type: ignore[arg-type]


def _printed_holds(name: str, result: SolveResult) -> None:
    """The packages printed break no limit (the reference's reading) and are worth what
    the result says."""
    deals = reference_packages(result)
    assert ref.violations(spec(name), deals) == []
    v, u = ref.portfolio_value(spec(name), deals)
    assert result.us_value == pytest.approx(v, abs=1e3)
    assert result.partner_total == pytest.approx(u, abs=1e3)


# --- a bargaining point in whole steps keeps every partner's gain ------------------------


def _point(name: str, amounts: dict[str, tuple[str, list[float], bool]]) -> list[Package]:
    """A bargaining point's packages: partner -> (level, compute per period, buys)."""
    periods = portfolio(name).periods
    return [
        Package(
            partner=code,
            security=level,
            compute=dict(zip(periods, compute, strict=True)),
            concessions={"buy": True} if buys else {},
        )
        for code, (level, compute, buys) in amounts.items()
    ]


def _rounded(name: str, packages: list[Package]) -> dict[str, dict[str, float]]:
    """The point put on the grid as solved (`solve --mode nash|kalai` when it is solved
    continuously), checked."""
    scheduled = schedule(portfolio(name), "us-best", packages, keep_shape=True)
    assert scheduled.step == 1_000, scheduled.note
    assert check(portfolio(name), scheduled.packages).ok
    return {p.partner: dict(p.compute) for p in scheduled.packages}


def test_a_bargaining_point_may_lose_a_steps_value_per_amount_when_rounded() -> None:
    """lumpy (supply used up in every year, steps of 1,000): the continuous Nash point gives
    AA 0 / 506 / 20,000 H100e. Rounded, AA had nothing, its gains were 0 and the log Nash
    product -inf ("a partner with a zone of agreement ends with no gain: no bound"); kalai's
    tau fell from 0.0749 to 0.0285. The rounding was held to one step's value of V in all,
    so it moved compute to the deals worth most to the US; a bargaining point may lose a
    step's value per amount, as moving each amount by less than a step does (documented)."""
    point = _point(
        "lumpy",
        {
            "AA": ("kyc", [0.0, 506.302304, 20_000.0], False),
            "BB": ("kyc", [2_487.268102, 24_069.657816, 13_964.0], True),
            "CC": ("kyc", [20_000.0, 11_916.039879, 0.0], True),
            "DD": ("kyc", [12_386.731898, 0.0, 0.0], False),
        },
    )
    rounded = _rounded("lumpy", point)
    assert rounded["AA"]["2028"] == 20_000


def test_a_bargaining_point_is_rounded_to_its_closest_schedule_not_a_steadier_one() -> None:
    """quarters (two quarters of odd supply, steps of 1,000): the continuous Kalai point
    gives HD 2,266 / 0 H100e (tau 0.2266). No rounding by largest remainders keeps every
    partner accepting, so the closest schedule in steps is searched; it counted the change
    between periods as well as the distance, so HD at 0 / 0 (no change) was as close as
    2,000 / 0, and HD's share fell to 0 ("every share is at least tau = 0.0000", where the
    reference's best tau in whole steps is 0.2000). A bargaining point's own amounts are
    measured by distance alone (they need not be smooth)."""
    point = _point(
        "quarters",
        {
            "EA": ("baseline", [20_000.0, 16_013.17777], True),
            "FB": ("baseline", [10_333.0, 8_594.283931], True),
            "GC": ("baseline", [17_067.068571, 23_305.738299], True),
            "HD": ("baseline", [2_265.531429, 0.0], False),
        },
    )
    assert _rounded("quarters", point)["HD"] == {"2026Q1": 2_000, "2026Q2": 0}


@pytest.mark.parametrize("name", ["lumpy", "quarters"])
def test_bargaining_points_are_as_good_as_the_references_in_whole_steps(name: str) -> None:
    """kalai's tau at least the reference's best in whole steps (lumpy 0.0716, quarters
    0.2000); nash's log-product finite, and its stated bound holds against the reference's
    best in whole steps."""
    kalai = solved(name, "kalai")
    _printed_holds(name, kalai)
    tau, _ = ref.kalai(spec(name), steps=True)
    assert kalai.objective is not None and kalai.objective >= tau - 1e-6
    nash = solved(name, "nash")
    _printed_holds(name, nash)
    best, _, _ = ref.nash(spec(name), steps=True, rounds=4)
    assert nash.objective is not None and math.isfinite(nash.objective)
    assert best <= nash.objective + nash.solver.details["log_error_bound"] + 1e-6


def test_kalai_is_solved_in_the_declared_step() -> None:
    """ranges (range concessions, a risk budget, steps of 1,000): kalai's continuous point
    has tau 0.4666; put on the grid afterwards it kept 0.3824, where the reference's best
    tau in whole steps is 0.4583. kalai is now solved in the declared step (the plain
    model's whole steps), so tau is the best in steps and no rounding moves it."""
    result = solved("ranges", "kalai")
    _printed_holds("ranges", result)
    tau, _ = ref.kalai(spec("ranges"), steps=True)
    assert tau == pytest.approx(0.4583, abs=1e-4)
    assert result.objective is not None and result.objective >= tau - 1e-6
    assert "exact within the gap (every share at least tau = 0.4583)" in result.message


# --- a hair below a step is the step only where the shared limits have it ---------------


def test_an_amount_a_hair_below_a_step_is_not_rounded_up_past_supply() -> None:
    """ranges, a continuous Nash point: IA 84,000 and JB 41,999 H100e in 2026, whose supply
    is 125,999. The rounding takes an amount within a thousandth of a step below it as that
    step (LP noise), so JB's 41,999 became 42,000 and supply was overrun by one H100e; the
    independent check refused the schedule and `solve --mode nash` printed the unrounded
    amounts under "The schedule in whole steps failed the independent check ()". The hair
    is now the step only where supply and the risk budget have it."""
    packages = [
        Package(partner="IA", security="veu", compute={"2026": 84_000.0, "2027": 4_250.0}),
        Package(
            partner="JB",
            security="veu",
            compute={"2026": 41_999.0, "2027": 67_964.768116},
            concessions={"align": "hi"},
        ),
    ]
    rounded = _rounded("ranges", packages)
    assert rounded["JB"]["2026"] == 41_000


def test_a_schedule_the_check_refuses_is_said_with_what_it_breaks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the schedule in steps fails the independent check, the note named the problems
    of the unrounded packages shown instead (none: "failed the independent check ()")."""
    import dealbench.optimize.finish as finish

    def overrun(pf: Portfolio, mode: str, packages: list[Package], **_: object) -> Scheduled:
        bad = [p.model_copy(update={"compute": {"2026": 70_000.0}}) for p in packages]
        return Scheduled(bad, 1_000.0)

    monkeypatch.setattr(finish, "schedule", overrun)
    packages = [
        Package(partner="KA", security="baseline", compute={"2026": 84_000.0}),
        Package(partner="KB", security="baseline", compute={"2026": 41_999.0}),
    ]
    info = SolverInfo(name="highs", version="test", seconds=0.0, gap=0.0)
    result = finish.finish(portfolio("snap"), "us-best", Status.OPTIMAL, info, packages)
    assert "failed the independent check (supply in 2026: 140,000 H100e allocated" in (
        result.message
    )
    assert result.deal("KB") is not None and result.deal("KB").compute == {"2026": 41_999}


# --- "why no deal" names a raise that opens one, or says it does not -------------------


def test_a_raise_that_would_not_open_a_deal_is_not_said_to() -> None:
    """room: LA's best package alone needs 42,668 H100e more supply in 2026 and 34,000 more
    in 2027 (it walks away to $3.42bn). "Why no deal" said that raise "makes room for it",
    no smaller raise being found; re-solved with it, MB (worth more) grows into 2027's
    raise and LA still has no deal. It now says so."""
    pf = portfolio("room")
    wider = pf.model_copy(update={"supply": {"2026": 149_333 + 42_668, "2027": 68_000}})
    assert solve(wider, gap=1e-9).deal("LA") is None
    run = invoke(["solve", QA10 / "room.yaml"])
    assert run.exit_code == 0, run.output
    said = " ".join(run.stdout.split())
    assert (
        "raising supply by 42,668 H100e in 2026 and 34,000 H100e in 2027 (what its best "
        "package needs) does not open a deal: re-solved, the other deals take that room too"
    ) in said
    assert "makes room for it" not in said
