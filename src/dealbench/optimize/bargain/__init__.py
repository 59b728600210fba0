"""Bargaining solutions over the whole portfolio (`solve --mode nash | kalai`).

Reading order: `solve` (each partner's ideal gains, then the point, and the result),
`nash` (the log Nash product under tangent cuts), `kalai` (max tau, partner by partner
when it can), `steps` (nash's point climbed over the grid) and `words` (the point's
note). It calls `best` for each partner's ideal gains; only `optimize.solve` imports it.
"""

from dealbench.optimize.bargain.solve import GAIN_TOL, solve_bargaining

__all__ = ["GAIN_TOL", "solve_bargaining"]
