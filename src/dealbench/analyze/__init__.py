"""Analysis above `solve` and `check`: regimes compared, scenarios and sweeps, diffs,
shadow prices and uncertainty. Below `negotiate`, which uses its executor
(`analyze.parallel`): nothing here imports `negotiate`.

    from dealbench.analyze import apply_overrides, compare, find_regime, parse_set

    pf = apply_overrides(load_portfolio(path), parse_set(["partners.AE.batna=3bn"]))
    comparison, solved = compare(pf, [find_regime(r, path) for r in REGIMES])

Every figure these return is recomputed by `check`. `apply_overrides` is the one
`--set` engine: any command that takes `--set` (solve, evaluate, compare, sweep,
frontier) calls it on the loaded portfolio.
"""

from dealbench.analyze.compare import Comparison, compare
from dealbench.analyze.diff import ResultDiff, diff_results, load_result
from dealbench.analyze.parallel import Executor, make_executor
from dealbench.analyze.prices import CapPrice, LimitPrice, Prices, shadow_prices
from dealbench.analyze.scenarios import (
    Scenario,
    apply_overrides,
    load_scenario,
    load_scenarios,
    parse_set,
    read_value,
)
from dealbench.analyze.solves import SolveOptions
from dealbench.analyze.sweep import SweepResult, sweep_param, sweep_scenarios
from dealbench.model.regimes import REGIMES, find_regime, under_regime

__all__ = [
    "REGIMES",
    "CapPrice",
    "Comparison",
    "Executor",
    "LimitPrice",
    "Prices",
    "ResultDiff",
    "Scenario",
    "SolveOptions",
    "SweepResult",
    "apply_overrides",
    "compare",
    "diff_results",
    "find_regime",
    "load_result",
    "load_scenario",
    "load_scenarios",
    "make_executor",
    "parse_set",
    "read_value",
    "shadow_prices",
    "sweep_param",
    "sweep_scenarios",
    "under_regime",
]
