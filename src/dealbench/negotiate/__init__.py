"""Negotiation: rounds, verdicts on counters, next offers and the deal room (above solve and check).

from dealbench import load_portfolio, record_offer, record_counter, room

pf = load_portfolio("deals/portfolios/gulf-asia.yaml")
root = rounds_root(Path("deals/portfolios/gulf-asia.yaml"), pf)   # deals/rounds/gulf-asia
offer = record_offer(pf, root, "AE", strategy="boulware")
counter = record_counter(pf, root, "AE", Path("counter.yaml"))
print(counter.verdict.recommendation, counter.verdict.reason)
print(room(pf, root).rows)
"""

from dealbench.negotiate.plan import Plan, replan
from dealbench.negotiate.record import (
    Counter,
    Offer,
    conclude,
    record_counter,
    record_offer,
    walk_away,
)
from dealbench.negotiate.room import History, Room, history, room
from dealbench.negotiate.rounds import (
    Negotiation,
    Round,
    RoundFile,
    load_negotiation,
    load_negotiations,
    rounds_root,
)
from dealbench.negotiate.strategies import STRATEGIES, NextOffer, next_offer
from dealbench.negotiate.verdict import Verdict, verdict

__all__ = [
    "STRATEGIES",
    "Counter",
    "History",
    "Negotiation",
    "NextOffer",
    "Offer",
    "Plan",
    "Room",
    "Round",
    "RoundFile",
    "Verdict",
    "conclude",
    "history",
    "load_negotiation",
    "load_negotiations",
    "next_offer",
    "record_counter",
    "record_offer",
    "replan",
    "room",
    "rounds_root",
    "verdict",
    "walk_away",
]
