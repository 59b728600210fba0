"""How the next US offer is chosen: a named concession strategy, its target, the package.

Reading order: `strategies` (`next_offer`: the strategy's target, then the frontier's
package there), `strategy_args` (the strategies by name and the arguments that choose
one), `targets` (the two ends every strategy moves between, and the package at a
target), `zeuthen` (Zeuthen's target), `floor` (the least the next offer may give the
US), `fixed_terms` (`offer --fix`) and `words` (what a surprising offer's reason adds).
It builds on the frontier (`build`), the plan (`plan`, `replan`) and `rounds`;
`record`, `room` and `verdict` import it, never the other way round.
"""

from dealbench.negotiate.offers.strategies import NextOffer, next_offer
from dealbench.negotiate.offers.strategy_args import STRATEGIES

__all__ = ["STRATEGIES", "NextOffer", "next_offer"]
