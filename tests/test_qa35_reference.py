"""qa35-reference: range concessions in whole steps, the frontiers, bargaining points and next
offers against references that read the YAML alone.

qa31/qa32-verify checked continuous portfolios, qa33-verify whole-step schedules without
ranges, qa34-verify the analysis layer. Here the generated portfolios combine what none of
them drew together: a range concession (docs/amounts.md: `min: 0`, or a `step` of USD 10bn)
in every partner beside levels and yes/no terms, steps of H100e or of B200 chips, a cap per
security level. The references are qa31-verify's (every discrete choice enumerated, compute
by LP in HiGHS) with each limit read in whole units, as the held frontier's curves end
(docs/model.md, "Compute in whole steps"), and qa33-verify's enumeration of every whole-step
schedule (and, for kalai and nash, every whole-step deal crossed under the shared limits).
None calls dealbench's optimizer.

Compared: us-best and partner-best (qa33-verify's promises); each partner's held frontier
(`all` and 5 points: each point the best V at its U and best U at its V, its Nash and
Kalai points on the curves) and zone; kalai's tau (the best in whole steps) and nash's
product (no better than the best in its step, finite where the grid gives every partner a
gain); the joint frontier (within one step's value of the best in whole steps); a counter
at USD 23bn, between levels and off the grid (both utilities, the kinds of limit broken,
the frontier point); four offers by each strategy against generated counters (ideal,
reservation value, the documented target, the package's partner utility and US value).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealbench.errors import InfeasibleError
from dealbench.model.load import load_portfolio
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate import frontier, record_counter, record_offer, zopas
from dealbench.optimize import solve
from dealbench.optimize.bargain.solve import GAIN_TOL
from dealbench.optimize.result import SolveResult
from helpers import (
    drawn_concession,
    drawn_step_files,
    drawn_step_partner,
    drawn_step_policy,
    quick,
    written,
)
from test_qa31_verify import (
    ABS,
    Reference,
    RModel,
    RPartner,
    assert_best_at,
    assert_checked,
    close,
    evaluate_ref,
    held_reference,
    read_model,
    zopa_reference,
)
from test_qa33_verify import (
    CHIP_TPP,
    H100_TPP,
    LEVELS,
    ROOM,
    Grid,
    StepReference,
    compare_steps,
    rate_of,
    read_grid,
    slack,
)

M = 25e6  # USD: the unit of the drawn money figures
KINDS = ("yes", "levels", "range", "step")
GRIDS: list[Any] = [1_000, {"chips": 256, "model": "B200"}, {"chips": 512, "model": "B200"}]


def _step_of(raw: Any) -> float:
    return raw["chips"] * CHIP_TPP[raw["model"]] / H100_TPP if isinstance(raw, dict) else raw


@st.composite
def ranged(draw: st.DrawFn) -> dict[str, Any]:
    """Files of a tiny portfolio in whole steps with a range concession in every partner."""
    nums = st.integers
    periods = draw(
        st.sampled_from([[2027], [2027, 2028], [2027, 2028, 2029], ["2027Q1", "2027Q2"]])
    )
    n = draw(nums(2, 4))
    raw = draw(st.sampled_from(GRIDS))
    step = _step_of(raw)
    most = max(1, min(6, round(1e5 ** (1 / (n * len(periods)))) - 2))
    per_year = 4 if "Q" in str(periods[0]) else 1

    def tier2_cap() -> float:
        return round(
            (draw(nums(0, most)) * step + draw(st.sampled_from([0, 0, 250, 777]))) * per_year
        )

    policy = drawn_step_policy(draw, LEVELS, tier2_cap, 60, M)
    partners = []
    for i in range(n):
        code = "P" + "ABCD"[i]
        kinds = [draw(st.sampled_from(["range", "step"]))]
        kinds += draw(st.lists(st.sampled_from(KINDS), max_size=1))
        concessions = [drawn_concession(draw, j, kind, M, 8, 10) for j, kind in enumerate(kinds)]
        partners.append(
            drawn_step_partner(draw, code, periods, step, most, concessions, (-8, 6), M)
        )
    return drawn_step_files(draw, policy, periods, partners, raw, step, most, LEVELS)


@dataclass
class WholeModel(RModel):
    """qa31-verify's reading with each deal's limit, min(ask, cap), in whole units (one
    H100e, or one chip): where the held frontier's curves end (docs/model.md)."""

    unit: float = 1.0

    def cap(self, p: RPartner, k: str, t: str) -> float:
        raw = super().cap(p, k, t)
        return raw if math.isinf(raw) else math.floor(raw / self.unit + 1e-9) * self.unit


def read_whole(path: Path, extra: dict[str, dict[str, list[float]]] | None = None) -> RModel:
    model = read_model(path, extra)
    grid: Grid = read_grid(path)
    whole = WholeModel(**{f: getattr(model, f) for f in model.__dataclass_fields__}, unit=grid.unit)
    return whole


# ----------------------------------------------------------------------------------------
# dealbench beside the references.


def held_of(model: RModel, pf: Portfolio, code: str, base: SolveResult) -> Reference:
    others = [d.package() for d in base.deals if d.partner != code]
    return held_reference(model, pf, code, others)


def compare_held(path: Path) -> None:
    """Each partner's held frontier (`all` and 5 points): every point checked, the
    reference's best V at its U and its best U at its V, limits in whole units; every
    partner's zone of agreement."""
    model, pf = read_whole(path), load_portfolio(path)
    base = solve(pf)
    for p in pf.partners:
        code = p.code
        held = held_of(model, pf, code, base)
        for points in ("all", 5):
            f = frontier(pf, code, points=points, base=base)  # type: ignore[arg-type]
            for point in f.points:
                assert_checked(pf, [*point.others, *([point.package] if point.package else [])])
                if point.label in ("nash", "kalai"):
                    continue  # (`compare_bargaining`)
                assert_best_at(held, code, point.us_utility, point.partner_utility)
                top = held.best_u(code, point.us_utility - ABS)
                assert top is not None and close(top.value, point.partner_utility), (point, top)
    for z in zopas(pf, base):
        exists, gain = zopa_reference(held_of(model, pf, z["partner"], base), z["partner"])
        assert z["exists"] == exists, (z, gain)
        assert close(z["largest_joint_gain"], gain), (z, gain)


def compare_solves(path: Path) -> None:
    """us-best and partner-best in whole steps against the whole-step enumeration: qa33-verify's
    promises, with ranges among the terms."""
    compare_steps(path)


def compare_held_bargaining(path: Path) -> None:
    """Each partner's held Nash and Kalai points (5 points and `all`): no package on the
    partner's curves gives both sides more (the points belong on the frontier)."""
    model, pf = read_whole(path), load_portfolio(path)
    base = solve(pf)
    for p in pf.partners:
        held = held_of(model, pf, p.code, base)
        for points in ("all", 5):
            f = frontier(pf, p.code, points=points, base=base)  # type: ignore[arg-type]
            for point in (f.nash, f.kalai):
                if point is None or point.package is None:
                    continue
                assert_best_at(held, p.code, point.us_utility, point.partner_utility)


# ----------------------------------------------------------------------------------------
# Faults the generated portfolios found (each kept as a file, reduced by hand; each test
# failed before its fix).

DATA = Path(__file__).parent / "data" / "qa35reference"


def test_partner_best_never_moves_a_step_over_the_cap_of_the_level_its_tie_breaks_to() -> None:
    """overcap: steps of 256 B200 chips, 582.11 H100e; PC's cap under kyc is 582 H100e, in
    whole chips 255 (579.86 H100e). partner-best gave PC one step under open, then broke the
    tie for the US by moving it to kyc (no security cost, less risk) with its 582.11 H100e:
    over the kyc cap by 0.11 H100e, inside `check`'s half an H100e of solver noise, so
    nothing said it. A step over a cap is no amount the grid allows (docs/model.md)."""
    path = DATA / "overcap" / "portfolio.yaml"
    pf, model = load_portfolio(path), read_whole(path)
    result = solve(pf, mode="partner-best")
    for deal in result.deals:
        p = model.partners[deal.partner]
        for t, x in deal.package().compute.items():
            assert x <= model.cap(p, deal.security, t) + 1e-6, (deal.partner, deal.security, x)
    pc = result.deal("PC")
    assert pc is not None and pc.package().compute["2027"] == pytest.approx(582.112178)
    assert pc.security == "open"


def test_the_held_nash_and_kalai_points_lie_on_the_curves_they_are_drawn_on() -> None:
    """nashlift: PA alone, 3,068 H100e of supply, steps of 1,000. `solve --mode nash` on PA
    gives kyc, c1=a, 3,000 H100e (V $50.2m, U -$0.53m); the held curves run to 3,068 H100e
    (the supply left, in whole H100e), where the same terms give V $50.77m and U -$0.19m.
    The 5-point frontier showed the rounded package as its Nash point, under a package
    the `all` frontier lists; kalai likewise (V $57.38m). Both are now lifted to the
    curves at their US value, and `--points 5` and `--points all` agree on them."""
    path = DATA / "nashlift" / "portfolio.yaml"
    pf, model = load_portfolio(path), read_whole(path)
    base = solve(pf)
    held = held_of(model, pf, "PA", base)
    marks = []
    for points in (5, "all"):
        f = frontier(pf, "PA", points=points, base=base)  # type: ignore[arg-type]
        assert f.nash is not None and f.kalai is not None
        for point in (f.nash, f.kalai):
            assert_best_at(held, "PA", point.us_utility, point.partner_utility)
        marks.append((f.nash.us_utility, f.nash.partner_utility, f.kalai.us_utility))
        assert f.bargaining["kalai"]["tau"] == pytest.approx(
            min(
                (f.kalai.us_utility - f.no_deal.us_utility)
                / (f.us_best.us_utility - f.no_deal.us_utility),
                (f.kalai.partner_utility - f.no_deal.partner_utility)
                / (f.partner_best.partner_utility - f.no_deal.partner_utility),
            )
        )
    assert marks[0] == pytest.approx(marks[1])
    assert marks[0][:2] == pytest.approx((50_771_200, -190_000))


# ----------------------------------------------------------------------------------------
# Bargaining in whole steps: every schedule of every choice, crossed under the shared limits.


@dataclass
class Rows:
    """Every whole-step deal of one partner: compute per period, risk, each side's gain."""

    x: np.ndarray
    risk: np.ndarray
    gv: np.ndarray
    gu: np.ndarray


def rows_of(ref: StepReference, code: str) -> Rows:
    """All of a partner's whole-step deals (every choice), gains over its walk-away values."""
    p = ref.m.partners[code]
    tables = [ref.table(p, ch) for ch in p.choices]
    n = len(ref.m.periods)
    return Rows(
        np.concatenate([t.x for t in tables]) if tables else np.zeros((0, n)),
        np.concatenate([t.risk for t in tables]) if tables else np.zeros(0),
        np.concatenate([t.v for t in tables]) - p.us_batna if tables else np.zeros(0),
        np.concatenate([t.u for t in tables]) - p.batna if tables else np.zeros(0),
    )


def whole_ideals(model: RModel, grid: Grid) -> dict[str, tuple[float, float]]:
    """Each partner alone, in whole steps: the most the US gains, and the most the partner
    gains with the US no worse off; only partners with both above USD 1,000."""
    out = {}
    for code in model.partners:
        rows = rows_of(StepReference(model, grid.step, grid.unit), code)
        if not len(rows.gv):
            continue
        gv = float(rows.gv.max())
        ok = rows.gv >= -1.0
        gu = float(rows.gu[ok].max()) if ok.any() else -math.inf
        if gv > GAIN_TOL and gu > GAIN_TOL:
            out[code] = (gv, gu)
    return out


def best_crossed(ref: StepReference, codes: list[str], score: Any, join: Any) -> float:
    """max of `join` over the partners' `score(rows)` (each partner a deal), under supply
    and the risk budget: states of equal use merged, the best kept."""
    n = len(ref.m.periods)
    used, risk, value = np.zeros((1, n)), np.zeros(1), np.array([np.nan])
    for code in codes:
        rows = rows_of(ref, code)
        s = score(code, rows)
        keep = np.isfinite(s)
        if not keep.any():
            return -math.inf
        x, r, s = rows.x[keep], rows.risk[keep], s[keep]
        used = (used[:, None, :] + x[None, :, :]).reshape(-1, n)
        risk = (risk[:, None] + r[None, :]).ravel()
        value = join(value[:, None], s[None, :]).ravel()
        ok = (used <= ref.supply + ROOM).all(axis=1)
        if ref.budget is not None:
            ok &= risk <= ref.budget + ROOM
        used, risk, value = used[ok], risk[ok], value[ok]
        if not len(value):
            return -math.inf
        order = np.lexsort((-value, risk, *used.T[::-1]))
        used, risk, value = used[order], risk[order], value[order]
        first = np.ones(len(value), bool)
        first[1:] = (np.abs(np.diff(used, axis=0)).max(axis=1) > 1e-9) | (
            np.abs(np.diff(risk)) > 1e-9
        )
        used, risk, value = used[first], risk[first], value[first]
    return float(value.max())


def _min(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(a), b, np.minimum(a, b))


def _sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(a), b, a + b)


def whole_kalai(model: RModel, grid: Grid) -> float:
    """The best tau in whole steps, each share of the ideal in whole steps."""
    ideal = whole_ideals(model, grid)
    if not ideal:
        return 1.0
    ref = StepReference(model, grid.step, grid.unit)

    def share(code: str, rows: Rows) -> np.ndarray:
        iv, iu = ideal[code]
        return np.minimum(rows.gv / iv, rows.gu / iu)

    return max(0.0, best_crossed(ref, sorted(ideal), share, _min))


def whole_nash(model: RModel, grid: Grid, zone: list[str]) -> float:
    """The best log Nash product (gains in USD bn) in whole steps over the partners `zone`."""
    ref = StepReference(model, grid.step, grid.unit)

    def logs(code: str, rows: Rows) -> np.ndarray:
        ok = (rows.gv > 0) & (rows.gu > 0)
        out = np.full(len(rows.gv), -np.inf)
        out[ok] = np.log(rows.gv[ok] / 1e9) + np.log(rows.gu[ok] / 1e9)
        return out

    return best_crossed(ref, zone, logs, _sum)


def compare_bargaining(path: Path) -> None:
    """kalai's tau (solved in the declared step, ideals in it too) and the least share of its
    packages: the enumeration's best in whole steps. nash's packages (continuous, then put on
    the grid): passing `check`, their product no better than the best in their step and
    within the stated bound of the continuous best (limits in whole units)."""
    model, pf, grid = read_whole(path), load_portfolio(path), read_grid(path)
    kalai = solve(pf, mode="kalai")
    assert_checked(pf, [d.package() for d in kalai.deals])
    if kalai.solver.details.get("granularity_h100e") == grid.step:
        best = whole_kalai(model, grid)
        assert kalai.objective == pytest.approx(best, rel=1e-6, abs=1e-6), (kalai.message, best)
    nash = solve(pf, mode="nash")
    packages = [d.package() for d in nash.deals]
    assert_checked(pf, packages)
    zone = sorted(d.partner for d in nash.deals)
    if not zone or nash.solver.details.get("partners_left_without_gain"):
        return
    found = log_product(model, packages)
    top = Reference(model, partners=zone).nash(zone)
    assert found <= top + 1e-6
    if nash.solver.details.get("granularity_h100e") == grid.step:
        best = whole_nash(model, grid, zone)
        assert found <= best + 1e-6
        # No bound on what rounding the continuous point loses is stated (docs/frontier.md);
        # but where the grid gives every partner a gain, the rounded point does too.
        assert math.isfinite(found) or not math.isfinite(best), (nash.message, best)


def log_product(model: RModel, packages: list[Package]) -> float:
    """The packages' log Nash product (gains in USD bn); -inf when a side gains nothing."""
    total = 0.0
    for pkg in packages:
        p = model.partners[pkg.partner]
        v, u, _, _ = evaluate_ref(model, pkg)
        if min(v - p.us_batna, u - p.batna) <= 0:
            return -math.inf
        total += math.log((v - p.us_batna) / 1e9) + math.log((u - p.batna) / 1e9)
    return total


def test_kalai_keeps_its_point_at_a_limit_in_whole_chips() -> None:
    """kalaitop: steps of 256 B200 chips (582.11 H100e). kalai, solved in those steps, gives
    PB its ask in whole chips (1,243 chips, 2,826.427489 H100e) and PC two steps: tau
    0.5801, the enumeration's best. Putting that point on the grid again read PB's amount
    to a thousandth (2,826.427, a hair under its limit) and took it down to four steps:
    tau 0.4102, "before whole steps 0.5801". A point already in whole steps is kept."""
    path = DATA / "kalaitop" / "portfolio.yaml"
    model, grid = read_whole(path), read_grid(path)
    result = solve(load_portfolio(path), mode="kalai")
    best = whole_kalai(model, grid)
    assert best == pytest.approx(0.58009142, abs=1e-7)
    assert result.objective == pytest.approx(best, rel=1e-6)
    pb = result.deal("PB")
    assert pb is not None and pb.package().compute["2027"] == pytest.approx(1_243 * grid.unit)


# ----------------------------------------------------------------------------------------
# A counter naming an amount between levels: the verdict's figures.


def broken(model: RModel, pkg: Package, sleeve: float = 0.5) -> set[str]:
    """The kinds of limit a package alone breaks, from the YAML: caps (tier 3's nothing
    included), asks, `requires`/`excludes`, the partner's walk-away value and margin,
    supply and the risk budget (no deal concluded). `sleeve`: H100e of noise forgiven."""
    p = model.partners[pkg.partner]
    kinds: set[str] = set()
    unasked = dataclasses.replace(p, ask=dict.fromkeys(model.periods, math.inf))
    for t, x in pkg.compute.items():
        if x > p.ask.get(t, 0.0) + sleeve:
            kinds.add("ask")
        if x > RModel.cap(model, unasked, pkg.security, t) + sleeve:  # the cap alone
            kinds.add("tier3" if p.tier == 3 else "cap")
        if x > model.supply[t] + sleeve:
            kinds.add("supply")
    order = list(model.levels)
    granted = {cid for cid, g in pkg.concessions.items() if g is not False}
    for cid, _, requires, excludes in p.menus:
        if cid not in granted:
            continue
        for need in requires:
            if isinstance(need, dict):
                if order.index(pkg.security) < order.index(need["security"]):
                    kinds.add("requires")
            elif need not in granted:
                kinds.add("requires")
        if any(e in granted for e in excludes):
            kinds.add("excludes")
    _, _, risk, accepts = evaluate_ref(model, pkg)
    if not accepts:
        kinds.add("acceptance")
    if model.budget is not None and risk > model.budget + sleeve:
        kinds.add("risk-budget")
    return kinds


def alone_model(model: RModel, code: str) -> RModel:
    """The model with `code` its only partner (the others' negotiations left out)."""
    return dataclasses.replace(model, partners={code: model.partners[code]})


def compare_counter(path: Path, rounds: Path, scale: float) -> None:
    """The first partner with a deal in the optimum counters with its terms, compute scaled
    by `scale` and its range concession at USD 23bn: both utilities, the broken limits and
    the frontier point (the US-best package at the counter's U, the partner alone, the
    counter's amount among the grid's) against the references."""
    pf = load_portfolio(path)
    base = solve(pf)
    deal = next(iter(base.deals), None)  # (every partner's c0 is a range)
    if deal is None:
        return
    code = deal.partner
    offer = deal.package()
    terms = {**offer.concessions, "c0": "23bn"}
    counter = offer.model_copy(
        update={
            "compute": {t: float(round(x * scale)) for t, x in offer.compute.items()},
            "concessions": terms,
        }
    )
    model = read_whole(path, extra={code: {"c0": [23e9]}})
    grid = read_grid(path)
    v, u, _, _ = evaluate_ref(model, counter)
    answer = record_counter(pf, rounds, code, counter).verdict
    assert close(answer.us_utility, v) and close(answer.partner_utility, u), (answer, v, u)
    said = {limit.kind for limit in answer.violations}
    assert said == broken(model, counter), (said, [x.message for x in answer.violations])
    gap = answer.frontier
    threshold = model.partners[code].batna + model.margin
    ref = StepReference(alone_model(model, code), grid.step, grid.unit)
    best = ref.best(required=(code,), u_floor=(code, max(u, threshold) - 1.0))
    cont = Reference(alone_model(model, code)).best_v(floor=(code, max(u, threshold) - ABS))
    keeps = not said
    if keeps:
        assert gap.gain >= -1.0 and gap.us_utility >= v - 1.0, gap
    if best is None and cont is None:
        assert gap.package is None or keeps, gap
        return
    top = max([v] if keeps else [], default=-math.inf)
    if cont is not None:
        top = max(top, cont.us)
    assert gap.us_utility <= top + slack(top), (gap, top)
    if gap.package is not None and gap.package != counter:
        assert_checked(pf, [gap.package])
        figures = evaluate_ref(model, gap.package)
        assert close(figures[0], gap.us_utility) and figures[1] >= max(u, threshold) - ABS
    if best is not None:
        rate = max(abs(model.rate(model.partners[code], k)[0]) for k in model.levels)
        least = best[0] - grid.step * rate - 0.1 * 1e-6 * abs(best[0])
        assert gap.us_utility >= least - slack(least), (gap, best)


# ----------------------------------------------------------------------------------------
# The joint frontier in whole steps.


def compare_joint(path: Path) -> None:
    """The first partner's joint frontier (4 points, one process): every point passes
    `check`; in the declared step its V is no more than the enumeration's best in whole
    steps at its U, and no less than that best less one step's value (us-best's promise:
    each point is a solve of the whole portfolio with the partner's utility floored);
    the no-deal point is the best without the partner, within the same promise."""
    model, pf, grid = read_model(path), load_portfolio(path), read_grid(path)
    base = solve(pf)
    code = pf.partners[0].code
    f = frontier(pf, code, points=4, jointly=True, jobs=1, base=base)
    ref = StepReference(model, grid.step, grid.unit)
    for point in [*f.points, f.us_best, f.partner_best]:
        packages = [*point.others, *([point.package] if point.package else [])]
        assert_checked(pf, packages)
        if point.package is None or point.step_h100e != grid.step:
            continue
        best = ref.best(required=(code,), u_floor=(code, point.partner_utility - 1.0))
        assert best is not None, point
        assert point.us_utility <= best[0] + slack(best[0]), (point, best)
        rate = max(abs(rate_of(model, k)) for k in packages)
        least = best[0] - grid.step * rate - 0.1 * 1e-6 * abs(best[0])
        assert point.us_utility >= least - slack(least), (point.label, point.us_utility, best)


# ----------------------------------------------------------------------------------------
# Next offers on generated rounds.

BETA = {"boulware": 0.2, "linear": 1.0, "conceder": 5.0}
DEADLINE = 3


def formula(ideal: float, reservation: float, j: int, deadline: int, beta: float) -> float:
    """docs/negotiation.md: ideal - (ideal - reservation) * min(1, j/T) ** (1/beta)."""
    return ideal - (ideal - reservation) * min(1.0, j / deadline) ** (1 / beta)


def held_apart(model: RModel, grid: Grid, code: str, others: list[Package]) -> StepReference:
    """The partner alone beside the other deals held (partners without one left out: their
    walk-away values are no part of the deal's V_p)."""
    kept = {code, *(k.partner for k in others)}
    apart = dataclasses.replace(model, partners={c: model.partners[c] for c in kept})
    return StepReference(apart, grid.step, grid.unit, held=others)


def compare_offers(path: Path, rounds: Path, strategy: str) -> None:
    """Four US offers by `strategy` (deadline 3) to the first partner with a deal, each
    answered by a counter (the offer with a quarter more compute and the range at USD
    23bn). Each offer: the ideal the reference's best V_p in whole steps beside the others
    held at the plan (within one step's value), the reservation value no less than the
    partner's `us_batna`, the target the documented formula of the recorded ends (or
    raised to the partner's counter, as the reason says) and never below the reservation
    value; the package gives the US at least the target, passes `check` beside the
    others, gives the partner the most any whole-step package at that target does (within
    one step of the partner's highest value), and the US the most at that partner utility
    (within one step's value)."""
    pf, model, grid = load_portfolio(path), read_whole(path), read_grid(path)
    base = solve(pf)
    deal = next(iter(base.deals), None)
    if deal is None:
        return
    code = deal.partner
    p = model.partners[code]
    others = [d.package() for d in base.deals if d.partner != code]
    ref = held_apart(model, grid, code, others)
    rate = max(abs(model.rate(p, k)[0]) for k in p.security)
    step_v = grid.step * rate + 1e-7 * abs(base.us_value or 0.0)
    step_u = grid.step * p.segments[0][1]
    best = ref.best(required=(code,))
    cont = held_reference(model, pf, code, others)
    for j in range(4):
        try:
            made = record_offer(
                pf, rounds, code, strategy=strategy, deadline=DEADLINE if strategy in BETA else None
            )
        except InfeasibleError:
            assert best is None or best[0] - ref.held_v < p.us_batna + step_v, best
            return
        offer = made.proposal
        assert offer is not None
        s = offer.strategy
        ideal, reserve, target = s.ideal_us_utility, s.reservation_us_utility, s.target_us_utility
        assert ideal is not None and reserve is not None and target is not None
        assert best is not None
        top = best[0] - ref.held_v
        most_v = cont.best_v()
        assert most_v is not None
        roof = most_v.us - cont.held_v  # continuous: the plan may keep a finer step
        assert top - step_v - slack(top) <= ideal <= roof + slack(roof), (ideal, top, roof)
        assert reserve >= p.us_batna - 0.01
        assert target >= reserve - 0.01, s
        if strategy in BETA:
            planned = formula(ideal, reserve, j, DEADLINE, BETA[strategy])
            if "counter" in (s.reason or "") and target > planned + 0.01:
                assert target <= ideal + 0.01, s
            else:
                assert target == pytest.approx(planned, abs=0.01), (j, s)
        else:
            assert target <= ideal + 0.01, s
        package = offer.package
        assert_checked(pf, [*others, package])
        v, u, _, accepts = evaluate_ref(model, package)
        assert accepts and v >= target - 1e3, (v, target)
        if s.fixed or offer.figures.us_value < target - 1e3:
            continue
        roof_u = cont.best_u(code, cont.held_v + target - ABS)
        assert roof_u is not None and u <= roof_u.value + slack(roof_u.value), (u, roof_u)
        most = ref.best(v_floor=ref.held_v + target - 1.0, required=(code,))
        if most is not None:  # (none: only finer amounts reach the target)
            assert u >= most[1] - step_u - slack(most[1]), (u, most, s.reason)
        at_u = ref.best(required=(code,), u_floor=(code, u - 1.0))
        if at_u is not None:  # (none: the offer's U needs finer amounts)
            assert v >= at_u[0] - ref.held_v - step_v - slack(v), (v, at_u, s.reason)
        record_counter(pf, rounds, code, asking_more(package))


def asking_more(package: Package) -> Package:
    """The partner's counter: a quarter more compute, and the range concession at USD 23bn
    where the offer asked for more of it (else left out: less asked of the partner)."""
    terms = {c: g for c, g in package.concessions.items() if c != "c0"}
    granted = package.concessions.get("c0")
    if isinstance(granted, str) and granted.endswith("bn") and float(granted[:-2]) > 23:
        terms["c0"] = "23bn"
    return package.model_copy(
        update={
            "compute": {t: float(round(x * 1.25)) for t, x in package.compute.items()},
            "concessions": terms,
        }
    )


def _linear_rounds(path: Path, rounds: Path, offers: int) -> list[Any]:
    """`offers` linear offers (deadline 3) to the portfolio's one partner, each answered by
    `asking_more`'s counter; the offers' proposals."""
    pf = load_portfolio(path)
    code = pf.partners[0].code
    made = []
    for _ in range(offers):
        offer = record_offer(pf, rounds, code, strategy="linear", deadline=DEADLINE)
        assert offer.proposal is not None
        made.append(offer.proposal)
        record_counter(pf, rounds, code, asking_more(offer.proposal.package))
    return made


def test_a_counter_over_the_whole_supply_does_not_hold_the_offers_at_its_worth(
    tmp_path: Path,
) -> None:
    """oversupply: PA alone, 3,137 H100e of supply. Linear's second offer (kyc, 3,000 H100e,
    c1=60bn) gave the US $125.2m; PA countered with 3,750 H100e, more than the whole supply
    (no deal concluded): it can never be concluded. The third offer's target was raised to
    the counter's worth, $131.5m ("accept it (dealbench conclude)"), and the offer refused
    as a retreat (PA -$81.8m where the last gave -$69.3m). Weighed as a counter that breaks
    a limit, as beside a concluded deal: no offer above our last offer's US value."""
    made = _linear_rounds(DATA / "oversupply" / "portfolio.yaml", tmp_path / "r", 3)
    second, third = made[1], made[2]
    assert third.strategy.target_us_utility is not None
    assert third.strategy.target_us_utility <= second.figures.us_value + 0.01
    assert "breaks a limit" in (third.strategy.reason or "")
    assert third.figures.partner_utility >= second.figures.partner_utility - 1.0


def test_a_lower_target_never_offers_less_to_both_sides_than_the_last_offer(
    tmp_path: Path,
) -> None:
    """stepback: PB alone, 698 H100e of supply, steps of 256 B200 chips (582.11 H100e).
    Linear's first offer, at the ideal, is 300 chips (a finer step: US $5.99m, PB $3.41m);
    its second, at a lower target ($3.41m), rounded to the declared step: 256 chips, US
    $5.11m, PB $2.91m, less for both sides, and refused as a retreat. Our last offer still
    fits, so it is a candidate, as the plan's package is."""
    made = _linear_rounds(DATA / "stepback" / "portfolio.yaml", tmp_path / "r", 2)
    first, second = made
    assert second.strategy.target_us_utility < first.strategy.target_us_utility
    assert second.figures.partner_utility >= first.figures.partner_utility - 1.0
    assert second.figures.us_value >= second.strategy.target_us_utility - 1.0


# ----------------------------------------------------------------------------------------
# The generated portfolios (derandomized; about a minute and a half in all).


@quick(12)
@given(files=ranged())
def test_generated_solves_with_ranges_in_whole_steps_keep_the_docs_promise(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_solves(written(files, tmp_path_factory.mktemp("gen")))


@quick(10)
@given(files=ranged())
def test_generated_held_frontiers_zones_and_bargaining_points_lie_on_the_curves(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = written(files, tmp_path_factory.mktemp("gen"))
    compare_held(path)
    compare_held_bargaining(path)


@quick(10)
@given(files=ranged())
def test_generated_kalai_and_nash_in_whole_steps_equal_the_enumeration(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_bargaining(written(files, tmp_path_factory.mktemp("gen")))


@quick(6)
@given(files=ranged())
def test_generated_joint_frontier_points_keep_us_bests_promise(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_joint(written(files, tmp_path_factory.mktemp("gen")))


@quick(8)
@given(files=ranged(), scale=st.sampled_from([0.8, 1.0, 1.3]))
def test_generated_counters_between_levels_get_the_references_verdict_figures(
    files: dict[str, Any], scale: float, tmp_path_factory: pytest.TempPathFactory
) -> None:
    where = tmp_path_factory.mktemp("gen")
    compare_counter(written(files, where), where / "rounds", scale)


@quick(8)
@given(files=ranged(), strategy=st.sampled_from(["boulware", "linear", "conceder", "zeuthen"]))
def test_generated_next_offers_follow_the_formula_and_the_frontier(
    files: dict[str, Any], strategy: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    where = tmp_path_factory.mktemp("gen")
    compare_offers(written(files, where), where / "rounds", strategy)
