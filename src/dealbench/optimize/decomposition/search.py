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

Steps 1-3 are `solve_blocks`, here; the rounds of steps 4 and 5 are `rounds`'s; what a
search returns is `outcome`'s, a portfolio's objective and rows `evaluate`'s.

Every restricted MIP carries, per block, the compute-cost row of `restricted`,
so its LP relaxation is as tight as the master's: HiGHS starts from L, not from
the weaker bound of the plain chain formulation.
"""

from __future__ import annotations

import time

import numpy as np

from dealbench.optimize.decomposition.blocks import F64, Blocks
from dealbench.optimize.decomposition.choice import Choice
from dealbench.optimize.decomposition.evaluate import feasible, objective
from dealbench.optimize.decomposition.master import Master, generate_columns
from dealbench.optimize.decomposition.outcome import (
    ABS_GAP,
    Outcome,
    good_enough,
    proven,
    relative_gap,
)
from dealbench.optimize.decomposition.pricing import Duals, Pricing, price
from dealbench.optimize.decomposition.rounds import (
    MIP_SETS_PER_PARTNER,
    PRICE_SCALES,
    PROBE,
    WIDEN_TOP,
    WIDENED_GAP,
    Search,
    run_rounds,
)

__all__ = [
    "ABS_GAP",
    "MIP_SETS_PER_PARTNER",
    "PRICE_SCALES",
    "PROBE",
    "WIDENED_GAP",
    "WIDEN_TOP",
    "Outcome",
    "feasible",
    "good_enough",
    "objective",
    "relative_gap",
    "solve_blocks",
]


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
    searches (`rounds.run_rounds`; None: MIP_SETS_PER_PARTNER); the proof does not depend on it."""
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
    search = Search(
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
        run_rounds(search)
    if proven(out, gap) or (out.value is not None and time.perf_counter() < deadline):
        # "time-limit" says the clock stopped the search. One that ran every round to its
        # end has what HiGHS proved of the last: where the objective is near zero (the
        # partners' total at a US floor within USD 1,000 of the US optimum, USD 0.5bn or
        # 10k), the solver's tolerances alone put its bound USD 1-5k above the package it
        # returns, more than the requested gap of so small a value (the gap, reported as
        # it is, says so). It was called a time limit with no limit set (exit 4).
        out.status = "optimal"
    out.stats["seconds"] = time.perf_counter() - clock
    return out


def _reduced_costs(blocks: Blocks, pricing: Pricing) -> tuple[F64, F64]:
    """rc (<= 0) of every affordable point, and of each partner's no deal."""
    assert blocks.flat is not None
    best = pricing.partner_best
    return pricing.flat - best[blocks.partner[blocks.flat.block]], -best  # -inf: must deal


def _used(master: Master) -> list[tuple[int, int]]:
    """The concession sets the LP solution uses."""
    x = master.values()
    used = {(master.block[c], master.point[c]) for c in np.flatnonzero(x > 1e-9)}
    return sorted((b, f) for b, f in used if b >= 0)
