"""The exact decomposition of a portfolio into per-deal blocks (the default method with HiGHS).

Reading order: `concession_sets` (each partner's Pareto-optimal concession sets),
`blocks` (one block per partner and security level), `pricing` and `master`
(column generation for the bound L), `restricted` and `coarse` (the restricted
MIPs that find and prove the optimum), `search` (the rounds), `warm` (warm
starts) and `solve` (extraction and the check). It imports from the plain model
(`formulate`, `plain`, `finish`), never the other way round.
"""

from dealbench.optimize.decomposition.solve import solve_decomposed
from dealbench.optimize.decomposition.warm import WarmStart

__all__ = ["WarmStart", "solve_decomposed"]
