"""The exact decomposition: a Dantzig–Wolfe bound, then two restricted MIPs.

1. `blocks`: every (partner, level) with its concession sets (Pareto lists).
2. Column generation (`master`): the Dantzig–Wolfe bound L — the LP over each
   partner's convex hull, coupled only by supply, risk and (partner-best) the
   US floor — and its duals.
3. Reduced costs at those duals: any portfolio is worth at most
   L + sum_p rc_p, where rc_p <= 0 is how far partner p's deal (or no deal)
   falls short of its best priced option. A portfolio beating an incumbent LB
   by more than half the gap therefore uses only options with
   rc >= -(L - LB - gap|LB|/2): the candidates.
4. An incumbent: the previous packages (warm start) when still feasible, else
   a restricted MIP (`restricted`) over about MIP_SETS_PER_PARTNER sets per
   partner with the best reduced costs, stopped as soon as it is within the gap
   of L. When the DW bound is not tight (the optimum lies measurably below L),
   the best portfolio usually moves a few partners to sets outside that
   selection, so a second, widened restricted MIP adds each partner's
   alternatives (its next-best sets, and its best sets were supply or risk
   dearer or cheaper) and starts from the first. The proof takes 0.5 s from the
   optimum and 12-35 s from 5e-4 below it on M: a better start is most of the work.
   Both rounds run on the model with the periods of equal supply price merged
   (`coarse`), a smaller relaxation; their portfolios are lifted back into
   periods, or the round runs again on the full model when that fails.
5. The proof: a restricted MIP over every candidate, from that incumbent. The
   bound reported is min(L, max(its bound, L - threshold)): what the MIP did not
   cover is covered by the reduced-cost argument. The same argument makes an
   incumbent round a proof when its optimum lies further below L than the
   least reduced cost it took (L seeds 2 and 3, XL, M seeds 2, 4 and 5): then
   the proof round does not run. With periods merged, the proof runs first on
   the merged model (a relaxation, so its bound holds too), and on the full
   model only when that did not prove the incumbent. Before it, the problem is
   split on the partners the root LP takes in part (`probe`): halves that cannot
   beat the incumbent are set aside, and the proof searches only the sets the
   halves left allow, from the largest of their bounds.

Every restricted MIP carries, per block, the compute-cost row of `restricted`,
so its LP relaxation is as tight as the master's: HiGHS starts from L, not from
the weaker bound of the plain chain formulation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from dealbench.errors import SolverError
from dealbench.optimize.decomposition.blocks import F64, I64, Blocks, distinct
from dealbench.optimize.decomposition.choice import Choice
from dealbench.optimize.decomposition.coarse import Coarse, coarsen, lift
from dealbench.optimize.decomposition.master import Master, generate_columns
from dealbench.optimize.decomposition.pricing import Duals, Pricing, price
from dealbench.optimize.decomposition.probe import narrow
from dealbench.optimize.decomposition.restricted import MipOutcome, solve_restricted

#: The first restricted MIP looks for an incumbent among about this many
#: concession sets per partner (those with the best reduced costs).
MIP_SETS_PER_PARTNER = 4

#: The widened round adds, per partner, its best WIDEN_TOP sets by reduced cost
#: and its best set at the duals times each of PRICE_SCALES.
WIDEN_TOP = 3
PRICE_SCALES = (0.5, 0.8, 1.25, 1.6, 2.5)
WIDENED_GAP = 1e-5


@dataclass
class Outcome:
    status: str  # optimal | time-limit | infeasible-lp (the floor cannot be met)
    choices: list[Choice] = field(default_factory=list)
    value: float | None = None  # objective, model units
    bound: float | None = None
    duals: Duals | None = None
    stats: dict[str, float] = field(default_factory=dict)
    columns: list[tuple[int, int]] = field(default_factory=list)  # sets the root LP used

    @property
    def gap(self) -> float | None:
        if self.value is None or self.bound is None:
            return None
        return relative_gap(self.value, self.bound)

    def offer(self, choices: list[Choice], value: float) -> None:
        """Keep a portfolio if it beats the incumbent."""
        if self.value is None or value > self.value:
            self.value, self.choices = value, choices


def good_enough(bound: float, gap: float) -> float:
    """The least value within `gap` of `bound` (by `relative_gap`, with a margin)."""
    gap *= 0.99
    return bound / (1 + gap) if bound >= 0 else bound / (1 - gap)


#: HiGHS stops a MIP whose bound is within this of its incumbent, whatever the relative
#: gap (its `mip_abs_gap`, model units: USD 1,000); a gap that small counts as closed
#: here too, or a portfolio worth about nothing (V of USD -3.85bn in all, USD -150m in
#: the model's terms) proven to USD 194 would be reported as stopped by a time limit.
ABS_GAP = 1e-6


def relative_gap(value: float, bound: float) -> float:
    """(bound - value) / |value|, as HiGHS reports a MIP gap (0 within ABS_GAP)."""
    diff = max(bound - value, 0.0)
    if diff <= max(ABS_GAP, 1e-12 * max(1.0, abs(bound))):
        return 0.0
    return diff / max(abs(value), 1e-9)


def solve_blocks(
    blocks: Blocks,
    *,
    gap: float,
    deadline: float,
    threads: int | None = None,
    duals: Duals | None = None,
    seeds: list[tuple[int, int]] | None = None,
    incumbent: list[Choice] | None = None,
    sets_per_partner: int | None = None,
) -> Outcome:
    """The best portfolio within `gap` of optimal, or the best by `deadline`.
    `sets_per_partner`: about how many sets per partner the first incumbent round
    searches (`_rounds`; None: MIP_SETS_PER_PARTNER); the proof does not depend on it."""
    clock = time.perf_counter()
    master = Master(blocks, threads)
    if seeds and duals is not None:
        master.add_points(price(blocks, duals), seeds)
    root = generate_columns(master, duals, deadline=deadline)
    out = Outcome("time-limit", bound=root.bound, duals=root.duals)
    out.stats.update(bound_seconds=time.perf_counter() - clock, cg_iterations=root.iterations)
    if root.artificial > 1e-7 and root.converged:
        out.status = "infeasible-lp"
        return out
    out.columns = _used(master)
    for start in (incumbent, []):
        if start is not None and feasible(blocks, start):
            out.offer(start, objective(blocks, start))
    prices = price(blocks, root.duals)
    points, no_deal = _reduced_costs(blocks, prices)
    # The reduced-cost argument needs L and the reduced costs at the same duals:
    # any portfolio is worth at most L(d) + sum_p rc_p(d). Take L from `prices`.
    bound = prices.bound
    search = _Search(
        blocks,
        bound,
        prices,
        points,
        no_deal,
        out,
        gap,
        deadline,
        threads,
        sets_per_partner,
        master,
    )
    if search.open():
        _rounds(search)
    if _proven(out, gap) or (out.value is not None and time.perf_counter() < deadline):
        # "time-limit" says the clock stopped the search. One that ran every round to its
        # end has what HiGHS proved of the last: where the objective is near zero (the
        # partners' total at a US floor within USD 1,000 of the US optimum, USD 0.5bn or
        # 10k), the solver's tolerances alone put its bound USD 1-5k above the package it
        # returns, more than the requested gap of so small a value (the gap, reported as
        # it is, says so). It was called a time limit with no limit set (exit 4).
        out.status = "optimal"
    out.stats["seconds"] = time.perf_counter() - clock
    return out


def _selection(blocks: Blocks, keep: NDArray[np.bool_], choices: list[Choice]) -> dict[int, I64]:
    flat = blocks.flat
    assert flat is not None
    selection: dict[int, list[int]] = {}
    for b, f in zip(flat.block[keep], flat.index[keep], strict=True):
        selection.setdefault(int(b), []).append(int(f))
    for c in choices:
        selection.setdefault(c.block, []).append(c.point)
    return {b: distinct(p) for b, p in selection.items()}


@dataclass
class _Search:
    """What every restricted-MIP round of one solve shares."""

    blocks: Blocks
    bound: float  # L, the Dantzig-Wolfe bound
    prices: Pricing  # the blocks at the root duals
    points: F64  # rc (<= 0) of every affordable point
    no_deal: F64  # rc of each partner's no deal
    out: Outcome
    gap: float
    deadline: float
    threads: int | None
    sets_per_partner: int | None = None  # None: MIP_SETS_PER_PARTNER, read when searching
    master: Master | None = None  # the root LP's, for the proof's probes (`probe`)

    @cached_property
    def coarse(self) -> Coarse | None:
        """The merged model the incumbent rounds search (None: no periods merge)."""
        return coarsen(self.blocks, self.prices.duals)

    def candidates(self, cut: float) -> NDArray[np.bool_]:
        """The sets whose reduced cost is at least -cut."""
        return self.points >= -cut - 1e-9

    def open(self) -> bool:
        """Time is left and the incumbent is not yet proven within the gap."""
        return time.perf_counter() < self.deadline and not _proven(self.out, self.gap)

    def threshold(self) -> float:
        """Reduced costs below minus this cannot be part of a portfolio that beats
        the incumbent."""
        value = self.out.value
        if value is None:
            return np.inf
        return self.bound - value - 0.5 * self.gap * max(abs(value), 1e-9)

    def time_left(self) -> float | None:
        left = self.deadline - time.perf_counter()
        return left if np.isfinite(left) else None


def _rounds(s: _Search) -> None:
    """Restricted MIPs over the most promising sets (incumbents, cheaply), then
    one over every set that could beat the incumbent (the proof)."""
    budget = (s.sets_per_partner or MIP_SETS_PER_PARTNER) * s.blocks.n_partners
    if len(s.points) > budget:
        cut = float(-np.partition(s.points, -budget)[-budget])
        if cut < 0.5 * s.threshold():
            search = s.candidates(cut)
            merged = len(s.coarse.groups) if s.coarse else len(s.blocks.supply)
            s.out.stats["merged_periods"] = float(merged)
            _round(s, "incumbent", search, cut)
            if s.open():
                _widen(s, search, cut)
    if s.open():
        _proof(s)


def _widen(s: _Search, search: NDArray[np.bool_], cut: float) -> None:
    """The widened round: the first round's sets and each partner's alternatives,
    unless that is as many sets as the proof would take."""
    wider = search | _alternatives(s.blocks, s.prices, s.points)
    if wider.sum() >= s.candidates(s.threshold()).sum():
        return
    own_gap = max(s.gap, WIDENED_GAP)  # it looks for a start, the proof proves
    _round(s, "widened", wider, cut, own_gap)


def _alternatives(blocks: Blocks, prices: Pricing, points: F64) -> NDArray[np.bool_]:
    """Each partner's WIDEN_TOP best sets, and its best set were the shared limits
    dearer or cheaper (duals scaled by PRICE_SCALES, all of them or the risk
    budget's alone): the sets a partner moves to when the others need room."""
    assert blocks.flat is not None
    partner = blocks.partner[blocks.flat.block]
    order = np.lexsort((-points, partner))
    first = np.searchsorted(partner[order], np.arange(blocks.n_partners))
    rank = np.empty(len(points), dtype=np.int64)
    rank[order] = np.arange(len(points)) - first[partner[order]]
    keep = rank < WIDEN_TOP
    d = prices.duals
    for scale in PRICE_SCALES:
        scaled = [Duals(d.supply * scale, d.risk * scale, d.floor)]
        if d.risk > 0:
            scaled.append(replace(d, risk=d.risk * scale))
        for duals in scaled:
            at = price(blocks, duals)
            keep |= at.flat - at.partner_best[partner] >= -1e-9
    return keep


def _round(
    s: _Search,
    name: str,
    keep: NDArray[np.bool_],
    cut: float,
    own_gap: float | None = None,
    merged: bool = True,
) -> None:
    """A restricted MIP over the `keep` sets (every set with rc >= -cut among them)
    for a better incumbent, stopped once within the gap of L, or within `own_gap`
    (default: the gap) of its own bound. When the incumbent it leaves is more
    than `cut` below L, its bound is a proof. With periods merged (`s.coarse`)
    it runs on the merged model, and its portfolio is lifted back into periods;
    when that fails, it runs again on the full model (`merged=False`)."""
    clock = time.perf_counter()
    coarse = s.coarse if merged else None
    out = s.out
    mip = solve_restricted(
        coarse.blocks if coarse else s.blocks,
        _selection(s.blocks, keep, out.choices),
        start=coarse.merge(out.choices) if coarse else out.choices,
        gap=s.gap if own_gap is None else own_gap,
        time_limit=s.time_left(),
        threads=s.threads,
        prices=coarse.prices if coarse else s.prices,
        target=good_enough(s.bound, s.gap),
        forced=s.blocks.forced,
        start_search=True,
    )
    if coarse is not None:
        lifted = _lifted(s, mip)
        if lifted is None:  # the periods cannot carry it: search the full model instead
            return _round(s, name, keep, cut, own_gap, merged=False)
        mip = lifted
    _record(s, name, mip, clock, cut)


def _lifted(s: _Search, mip: MipOutcome) -> MipOutcome | None:
    """A merged model's outcome with its portfolio lifted back into periods (`lift`);
    None when the periods cannot carry that portfolio."""
    if mip.value is None:
        return mip
    lifted = lift(s.blocks, mip.choices, s.threads)
    return None if lifted is None else replace(mip, choices=lifted)


def _proof(s: _Search) -> None:
    """The restricted MIP over every set that could beat the incumbent; its bound counts.

    With periods merged it runs first on the merged model. That model is a relaxation,
    so its bound holds for the full model, and a portfolio it finds counts once lifted
    back into periods. It is smaller, and proves the incumbent or finds a better one
    (which makes the full proof short) sooner: M seeds 0-5, cold solves 5.8-6.4 s ->
    4.6-5.0 s in all; L seeds 0-3, 33.6 -> 30.6 s; M seed 0's 25-point joint frontier, one
    chain after the other, 41.5 -> 25.5 s (bench/README.md). The full model's proof runs
    only when that did not prove the incumbent. Both search within the halves
    `_narrowed` leaves (M seed 0's joint frontier, the merged proofs 7.8 -> 2.1 s)."""
    if PROBE:
        s = _narrowed(s)
        if not s.open():
            return
    if s.coarse is not None:
        _proof_round(s, s.coarse)
    if s.open():
        _proof_round(s, None)


#: Whether the proof first branches on the deals the root LP leaves half made (`probe`);
#: off, it searches every set within L of the incumbent, as before (for comparisons).
PROBE = True


def _narrowed(s: _Search) -> _Search:
    """The proof's search within the halves `probe.narrow` leaves (`s` when the root LP
    takes no deal in part, or when no half is left: then the bound proves the incumbent)."""
    if s.master is None or s.out.value is None:
        return s
    clock = time.perf_counter()
    target = s.bound - s.threshold()
    found = narrow(s.master, target, s.prices, s.points, s.no_deal, s.deadline)
    s.out.stats["branch_seconds"] = time.perf_counter() - clock
    if found is None:
        return s
    s.out.stats["branch_halves"] = float(found.halves)
    s.out.bound = min(s.out.bound if s.out.bound is not None else np.inf, found.bound)
    if found.prices is None:
        return s  # proven: no half left can beat the incumbent by half the gap
    s.out.stats["branch_gap"] = relative_gap(s.out.value, found.bound)
    # A new search (its merged model, a cached property, is made at the new prices).
    return replace(
        s,
        blocks=found.prices.blocks,
        bound=found.bound,
        prices=found.prices,
        points=found.points,
        no_deal=found.no_deal,
    )


def _proof_round(s: _Search, coarse: Coarse | None) -> None:
    """One proof MIP, on the merged model (`coarse`) or on the full one (None)."""
    clock = time.perf_counter()
    threshold = s.threshold()
    forced = _dealing(s.blocks, s.out.choices) & (s.no_deal < -threshold - 1e-9)
    if s.blocks.forced is not None:
        forced |= s.blocks.forced
    blocks, start, prices = (
        (s.blocks, s.out.choices, s.prices)
        if coarse is None
        else (coarse.blocks, coarse.merge(s.out.choices), coarse.prices)
    )
    mip = solve_restricted(
        blocks,
        _selection(s.blocks, s.candidates(threshold), s.out.choices),
        start=start,
        gap=0.99 * s.gap,  # HiGHS measures its gap against max(|value|, |bound|)
        time_limit=s.time_left(),
        threads=s.threads,
        forced=forced,
        prices=prices,
    )
    if coarse is not None:
        # A portfolio the periods cannot carry does not count; the bound does.
        mip = _lifted(s, mip) or replace(mip, value=None, choices=[])
    _record(s, "proof" if coarse is None else "merged_proof", mip, clock, threshold)


def _record(s: _Search, name: str, mip: MipOutcome, clock: float, cut: float) -> None:
    """Keep a round's portfolio if it is better and the bound its MIP proved; note
    its size, time and gap to L.

    The MIP allowed every set with rc >= -cut (and no deal), so any portfolio
    better than max(its bound, L - cut) would have had to be among its choices:
    that maximum bounds every portfolio. The proof's cut is its threshold; an
    incumbent round's is the least rc it took, and it proves the optimum
    whenever that optimum lies more than the cut below L.
    """
    out = s.out
    if mip.status == "error":
        raise SolverError(f"HiGHS failed on the {name} round's restricted MIP")
    if mip.value is not None and feasible(s.blocks, mip.choices):
        out.offer(mip.choices, objective(s.blocks, mip.choices))
    inside = -np.inf if mip.status == "infeasible" else mip.bound
    if inside is not None:
        covered = max(inside, s.bound - cut)
        out.bound = min(out.bound if out.bound is not None else np.inf, covered)
    out.stats[f"{name}_sets"] = float(mip.binaries)
    out.stats[f"{name}_seconds"] = time.perf_counter() - clock
    if out.value is not None:
        out.stats[f"{name}_gap"] = relative_gap(out.value, s.bound)


def _dealing(blocks: Blocks, choices: list[Choice]) -> NDArray[np.bool_]:
    out = np.zeros(blocks.n_partners, dtype=bool)
    out[[int(blocks.partner[c.block]) for c in choices]] = True
    return out


def _reduced_costs(blocks: Blocks, pricing: Pricing) -> tuple[F64, F64]:
    """rc (<= 0) of every affordable point, and of each partner's no deal."""
    assert blocks.flat is not None
    best = pricing.partner_best
    return pricing.flat - best[blocks.partner[blocks.flat.block]], -best  # -inf: must deal


def _proven(out: Outcome, gap: float) -> bool:
    return out.value is not None and relative_gap(out.value, out.bound or np.inf) <= gap


def _used(master: Master) -> list[tuple[int, int]]:
    """The concession sets the LP solution uses."""
    x = master.values()
    used = {(master.block[c], master.point[c]) for c in np.flatnonzero(x > 1e-9)}
    return sorted((b, f) for b, f in used if b >= 0)


def objective(blocks: Blocks, choices: list[Choice]) -> float:
    """The model objective of a portfolio (model units)."""
    total = 0.0
    for c in choices:
        b, sets = c.block, blocks.concession_sets[c.block]
        if blocks.mode == "us-best":
            total += sets.value[c.point] - blocks.us_batna[b] + blocks.a0[b] * c.y.sum()
        else:
            partner = float((c.y * blocks.v[b]).sum()) - sets.cost[c.point]
            total += partner - blocks.sec[b] - blocks.batna[b]
    return float(total)


def feasible(blocks: Blocks, choices: list[Choice], tol: float = 1e-6) -> bool:
    """Whether a portfolio meets every row of the model, to a solver's tolerance
    (`tol`, relative to each row's size; `check` vouches for the packages later)."""
    seen: set[int] = set()
    used = np.zeros(len(blocks.supply))
    risk = us_gain = 0.0
    for c in choices:
        b = c.block
        p = int(blocks.partner[b])
        if p in seen or not 0 <= c.point < blocks.usable[b] or c.y.shape != blocks.ub[b].shape:
            return False
        seen.add(p)
        if blocks.barred is not None and blocks.barred[p]:
            return False
        if (c.y < -tol).any() or (c.y > blocks.ub[b] * (1 + tol) + tol).any():
            return False
        need = blocks.need0[b] + blocks.concession_sets[b].cost[c.point]
        if float((c.y * blocks.v[b]).sum()) < need - tol * max(1.0, abs(need)):
            return False
        x = c.y.sum(axis=1)
        used += x
        risk += blocks.risk[b] * x.sum()
        us_gain += (
            blocks.concession_sets[b].value[c.point] - blocks.us_batna[b] + blocks.a0[b] * x.sum()
        )
    if (used > blocks.supply * (1 + tol) + tol).any():
        return False
    if blocks.budget is not None and risk > blocks.budget * (1 + tol) + tol:
        return False
    if blocks.forced is not None and not seen.issuperset(np.flatnonzero(blocks.forced).tolist()):
        return False
    return blocks.floor is None or us_gain >= blocks.floor - tol * max(1.0, abs(blocks.floor))
