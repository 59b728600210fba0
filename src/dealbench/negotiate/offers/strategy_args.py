"""The concession strategies by name, and the arguments that choose one: checked as given
(`offer --strategy/--deadline/--beta`), as typed in a form, and resumed from the rounds.
"""

from __future__ import annotations

import math
import re
from typing import Any

from dealbench.arguments import one_of
from dealbench.errors import ArgumentError
from dealbench.model.rounds import OFFER_MODES, STRATEGY_NAMES
from dealbench.negotiate.rounds.negotiation import Negotiation, Round

__all__ = [
    "BETAS",
    "DEFAULT_DEADLINE",
    "MODES",
    "STRATEGIES",
    "beta_typed",
    "check_strategy",
    "check_time_dependent",
    "deadline_typed",
    "resolve_strategy",
    "strategy_offer",
]


#: The concession exponent of each time-dependent tactic.
BETAS: dict[str, float] = {"boulware": 0.2, "linear": 1.0, "conceder": 5.0}


STRATEGIES: tuple[str, ...] = STRATEGY_NAMES


#: Offers at a point of the frontier rather than along a concession path.
MODES: tuple[str, ...] = OFFER_MODES


DEFAULT_DEADLINE = 6


def resolve_strategy(
    negotiation: Negotiation, strategy: str | None, deadline: int | None
) -> dict[str, Any]:
    """The next-offer strategy, deadline and beta: as asked, else as recorded in the last US
    offer that records one (a strategy, with its beta; a deadline), else Boulware with a
    deadline of 6 offers. `hold`: the strategy is no switch from the one our offers were
    chosen by (it runs on, or starts after offers at a point of the frontier or of one's
    own), so its offer takes back nothing our last offer gave (`next_offer`)."""
    out: dict[str, Any] = {
        "strategy": "boulware",
        "deadline": DEFAULT_DEADLINE,
        "beta": None,
        "hold": True,
    }
    # A Zeuthen offer, a point of the frontier or a package of one's own records no
    # deadline: the one set before still runs (a corridor's VN, deadline 4, then a Zeuthen
    # offer: the next linear offer read "past the deadline of 6 offers").
    for earlier in reversed(negotiation.offers()):
        kept = earlier.data.strategy
        if kept is not None and isinstance(kept.params.get("deadline"), int | float):
            out["deadline"] = int(kept.params["deadline"])
            break
    # The strategy too, with its beta, from the last offer that chose one by it.
    by = strategy_offer(negotiation)
    record = by.data.strategy if by is not None else None
    if record is not None:
        out["strategy"] = record.name
        if isinstance(record.params.get("beta"), int | float):
            out["beta"] = float(record.params["beta"])
    if strategy is not None and strategy != out["strategy"]:
        out["strategy"], out["beta"], out["hold"] = strategy, None, record is None
    if deadline is not None:
        out["deadline"] = deadline
    return out


def strategy_offer(negotiation: Negotiation) -> Round | None:
    """The last US offer chosen by one of the four strategies, whose strategy a next offer
    continues: a point of the frontier or a package of one's own since chose none (AE:
    linear, then `--mode nash`; the next offer fell back to Boulware's, near the ideal, a
    retreat refused)."""
    return next(
        (
            earlier
            for earlier in reversed(negotiation.offers())
            if earlier.data.strategy is not None and earlier.data.strategy.name in STRATEGIES
        ),
        None,
    )


def check_strategy(
    strategy: str | None, deadline: int | None = None, beta: float | None = None
) -> None:
    """A known strategy, a deadline of at least one offer and a positive, finite concession
    exponent (None: not given); an ArgumentError naming the argument otherwise. Calls that
    record a round check them before writing, since their next offer or verdict needs them."""
    if strategy is not None:
        one_of(strategy, STRATEGIES, "strategy", "strategy")
    if deadline is not None and (
        isinstance(deadline, bool) or not isinstance(deadline, int) or deadline < 1
    ):
        raise _deadline_refused(deadline)
    if beta is not None and not (math.isfinite(beta) and beta > 0):
        raise _beta_refused(f"{beta:g}")


def _beta_refused(got: str) -> ArgumentError:
    return ArgumentError(
        "beta",
        f"the concession exponent must be a positive number (boulware 0.2, linear 1, "
        f"conceder 5); got {got}",
    )


def beta_typed(text: str) -> float | None:
    """A concession exponent as typed in a form's field (the web's offer form): None when
    left empty (the recorded exponent runs on, else the strategy's own), else a number
    checked as `check_strategy` checks `offer --beta`, in its words."""
    text = text.strip()
    if not text:
        return None
    try:
        beta = float(text)
    except ValueError:
        raise _beta_refused(repr(text)) from None
    check_strategy(None, None, beta)
    return beta


def check_time_dependent(strategy: str, deadline: int | None, beta: float | None) -> None:
    """A deadline or an exponent given (not None) for the strategy an offer runs, which
    must use them: Zeuthen's offer follows the partner's counters, not a deadline nor an
    exponent, so `offer --strategy zeuthen --beta 2` recorded its offer and dropped the
    exponent without a word. An ArgumentError naming the first given."""
    if strategy in BETAS:
        return
    ignored = [w for w, given in (("deadline", deadline), ("beta", beta)) if given is not None]
    if ignored:
        said = {"deadline": "a deadline", "beta": "a concession exponent (beta)"}
        raise ArgumentError(
            ignored[0],
            f"{strategy} concedes by weighing the partner's last counter, not along a path "
            f"to a deadline, so {' and '.join(said[w] for w in ignored)} would be ignored; give "
            f"{'it' if len(ignored) == 1 else 'them'} only with boulware, linear or conceder",
        )


def deadline_typed(text: str) -> int | None:
    """A deadline as typed in a form's field (a shell that reads text, as the web's offer
    form): None when left empty (the recorded deadline runs on), else a whole number of US
    offers checked as `check_strategy` checks one, in its words."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"[+-]?[0-9]+", text) is None:
        raise _deadline_refused(text)
    deadline = int(text)
    check_strategy(None, deadline)
    return deadline


def _deadline_refused(got: object) -> ArgumentError:
    return ArgumentError(
        "deadline", f"expected a whole number of US offers, at least 1; got {got!r}"
    )
