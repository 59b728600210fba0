"""A US offer that gives the partner less than our last offer did: a retreat, recorded only
when the negotiator allows it (docs/negotiation.md, "Taking back what was offered").

Switching strategy midway (a Boulware offer after a linear one) moved the target back toward
the ideal, and `offer` recorded a package worth $6bn less to the UAE than the offer before
it, with only a clause deep in the reason to say so (qa34-newuser). A partner reads such an
offer as going back on one's word; the negotiator is told, and asked, first.
"""

from __future__ import annotations

from dealbench.checker import DealFigures
from dealbench.errors import ArgumentError, Chosen
from dealbench.figures import usd_change
from dealbench.negotiate.rounds.negotiation import Round

__all__ = ["gives_less", "refuse_retreat", "retreat_words"]


def gives_less(before: DealFigures, now: DealFigures) -> bool:
    """Whether `now` gives the partner less than `before` did (beyond a dollar of rounding)."""
    return now.partner_utility <= before.partner_utility - 1.0


def retreat_words(last: Round | None, now: DealFigures) -> str:
    """What an offer takes back from our last one ("the offer gives AE $8.05bn, less than our
    offer of round 3 did ($14.05bn)"), or "" when it takes nothing back. A last offer that
    breaks a limit of its own could not be accepted: replacing it takes nothing back."""
    before = last.figures if last is not None else None
    if last is None or before is None or before.violations or not gives_less(before, now):
        return ""
    # With the decimals that tell them apart: a retreat of $15,000 read "gives IN $2.05bn,
    # less than our offer of round 1 did ($2.05bn)" (qa44-negotiate).
    then, given, _ = usd_change(before.partner_utility, now.partner_utility)
    return (
        f"the offer gives {now.partner} {given}, less than our offer of "
        f"round {last.number} did ({then})"
    )


def refuse_retreat(
    said: str, last: Round, strategy: tuple[int, str] | None, accept: int | None = None
) -> ArgumentError:
    """The refusal of a retreat not allowed: what it takes back and why (`said`), and what
    to do instead: `accept`, the round of the partner's counter worth the offer's target to
    the US (the verdict accepts it: the partner asked for no more); `strategy`, the round
    and name of the one that runs on, when its target would take nothing back."""
    code = last.package.partner if last.package is not None else "the partner"
    instead = (
        [f"continue with the strategy of round {strategy[0]} ({strategy[1]})"] if strategy else []
    )
    instead.append(f"offer a package of your own that gives {code} no less (")
    # A target raised to what the partner's own counter is worth takes back what the
    # partner gave up itself: "offer a package of your own that gives SG no less" alone
    # advised more than SG asked for, beside a verdict saying ACCEPT (qa47-negotiate).
    agreed = (
        f"accept {code}'s counter of round {accept}, which is worth the target to the US "
        f"(conclude the deal on round {accept}), or "
        if accept is not None
        else ""
    )
    own = Chosen(  # as each shell records a package of one's own (the web: its editor)
        "own-offer",
        f"{said}. Nothing was recorded: an offer that takes back part of what our last "
        f"one gave {code} is recorded only when the retreat is allowed; otherwise "
        f"{agreed}{' or '.join(instead)}",
        ")",
    )
    refused = ArgumentError("allow_retreat", own.words())
    refused.issues[0] = refused.issues[0].choosing(own)
    return refused
