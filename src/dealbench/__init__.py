"""dealbench: a workbench for negotiating bilateral AI-compute deals.

The public API, in pipeline order::

    from dealbench import load_portfolio, solve, check, evaluate, load_package

    portfolio = load_portfolio("deals/portfolios/gulf-asia.yaml")
    result = solve(portfolio)                      # best packages, already checked
    verdict = check(portfolio, [d.package() for d in result.deals])
    counter = evaluate(portfolio, load_package("deals/packages/ae-counter.yaml", portfolio))

The analysis layer (`compare`, `sweep_param`, `shadow_prices`, `risk_report`), the
rounds (`record_offer`, `record_counter`, `room`, `next_offer`), the documents
(`source_from_result` or `load_source`, then `documents_for` and `render_document`), the frontier
(`frontier`, `frontier_from_rounds`, `us_best_at`, `zopas`) and why a partner has no deal (`no_deal_reasons`,
which `result.explained(...)` carries as `solve --json` says it) are exported here too;
README "Using it as a library" shows them with real output. An argument a call cannot
use (a path where a loaded Portfolio, Package or SolveResult goes; text where its
annotation says `int`, a number where it says `str` or a path: `dealbench.arguments.checked`,
which every function exported here passes through; None where a choice or a list of codes
goes) raises `ArgumentError` (an `InputError` and a
`ValueError`) before any work.

Names are imported on first use, so `import dealbench` (and `dealbench --help`)
stays fast.
"""

from __future__ import annotations

import importlib
from types import FunctionType

#: `typing.TYPE_CHECKING`, without importing `typing` (tens of milliseconds) before the
#: command's entry point (`dealbench.command`) has its Ctrl-C handler in place.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_policy": "dealbench.model",
    "load_partner": "dealbench.model",
    "load_portfolio": "dealbench.model",
    "load_package": "dealbench.model",
    "validate_file": "dealbench.model",
    "Package": "dealbench.model",
    "Partner": "dealbench.model",
    "Policy": "dealbench.model",
    "Portfolio": "dealbench.model",
    "formulate": "dealbench.optimize",
    "solve": "dealbench.optimize",
    "SolveResult": "dealbench.optimize",
    "Status": "dealbench.optimize",
    "check": "dealbench.checker",
    "evaluate": "dealbench.checker",
    "DealFigures": "dealbench.checker",
    "PortfolioCheck": "dealbench.checker",
    "render_term_sheet": "dealbench.render",
    "improvements": "dealbench.negotiate",
    "concession_ranking": "dealbench.negotiate",
    "Improvement": "dealbench.negotiate",
    "ConcessionRank": "dealbench.negotiate",
    "record_offer": "dealbench.negotiate",
    "record_counter": "dealbench.negotiate",
    "conclude": "dealbench.negotiate",
    "walk_away": "dealbench.negotiate",
    "next_offer": "dealbench.negotiate",
    "verdict": "dealbench.negotiate",
    "room": "dealbench.negotiate",
    "history": "dealbench.negotiate",
    "replan": "dealbench.negotiate",
    "load_negotiations": "dealbench.negotiate",
    "rounds_root": "dealbench.negotiate",
    "DealbenchError": "dealbench.errors",
    "InputError": "dealbench.errors",
    "InfeasibleError": "dealbench.errors",
    "no_deal_reasons": "dealbench.optimize.explain",
    "apply_overrides": "dealbench.analyze",
    "parse_set": "dealbench.analyze",
    "compare": "dealbench.analyze",
    # negotiate: the frontier and bargaining points
    "frontier": "dealbench.negotiate",
    "frontier_from_rounds": "dealbench.negotiate",
    "us_best_at": "dealbench.negotiate",
    "residual": "dealbench.negotiate",
    "zopas": "dealbench.negotiate",
    "Frontier": "dealbench.negotiate",
    "FrontierPiece": "dealbench.negotiate",
    "FrontierPoint": "dealbench.negotiate",
    "FrontierRounds": "dealbench.negotiate",
    # what the analysis layer, the rounds and the documents return, and every error
    "ArgumentError": "dealbench.errors",
    "RenderError": "dealbench.errors",
    "SolverError": "dealbench.errors",
    "SolverLimitError": "dealbench.errors",
    "Comparison": "dealbench.analyze",
    "Prices": "dealbench.analyze",
    "SweepResult": "dealbench.analyze",
    "diff_results": "dealbench.analyze",
    "find_regime": "dealbench.analyze",
    "load_result": "dealbench.analyze",
    "load_scenario": "dealbench.analyze",
    "load_scenarios": "dealbench.analyze",
    "shadow_prices": "dealbench.analyze",
    "sweep_param": "dealbench.analyze",
    "sweep_scenarios": "dealbench.analyze",
    "REGIMES": "dealbench.analyze",
    "SolveOptions": "dealbench.analyze",
    "risk_report": "dealbench.analyze.uncertainty",
    "RiskReport": "dealbench.analyze.uncertainty",
    "Counter": "dealbench.negotiate",
    "History": "dealbench.negotiate",
    "NextOffer": "dealbench.negotiate",
    "Offer": "dealbench.negotiate",
    "Room": "dealbench.negotiate",
    "Verdict": "dealbench.negotiate",
    "documents_for": "dealbench.render",
    "render_document": "dealbench.render",
    "source_from_result": "dealbench.render",
    "load_source": "dealbench.render",
}

__all__ = [
    "REGIMES",
    "ArgumentError",
    "Comparison",
    "ConcessionRank",
    "Counter",
    "DealFigures",
    "DealbenchError",
    "Frontier",
    "FrontierPiece",
    "FrontierPoint",
    "FrontierRounds",
    "History",
    "Improvement",
    "InfeasibleError",
    "InputError",
    "NextOffer",
    "Offer",
    "Package",
    "Partner",
    "Policy",
    "Portfolio",
    "PortfolioCheck",
    "Prices",
    "RenderError",
    "RiskReport",
    "Room",
    "SolveOptions",
    "SolveResult",
    "SolverError",
    "SolverLimitError",
    "Status",
    "SweepResult",
    "Verdict",
    "apply_overrides",
    "check",
    "compare",
    "concession_ranking",
    "conclude",
    "diff_results",
    "documents_for",
    "evaluate",
    "find_regime",
    "formulate",
    "frontier",
    "frontier_from_rounds",
    "history",
    "improvements",
    "load_negotiations",
    "load_package",
    "load_partner",
    "load_policy",
    "load_portfolio",
    "load_result",
    "load_scenario",
    "load_scenarios",
    "load_source",
    "next_offer",
    "no_deal_reasons",
    "parse_set",
    "record_counter",
    "record_offer",
    "render_document",
    "render_term_sheet",
    "replan",
    "residual",
    "risk_report",
    "room",
    "rounds_root",
    "shadow_prices",
    "solve",
    "source_from_result",
    "sweep_param",
    "sweep_scenarios",
    "us_best_at",
    "validate_file",
    "verdict",
    "walk_away",
    "zopas",
]

if TYPE_CHECKING:
    from dealbench.analyze import (
        REGIMES,
        Comparison,
        Prices,
        SolveOptions,
        SweepResult,
        apply_overrides,
        compare,
        diff_results,
        find_regime,
        load_result,
        load_scenario,
        load_scenarios,
        parse_set,
        shadow_prices,
        sweep_param,
        sweep_scenarios,
    )
    from dealbench.analyze.uncertainty import RiskReport, risk_report
    from dealbench.checker import DealFigures, PortfolioCheck, check, evaluate
    from dealbench.errors import (
        ArgumentError,
        DealbenchError,
        InfeasibleError,
        InputError,
        RenderError,
        SolverError,
        SolverLimitError,
    )
    from dealbench.model import (
        Package,
        Partner,
        Policy,
        Portfolio,
        load_package,
        load_partner,
        load_policy,
        load_portfolio,
        validate_file,
    )
    from dealbench.negotiate import (
        ConcessionRank,
        Counter,
        Frontier,
        FrontierPiece,
        FrontierPoint,
        FrontierRounds,
        History,
        Improvement,
        NextOffer,
        Offer,
        Room,
        Verdict,
        concession_ranking,
        conclude,
        frontier,
        frontier_from_rounds,
        history,
        improvements,
        load_negotiations,
        next_offer,
        record_counter,
        record_offer,
        replan,
        residual,
        room,
        rounds_root,
        us_best_at,
        verdict,
        walk_away,
        zopas,
    )
    from dealbench.optimize import SolveResult, Status, formulate, solve
    from dealbench.optimize.explain import no_deal_reasons
    from dealbench.render import (
        documents_for,
        load_source,
        render_document,
        render_term_sheet,
        source_from_result,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dealbench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    if isinstance(value, FunctionType):  # its plain arguments checked (`arguments.checked`)
        from dealbench.arguments import checked

        call = checked(value)
        if call is not value:  # pickled, it is found here: `dealbench.solve`
            call.__module__, call.__qualname__ = __name__, name
        value = call
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names and every export not yet imported: `dir(dealbench)`, a notebook's
    completion of `dealbench.` and `help(dealbench)` (pydoc lists what `dir` gives) showed
    `__getattr__` alone, the exported calls imported on first use only."""
    return sorted({*globals(), *__all__})
