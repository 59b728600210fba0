"""dealbench: a workbench for negotiating bilateral AI-compute deals.

The public API, in pipeline order::

    from dealbench import load_portfolio, solve, check, evaluate, load_package

    portfolio = load_portfolio("deals/portfolios/gulf-asia.yaml")
    result = solve(portfolio)                      # best packages, already checked
    verdict = check(portfolio, [d.package() for d in result.deals])
    counter = evaluate(portfolio, load_package("deals/packages/ae-counter.yaml", portfolio))

Names are imported on first use, so `import dealbench` (and `dealbench --help`)
stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
    "apply_overrides": "dealbench.analyze",
    "parse_set": "dealbench.analyze",
    "compare": "dealbench.analyze",
    # negotiate: the frontier and bargaining points
    "frontier": "dealbench.negotiate",
    "us_best_at": "dealbench.negotiate",
    "residual": "dealbench.negotiate",
    "zopas": "dealbench.negotiate",
    "Frontier": "dealbench.negotiate",
    "FrontierPoint": "dealbench.negotiate",
}

__all__ = [
    "ConcessionRank",
    "DealFigures",
    "DealbenchError",
    "Frontier",
    "FrontierPoint",
    "Improvement",
    "InfeasibleError",
    "InputError",
    "Package",
    "Partner",
    "Policy",
    "Portfolio",
    "PortfolioCheck",
    "SolveResult",
    "Status",
    "apply_overrides",
    "check",
    "compare",
    "concession_ranking",
    "conclude",
    "evaluate",
    "formulate",
    "frontier",
    "history",
    "improvements",
    "load_negotiations",
    "load_package",
    "load_partner",
    "load_policy",
    "load_portfolio",
    "next_offer",
    "parse_set",
    "record_counter",
    "record_offer",
    "render_term_sheet",
    "replan",
    "residual",
    "room",
    "rounds_root",
    "solve",
    "us_best_at",
    "validate_file",
    "verdict",
    "walk_away",
    "zopas",
]

if TYPE_CHECKING:
    from dealbench.analyze import apply_overrides, compare, parse_set
    from dealbench.checker import DealFigures, PortfolioCheck, check, evaluate
    from dealbench.errors import DealbenchError, InfeasibleError, InputError
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
        Frontier,
        FrontierPoint,
        Improvement,
        concession_ranking,
        conclude,
        frontier,
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
    from dealbench.render import render_term_sheet


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dealbench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
