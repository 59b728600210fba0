"""The move a verdict recommends on a counter, and its reason (docs/negotiation.md, "The
verdict on a counter", item 5): accept our standing offer taken word for word; counter a
package that breaks a limit, or that leaves the portfolio below walking away; accept one
that leaves it at least where our next offer would; counter otherwise. `verdict` weighs
the figures; this module says what they come to.
"""

from __future__ import annotations

from typing import Literal

from dealbench.checker import DealFigures
from dealbench.figures import usd_change
from dealbench.limit import Limit, broken_messages
from dealbench.negotiate.rounds.negotiation import Round, same_terms
from dealbench.render.filters import money, plural

Move = Literal["accept", "counter", "walk away"]

#: USD: two figures of the portfolio this close are level. Each is a re-plan of the open
#: negotiations, solved to a relative gap: the same deals re-planned two ways (the counter
#: fixed, the rest re-planned; our next offer's target, the others held) can come out
#: $500,000 apart on $159bn.
LEVEL = 1e6

__all__ = ["Move", "accepts_standing", "next_target", "recommend", "standing_offer"]


def next_target(
    next_value: float, accepted: float | None, target: float, next_us: float | None, others: bool
) -> str:
    """The portfolio at our next offer's target, said apart from what the offer gives: the
    target is the US utility the strategy asks of the deal, a floor; the package found for it
    (the offer `offer` records, printed beside the counter) may give more (qa40-docs: the
    status memo's "target ($72.43bn for this deal)" stood beside a next offer of $73.974bn,
    with nothing to say which was which)."""
    held = ", the others held at the plan" if others else ""
    gives = "" if next_us is None else f"; the next offer itself gives the US {money(next_us)}"
    return (
        f"{money(next_value, apart=accepted)} of our next offer's target (the plan with this "
        f"deal at the {money(target)} of US utility our strategy now asks of it{held}{gives})"
    )


def standing_offer(offer: Round | None, figures: DealFigures) -> Round | None:
    """Our last offer when `figures` are its very terms (the partner takes our standing
    offer as it was made), else None."""
    if offer is None or offer.figures is None or not same_terms(offer.figures, figures):
        return None
    return offer


def accepts_standing(
    offer: Round,
    figures: DealFigures,
    accepted: float,
    walk: float,
    target: float | None,
    next_value: float | None,
    next_us: float | None,
    others: bool,
) -> str:
    """The reason to accept a counter that takes our standing offer word for word, and
    what the plan's move since it was made costs. An offer stands until another replaces
    it: a partner who accepts it has accepted it (qa33-neg; qa32-neg's SG was told COUNTER
    of our own offer of round 1 once IN had walked away, $10m short of the next offer)."""
    code = figures.partner
    said = (
        f"it is our offer of round {offer.number} ({offer.name}), word for word: {code} "
        "accepts our standing offer"
    )
    replanned = " with the rest re-planned" if others else ""
    moved = []
    if target is None or next_value is None:
        moved.append(
            f"no package with {code} is now better for the US than no deal, with the other "
            "partners held at the plan"
        )
    elif accepted < next_value - LEVEL:
        moved.append(
            f"accepting leaves the portfolio at {money(accepted, apart=next_value)}{replanned}, "
            f"less than the {next_target(next_value, accepted, target, next_us, others)}"
        )
    if accepted < walk - LEVEL:
        moved.append(
            f"it leaves the portfolio below the {money(walk, apart=accepted)} of walking away "
            f"from {code}"
        )
    if not moved:
        return said
    return (
        f"{said}; the plan has moved since it was made: {'; '.join(moved)}. An offer is "
        "withdrawn by making another before it is accepted, not after"
    )


def recommend(
    figures: DealFigures,
    violations: list[Limit],
    accepted: float | None,
    walk: float,
    target: float,
    next_value: float,
    next_us: float | None = None,
    others: bool = True,
) -> tuple[Move, str]:
    """The move and its reason; `others`: other negotiations are open (re-planned around
    the counter, held at the plan beside our next offer)."""
    replanned = " with the rest re-planned" if others else ""
    ours = next_target(next_value, accepted, target, next_us, others)
    if violations:  # counted and worded as the verdict lists them: a cap over in 4 periods is 1
        lines = broken_messages(violations)
        broken = f"it breaks {plural(len(lines), 'limit')}: {'; '.join(lines)}"
        return "counter", broken + _estimate_doubted(figures, violations, next_us)
    if accepted is not None and accepted < walk - LEVEL:  # a counter no strategy would reach
        below = (
            f"accepting leaves the portfolio at {money(accepted, apart=walk)}, below the "
            f"{money(walk, apart=accepted)} of walking away from {figures.partner}"
        )
        if next_value < walk - LEVEL:
            return "counter", below
        # Why counter and not walk away, in figures: a deal with the partner still beats
        # walking away (the walk-away rule came first and did not apply), so the talks go
        # on (qa46-negotiate2: "below ... walking away", then COUNTER, read as a non sequitur).
        return "counter", (
            f"{below}; yet a deal with {figures.partner} still beats walking away, at the "
            f"{ours}: so counter, not walk away"
        )
    if accepted is None:
        return "counter", "with it fixed, the other open negotiations could not be re-planned"
    if accepted >= next_value - LEVEL:
        # "at least" only of a figure that is: $159.3433bn read "at least the $159.3438bn"
        # of a next offer that was the counter itself, re-planned apart (qa48-negotiate).
        short = next_value - accepted
        reach = (
            f"at least the {ours}"
            if short < 1.0  # as `money(apart=...)` prints them: the same
            else f"level with the {ours}, to within the re-plans' precision ({money(LEVEL)}): "
            f"{money(short)} short"
        )
        return "accept", (
            f"accepting leaves the portfolio at {money(accepted, apart=next_value)}{replanned}, "
            f"{reach}"
        )
    return "counter", (
        f"accepting leaves the portfolio at {money(accepted, apart=next_value)}{replanned}, "
        f"less than the {ours}"
    )


def _estimate_doubted(figures: DealFigures, violations: list[Limit], next_us: float | None) -> str:
    """Where the only limit a counter breaks is the partner's own refusal by our estimate of
    its walk-away value, and it gives the US more than our next offer: that the partner,
    proposing it, says it would accept, so our estimate may be too high (qa49-negotiate:
    CH's counter, $750m better for the US, was COUNTERed with nothing to say why a
    partner would refuse its own proposal)."""
    if next_us is None or any(v.kind != "acceptance" for v in violations):
        return ""
    _, _, more = usd_change(next_us, figures.us_value)
    if not more.startswith("+"):
        return ""
    code = figures.partner
    return (
        f"; yet {code} proposes it, and it gives the US {more[1:]} more than our next offer: "
        f"if {code} would accept it, our estimate of its walk-away value is too high "
        f"(correct it in {code}'s partner file and weigh the counter again)"
    )
