"""What the explanations say, as data: `optimize.reasons` (below the explanations, so that
a result can carry its reasons: `SolveResult.no_deal_reasons`)."""

from dealbench.optimize.reasons import Explanation, NoDeal, Relaxation

__all__ = ["Explanation", "NoDeal", "Relaxation"]
