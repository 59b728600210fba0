"""What the explanations say, as data: a `Relaxation` (one group of limits to change, and by
how much), an `Explanation` (why there is no answer: `optimize.explain.infeasible`) and a `NoDeal`
(why a partner gets no deal: `optimize.explain.no_deal`). Below the explanations, which
import the solve: a result carries its partners' `NoDeal`s (`SolveResult.no_deal_reasons`),
so that every output says the one reason `optimize.explain` computed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["NOT_EXPLAINED", "Explanation", "NoDeal", "Relaxation"]

#: The `NoDeal.reason` of a partner a solve left without a deal and did not explain (it
#: explains so many: `optimize.explain.no_deal.MAX_EXPLAINED`); its message says so, and how
#: to have it explained.
NOT_EXPLAINED = "not-explained"


@dataclass(frozen=True)
class Relaxation:
    """One group of constraints to relax, and by how much (USD, H100e or a yes/no)."""

    kind: str  # acceptance | cap | supply | risk-budget | requires | excludes | v-floor | required-deal
    message: str
    partner: str | None = None
    period: str | None = None
    level: str | None = None
    limit: float | None = None  # the limit as it stands
    amount: float | None = None  # how much it must move

    def as_dict(self) -> dict[str, Any]:
        """For scripts: money to the dollar, compute and risk to a thousandth of an H100e
        (the model resolves neither more finely)."""
        out = asdict(self)
        digits = 0 if self.kind in _MONEY_KINDS else 3
        for key in ("limit", "amount"):
            if out[key] is not None:
                out[key] = round(out[key], digits)
        return out


_MONEY_KINDS = ("acceptance", "v-floor", "us-value")


@dataclass(frozen=True)
class Explanation:
    """The smallest set of groups to relax, and other sets as small."""

    message: str
    relax: list[Relaxation]
    alternatives: list[list[Relaxation]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The remedy item by item, and the alternatives; none when the message, which
        ends with the remedy, says it all (one change and no other): the line repeated it."""
        if (
            len(self.relax) == 1
            and not self.alternatives
            and self.message.endswith(self.relax[0].message)
        ):
            return []
        out = [f"relax: {r.message}" for r in self.relax]
        for i, other in enumerate(self.alternatives, 1):
            out.append(f"or ({i}): " + "; ".join(r.message for r in other))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "relax": [r.as_dict() for r in self.relax],
            "alternatives": [[r.as_dict() for r in alt] for alt in self.alternatives],
        }


@dataclass(frozen=True)
class NoDeal:
    """Why the optimum leaves one partner without a deal."""

    partner: str
    reason: str  # no-acceptable-package | not-worth-it | shared-limits | whole-steps | time-limit | walked-away | not-explained
    message: str
    relax: list[Relaxation] = field(default_factory=list)
    #: The message says the partner's frontier, the other deals held, has no zone of
    #: agreement. The message is in no shell's words (it is saved in result.json and shown
    #: on the web and in memos); a shell points to where it draws that frontier (the CLI:
    #: `dealbench frontier PORTFOLIO --partner CODE`). It said "(frontier --partner CODE)"
    #: in every shell until session 42.
    frontier: bool = False

    @property
    def explained(self) -> bool:
        """It says why (not that the solve left it unexplained: `NOT_EXPLAINED`)."""
        return self.reason != NOT_EXPLAINED

    def as_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "reason": self.reason,
            "message": self.message,
            "relax": [r.as_dict() for r in self.relax],
            "frontier": self.frontier,
        }
