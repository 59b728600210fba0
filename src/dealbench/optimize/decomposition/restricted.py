"""The restricted MIP: one of the given concession sets per deal, solved by HiGHS.

For each block b (a partner under a level) with candidate Pareto points
f_0 < f_1 < ... (by cost), chain binaries c[b, i] = 1 when point f_i or a later
one is chosen (c[b, 0] opens the deal; c[b, i+1] <= c[b, i]). The block's
compute y is switched on by c[b, 0]:

    y[b, i] <= ub[b, i] * c[b, 0]                        (each period and segment)
    sum_i v[b, i] y[b, i] >= sum_i dneed[b, i] c[b, i]   (the partner accepts)
    sum_{b of p} c[b, 0] <= 1                            (one deal per partner)

plus supply, the risk budget and (partner-best) the US floor. Branching on a
chain variable splits a partner's ordered sets, as SOS branching would. With
every point of every Pareto list this is the full problem; `decompose` proves
which points can be left out. The model goes to HiGHS as arrays in one call
(`chain_model`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealbench.errors import stops_held
from dealbench.optimize.decomposition.blocks import F64, I64, Blocks
from dealbench.optimize.decomposition.chain_model import Layout, layout_of, pass_chain_model
from dealbench.optimize.decomposition.choice import Choice
from dealbench.optimize.decomposition.pricing import Pricing
from dealbench.optimize.highs import new_highs

#: HiGHS heuristics a restricted MIP goes without: it starts from an incumbent,
#: and their sub-MIPs took 7.5 s of 10 on M's proof without finding a better one.
RESTRICTED_HEURISTICS = (
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
)


#: An incumbent round (`search`, `start_search=True`) of at least this many sets runs
#: HiGHS's RINS heuristic all the same: it looks for a better portfolio near the start
#: and the LP's, and such a round's tree is mostly the search for one. Replayed (bench/
#: replay.py), M seed 1's joint frontier's 22 slowest rounds took 11.4 s with it off and
#: 6.5 s on (the same portfolios, two a little better); that frontier, one chain after
#: the other, 24.6-28.6 -> 20.4-21.3 s; L seeds 1 and 3, 27.5 -> 24.3 s; M seeds 0-5,
#: 7.5 and 8.0 -> 7.0 and 8.4 s (noise; seed 0 slower). Global's rounds (80 sets at most)
#: were 5-15% slower with it; the proof, which starts from the best portfolio found,
#: stays without (bench/README.md, "Session 8").
RINS_MIN_SETS = 100


#: How HiGHS searches a restricted MIP: branch on pseudocosts from the start
#: (no strong branching until they are reliable) and separate cuts at the root
#: only. The LP bound already starts at L, so nodes are cheap and many pay more
#: than a few well-chosen ones (one run each, `solve_blocks`: L seeds 2 and 3
#: 11.1 and 50.7 s -> 6.3 and 19.2 s, L seed 1 45 -> 28 s, M seeds 0-6 41.7 ->
#: 35.1 s in all; bench/README.md).
RESTRICTED_SEARCH: dict[str, int | bool] = {
    "mip_pscost_minreliable": 0,
    "mip_allow_cut_separation_at_nodes": False,
}


#: A restricted MIP of at most this many columns goes without HiGHS's presolve. The
#: incumbent rounds (about 220-430 columns at M) and a joint frontier point's proof
#: (950-1,100) search fewer nodes from the model as built, where presolve's reductions
#: only change the path: M seeds 0-5, cold solves 9.3-10.7 s -> 6.5-6.7 s in all; M
#: seed 1's 25-point joint frontier, its 31 restricted MIPs 11.4 -> 8.8 s of process
#: time. Larger ones keep it: L seed 1's proof (8,785 columns) took 8.0 s with it and
#: 17.7 s without, L seed 3's first round (1,134) 1.3 s and 3.6 s (bench/README.md).
PRESOLVE_MAX_COLUMNS = 1000


@dataclass
class MipOutcome:
    status: str  # optimal | time-limit | infeasible | no-solution | error
    value: float | None  # objective of the incumbent (model units)
    bound: float | None  # HiGHS's dual bound on this restricted MIP
    choices: list[Choice] = field(default_factory=list)
    binaries: int = 0


def solve_restricted(
    blocks: Blocks,
    selection: dict[int, I64],
    *,
    start: list[Choice] | None = None,
    gap: float = 1e-6,
    time_limit: float | None = None,
    threads: int | None = None,
    forced: NDArray[np.bool_] | None = None,
    prices: Pricing | None = None,
    target: float | None = None,
    start_search: bool = False,
) -> MipOutcome:
    """The best portfolio using only the selected Pareto points of each block.

    `forced[p]`: partner p must deal (its no-deal option is proven useless).
    `prices`: blocks priced at the master's duals; each block then gets the
    compute-cost row that makes the LP relaxation as tight as the master's.
    `target`: stop as soon as a portfolio worth this much is found (a bound
    proven elsewhere already makes it good enough).
    `start_search`: the MIP looks for a better portfolio more than it proves one
    (an incumbent round): from RINS_MIN_SETS sets up, HiGHS's RINS runs.
    """
    layout = layout_of(blocks, selection)
    if layout.columns == 0:
        return _empty(blocks, forced)
    rins = start_search and layout.sets >= RINS_MIN_SETS
    args = (blocks, layout, forced, gap, time_limit, threads, prices, target, rins)
    with stops_held() as pressed:  # the target's callback would swallow Ctrl-C
        h = _model(*args, pressed)
        if start:
            n = layout.columns
            h.setSolution(n, np.arange(n, dtype=np.int32), _vector(layout, start))
        h.run()
        if start and not _consistent(h) and not pressed():
            # HiGHS 1.16 can report a better objective than the solution it returns when
            # it improves on a given start; solve again from scratch rather than lose it.
            h = _model(*args, pressed)
            h.run()
    return _outcome(h, blocks, layout)


def _empty(blocks: Blocks, forced: NDArray[np.bool_] | None) -> MipOutcome:
    """A restricted MIP without a set to choose: the portfolio of no deals, if allowed.

    HiGHS reports a model without columns as empty (kModelEmpty), not solved; the
    proof round of a warm start met it when no set passed its cut, and failed
    ("HiGHS failed on the proof round") where no deal at all was the answer.
    """
    must = forced is not None and bool(forced.any())
    if must or (blocks.floor is not None and blocks.floor > 0):
        return MipOutcome("infeasible", None, None)
    return MipOutcome("optimal", 0.0, 0.0)


def _model(
    blocks: Blocks,
    layout: Layout,
    forced: NDArray[np.bool_] | None,
    gap: float,
    time_limit: float | None,
    threads: int | None,
    prices: Pricing | None,
    target: float | None,
    rins: bool,
    pressed: Callable[[], bool],
) -> Any:
    h = new_highs(threads=threads, time_limit=time_limit, gap=gap)
    configure(h, layout.columns, rins)
    pass_chain_model(h, blocks, layout, forced, prices)
    if target is not None:
        _stop_at(h, target, pressed)
    return h


def configure(h: Any, columns: int, rins: bool) -> None:
    """How HiGHS searches a restricted MIP of `columns` columns (with RINS, or not)."""
    h.setOptionValue("mip_detect_symmetry", False)  # none to find; detection costs time
    for option in RESTRICTED_HEURISTICS:
        h.setOptionValue(option, rins and option == "mip_heuristic_run_rins")
    for option, value in RESTRICTED_SEARCH.items():
        h.setOptionValue(option, value)
    if columns <= PRESOLVE_MAX_COLUMNS:
        h.setOptionValue("presolve", "off")


def _stop_at(h: Any, target: float, pressed: Callable[[], bool]) -> None:
    """Interrupt the MIP once its incumbent reaches `target`, or Ctrl-C was `pressed`."""

    def check(event: Any) -> None:
        if pressed() or event.data_out.mip_primal_bound >= target:
            event.interrupt()

    h.cbMipInterrupt.subscribe(check)


def _consistent(h: Any) -> bool:
    """Whether the returned solution has the objective value HiGHS reports."""
    info = h.getInfo()
    if info.primal_solution_status != 2:
        return True
    x = np.asarray(h.getSolution().col_value)
    value = float(np.asarray(h.getLp().col_cost_) @ x)
    reported = float(info.objective_function_value)
    return abs(value - reported) <= 1e-9 * max(1.0, abs(reported))


def size(blocks: Blocks, selection: dict[int, I64]) -> int:
    """Columns the restricted MIP would have."""
    return int(sum((blocks.ub[b] > 0).sum() + len(p) for b, p in selection.items() if len(p)))


def _vector(layout: Layout, start: list[Choice]) -> F64:
    x = np.zeros(layout.columns)
    where = {
        (b, int(f)): (k, i)
        for k, b in enumerate(layout.blocks)
        for i, f in enumerate(layout.points[k])
    }
    for choice in start:
        k, i = where.get((choice.block, choice.point), (-1, -1))
        if k < 0:
            continue
        x[layout.y0[k] : layout.y0[k] + len(layout.items[k])] = choice.y.ravel()[layout.items[k]]
        x[layout.chain0[k] : layout.chain0[k] + i + 1] = 1.0
    return x


def _outcome(h: Any, blocks: Blocks, layout: Layout) -> MipOutcome:
    import highspy

    info = h.getInfo()
    has = info.primal_solution_status == 2  # kSolutionStatusFeasible
    status = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time-limit",
        highspy.HighsModelStatus.kInterrupt: "time-limit",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
    }.get(h.getModelStatus(), "error")
    binaries = layout.sets
    if status == "error":  # neither its solution nor its bound can be trusted
        return MipOutcome(status, None, None, [], binaries)
    bound = float(info.mip_dual_bound) if binaries else float(info.objective_function_value)
    if not has:
        ok = status == "infeasible" or np.isfinite(bound)
        return MipOutcome(
            "no-solution" if status == "time-limit" else status,
            None,
            bound if ok and np.isfinite(bound) else None,
            [],
            binaries,
        )
    x = np.asarray(h.getSolution().col_value)
    n_t, n_j = blocks.ub.shape[1:]
    choices = []
    for k, b in enumerate(layout.blocks):
        chain = x[layout.chain0[k] : layout.chain0[k] + len(layout.points[k])]
        if chain[0] < 0.5:
            continue
        y = np.zeros(n_t * n_j)
        y[layout.items[k]] = x[layout.y0[k] : layout.y0[k] + len(layout.items[k])]
        chosen = int((chain > 0.5).sum()) - 1
        choices.append(Choice(b, int(layout.points[k][chosen]), y.reshape(n_t, n_j)))
    value = float(info.objective_function_value)
    return MipOutcome(status, value, bound if np.isfinite(bound) else value, choices, binaries)
