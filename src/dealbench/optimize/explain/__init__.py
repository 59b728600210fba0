"""Why a solve has no answer, and why a partner has no deal, in the user's words.

Reading order: `data` (what an explanation says, as data: `Relaxation`, `Explanation`,
`NoDeal`), `relax_words` (a relaxation's sentences), `slack_model` (the plain model with
penalised slack on named groups of constraints), `infeasible` (why there is no answer),
`shared_limits` (a deal the shared limits give to others) and `no_deal` (why a partner
gets no deal). It re-solves through `optimize.solve` and `plain` (inside functions);
nothing in the solve pipeline imports it.
"""

from dealbench.optimize.explain.data import Explanation, NoDeal, Relaxation
from dealbench.optimize.explain.infeasible import explain_infeasible, raise_explained
from dealbench.optimize.explain.no_deal import best_alone, caps_lifted, no_deal_reasons, why_no_deal
from dealbench.optimize.explain.shared_limits import shortfall

__all__ = [
    "Explanation",
    "NoDeal",
    "Relaxation",
    "best_alone",
    "caps_lifted",
    "explain_infeasible",
    "no_deal_reasons",
    "raise_explained",
    "shortfall",
    "why_no_deal",
]
