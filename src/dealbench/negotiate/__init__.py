"""Negotiation: the frontier, bargaining points, rounds, verdicts, next offers and the deal room.

A layer above `solve` and `check`: plain functions that call them, never the
other way round. It is the upper of the two analysis layers: it runs its solves on
`analyze`'s executor (`analyze.parallel`), and nothing of `analyze` imports it.

    from dealbench import load_portfolio, record_offer, record_counter, room, rounds_root

    pf = load_portfolio("deals/portfolios/gulf-asia.yaml")
    root = rounds_root(Path("deals/portfolios/gulf-asia.yaml"), pf)   # deals/rounds/gulf-asia
    offer = record_offer(pf, root, "AE", strategy="boulware")
    counter = record_counter(pf, root, "AE", Path("counter.yaml"))
    print(counter.verdict.recommendation, counter.verdict.reason)
    print(room(pf, root).rows)
"""

from dealbench.negotiate.bargaining import zopas
from dealbench.negotiate.build import frontier
from dealbench.negotiate.frontier import (
    Axis,
    Frontier,
    FrontierPiece,
    FrontierPoint,
    FrontierRounds,
    point_of,
    us_best_at,
)
from dealbench.negotiate.logroll import (
    ConcessionRank,
    Improvement,
    concession_ranking,
    improvements,
    none_found,
)
from dealbench.negotiate.offers.strategies import NextOffer, next_offer
from dealbench.negotiate.offers.strategy_args import STRATEGIES
from dealbench.negotiate.plan import Plan, replan
from dealbench.negotiate.record import (
    Counter,
    Offer,
    conclude,
    record_counter,
    record_offer,
    walk_away,
)
from dealbench.negotiate.replan import residual, solve_with_floor
from dealbench.negotiate.room import History, Room, history, room
from dealbench.negotiate.rounds.negotiation import Negotiation, Round, RoundFile, rounds_root
from dealbench.negotiate.rounds.read import load_negotiation, load_negotiations
from dealbench.negotiate.rounds_frontier import frontier_from_rounds
from dealbench.negotiate.verdict import Verdict, verdict

__all__ = [
    "STRATEGIES",
    "Axis",
    "ConcessionRank",
    "Counter",
    "Frontier",
    "FrontierPiece",
    "FrontierPoint",
    "FrontierRounds",
    "History",
    "Improvement",
    "Negotiation",
    "NextOffer",
    "Offer",
    "Plan",
    "Room",
    "Round",
    "RoundFile",
    "Verdict",
    "concession_ranking",
    "conclude",
    "frontier",
    "frontier_from_rounds",
    "history",
    "improvements",
    "load_negotiation",
    "load_negotiations",
    "next_offer",
    "none_found",
    "point_of",
    "record_counter",
    "record_offer",
    "replan",
    "residual",
    "room",
    "rounds_root",
    "solve_with_floor",
    "us_best_at",
    "verdict",
    "walk_away",
    "zopas",
]
