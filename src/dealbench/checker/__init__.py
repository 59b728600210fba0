"""The independent checker: every figure and every limit of a package, recomputed.

It uses the model alone, no solver, so it vets the optimizer's answers, a
hand-written offer and a partner's counter alike. The optimizer's own figures
are never shown to a user: they are recomputed here.

One deal's figures (`deal`: `evaluate`, `DealFigures`; the limits it breaks in
`deal_limits`), packages together against the shared limits (`portfolio_check`:
`check`, `PortfolioCheck`), the shared limits left without room (`used_up`), and the
tolerances all of them allow (`tolerance`).
"""

from dealbench.checker.deal import DealFigures, evaluate
from dealbench.checker.portfolio_check import PortfolioCheck, check, figures_of, known_figures

__all__ = ["DealFigures", "PortfolioCheck", "check", "evaluate", "figures_of", "known_figures"]
