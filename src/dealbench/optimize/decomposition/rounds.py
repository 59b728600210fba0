"""The restricted-MIP rounds of one exact search (`search.solve_blocks`): an incumbent over
the most promising sets, a widened round with each partner's alternatives, then the proof
over every set that could beat the incumbent, each on the merged model first (`coarse`);
a round's bound counts by the reduced-cost argument (`_record`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from dealbench.errors import SolverError
from dealbench.optimize.decomposition.blocks import F64, I64, Blocks, distinct
from dealbench.optimize.decomposition.choice import Choice
from dealbench.optimize.decomposition.coarse import Coarse, coarsen, lift
from dealbench.optimize.decomposition.evaluate import feasible, objective
from dealbench.optimize.decomposition.master import Master
from dealbench.optimize.decomposition.outcome import Outcome, good_enough, proven, relative_gap
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

#: The widened round runs only when the proof would search more than this many times
#: its sets; otherwise the proof runs straight from the first round's incumbent. Where
#: the first round's portfolio lies far below L, the widened round finds the proof a
#: better start (its proof 2.8-5.9 times the widened round's sets at M seed 0's joint
#: floors, 2.0 at seed 1's one); nearer, it seldom improves on it and only adds its own
#: MIP (0.9-2.9 times at seed 0, 1.3 at seed 2, 0.1-0.25 s each). At 1.5 (was 1) the
#: same 25 joint points at seeds 0-2, seed 0 21.6 -> 21.1 s and seed 2 7.83 -> 7.63 s
#: of process time; 2.5 took seed 0 to 20.7 s but seed 1 10.2 -> 11.0 s (bench/README.md).
WIDEN_RATIO = 1.5


@dataclass
class Search:
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
        return time.perf_counter() < self.deadline and not proven(self.out, self.gap)

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


def run_rounds(s: Search) -> None:
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


def _widen(s: Search, search: NDArray[np.bool_], cut: float) -> None:
    """The widened round: the first round's sets and each partner's alternatives,
    unless the proof would take at most WIDEN_RATIO times as many sets (the first
    round's alone already decide that, before the alternatives are priced)."""
    proof = int(s.candidates(s.threshold()).sum())
    if WIDEN_RATIO * search.sum() >= proof:
        return
    wider = search | _alternatives(s.blocks, s.prices, s.points)
    if WIDEN_RATIO * wider.sum() >= proof:
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
    s: Search,
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


def _lifted(s: Search, mip: MipOutcome) -> MipOutcome | None:
    """A merged model's outcome with its portfolio lifted back into periods (`lift`);
    None when the periods cannot carry that portfolio."""
    if mip.value is None:
        return mip
    lifted = lift(s.blocks, mip.choices, s.threads)
    return None if lifted is None else replace(mip, choices=lifted)


def _proof(s: Search) -> None:
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


def _narrowed(s: Search) -> Search:
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


def _proof_round(s: Search, coarse: Coarse | None) -> None:
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


def _record(s: Search, name: str, mip: MipOutcome, clock: float, cut: float) -> None:
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


def _selection(blocks: Blocks, keep: NDArray[np.bool_], choices: list[Choice]) -> dict[int, I64]:
    flat = blocks.flat
    assert flat is not None
    selection: dict[int, list[int]] = {}
    for b, f in zip(flat.block[keep], flat.index[keep], strict=True):
        selection.setdefault(int(b), []).append(int(f))
    for c in choices:
        selection.setdefault(c.block, []).append(c.point)
    return {b: distinct(p) for b, p in selection.items()}
