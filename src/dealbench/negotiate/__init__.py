"""Negotiation: above `solve` and `check`, nothing below imports it."""

from dealbench.negotiate.logroll import (
    ConcessionRank,
    Improvement,
    concession_ranking,
    improvements,
)

__all__ = ["ConcessionRank", "Improvement", "concession_ranking", "improvements"]
