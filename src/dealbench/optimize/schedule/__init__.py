"""Putting amounts on the step: the schedule a negotiator can sign, with every choice fixed.

Reading order: `signable` (the stages, in order, and what each result says), `smooth`
(the smooth schedule: four lexicographic LPs), `grid` (whole steps: the allowed amounts
and the bounds every rounding keeps), `remainder` (largest remainders), `closest` (the
closest grid schedule, a small MIP, when the remainders fail) and `dips` (one-unit dips
filled). It imports the plain model (`formulate`) and `highs`; `finish` and `reserve`
import it, never the other way round.
"""

from dealbench.optimize.schedule.signable import Scheduled, finer, packages_of, schedule, steps

__all__ = ["Scheduled", "finer", "packages_of", "schedule", "steps"]
