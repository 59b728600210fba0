"""The rounds folder on disk: deals/rounds/<portfolio>/<CODE>/, its files and their rules.

Reading order: `negotiation` (a round as read, a negotiation's rounds, where a
portfolio's rounds live, what rounds weigh together), `check` (the rules a folder keeps
as a whole, and a new round's checks), `read` (every partner's negotiation, or one),
`lock` (locks on a folder and on the file a round goes to) and `write` (appending a
round, never over another). It imports no other module of `negotiate`: every other
one reads the rounds through it.
"""

from dealbench.negotiate.rounds.negotiation import Negotiation, Round, RoundFile, rounds_root
from dealbench.negotiate.rounds.read import load_negotiation, load_negotiations

__all__ = [
    "Negotiation",
    "Round",
    "RoundFile",
    "load_negotiation",
    "load_negotiations",
    "rounds_root",
]
