"""The note of a bargaining point (`solve --mode nash | kalai`): how close to the best its
packages are, who gets no deal or no gain and why, and what the rounding says."""

from __future__ import annotations

import math
from collections.abc import Sequence

from dealbench.model.portfolio import Portfolio
from dealbench.optimize.bargain.nash import NO_GAIN
from dealbench.optimize.formulation import MONEY, Mode
from dealbench.optimize.objectives import Ideals
from dealbench.optimize.result import SolveResult
from dealbench.result_words import STEPS_SAID, nash_bound_words, product_loss

#: A Nash bound B - L below this many log units is floating-point noise: 0.
LOG_NOISE = 1e-12


def note(
    portfolio: Portfolio,
    mode: Mode,
    result: SolveResult,
    ideals: Ideals,
    bargained: Ideals,
    require: Sequence[str],
    value: float,
    unrounded: float,
    top: float,
    step: float = 0.0,
) -> str:
    """The bargaining point's message: how close to the best it is (`bound_note`), who
    gets no deal or no gain and why, and what the rounding says. Writes the bound's
    figures, and how many partners are left without a gain, into `result`'s details.
    `step`: the H100e the point was solved in whole steps of (0: continuous), which decide
    what the limits allow, so the zones and gains are said in them."""
    bound = bound_note(mode, value, unrounded, top, result.solver.details)
    # In whole steps a partner can have no gain where continuous amounts give one
    # (qa47-verify's seed 6, tiny-zopa: no partner gains in steps of 5,000 H100e).
    steps = f" in whole steps of {step:,.0f} H100e" if step > 0 else ""
    no_zopa = [p.code for p in portfolio.partners if p.code not in ideals]
    forced = [code for code in no_zopa if code in require]
    no_zopa = [code for code in no_zopa if code not in require]
    left = [code for code in ideals if code not in bargained]
    if left:
        result.solver.details["partners_left_without_gain"] = float(len(left))
    held = [code for code in left if code in require]  # their deal stands, outside
    left = [code for code in left if code not in require]
    # kalai at tau 0: the limits cannot give every partner a share at once, so any set of
    # deals has tau 0 and the second stage's sum of shares chose; say who gains nothing.
    gainless = (
        [code for code in ideals if code not in require and gainless_in(portfolio, result, code)]
        if mode == "kalai" and result.us_value is not None and value <= NO_GAIN
        else []
    )
    if mode == "nash" and left and not bargained:
        # None gains: the product is over none, 1, and that is exact (its bound was the
        # MIP's stand-in logs for the partners left out, -600 for three).
        bound = (
            f"the limits{steps} give no partner with a zone of agreement a gain, so the "
            "Nash product is over none: 1 (log 0), exact"
        )
    message = (
        f"{mode}: {bound}."
        + (f" No zone of agreement{steps}, so no deal: {', '.join(no_zopa)}." if no_zopa else "")
        + (
            f" No deal: {', '.join(left)}."
            if left and not bargained
            else f" The limits{steps} cannot give every partner with a zone of agreement a "
            f"gain at once, so no deal (the Nash product is over the others): {', '.join(left)}."
            if left
            else ""
        )
        + (
            f" {_tau_zero_cause(result.solver.details)}; no gain for: {', '.join(gainless)}."
            if gainless
            else ""
        )
        + (
            " Required, but the limits cannot give them a gain with the others, so their "
            f"deals stand outside the Nash product: {', '.join(held)}."
            if held
            else ""
        )
        + (
            f" No zone of agreement, but a deal is required: {', '.join(forced)}"
            " (outside the bargaining objective)."
            if forced
            else ""
        )
    )
    if result.message:  # what the rounding says (a refined step, unrounded amounts)
        message += f" {result.message}"
    return message


def bound_note(
    mode: Mode, value: float, unrounded: float, top: float, details: dict[str, float]
) -> str:
    """What the packages returned are worth against the best: kalai's tau (and the
    optimizer's, when whole steps moved it); nash's bound B - L with L the log-product of
    the packages returned, in two parts where whole steps cost some: L' - L (L' the
    continuous point's, `unrounded`) and the tangent cuts' rest (all kept in `details`)."""
    if mode == "kalai":
        details["tau"] = value
        if "tau_bound" in details:
            return (
                f"stopped by the time limit: every share at least tau = {value:.4f}, and no "
                f"point has a tau above {details['tau_bound']:.4f}"
            )
        if "tau_not_proven" in details:
            return (
                f"stopped by the time limit: every share at least tau = {value:.4f}, the "
                "best found, not proven the best (the solver gave no bound on tau)"
            )
        if "shares_not_maximised" in details:
            return (
                f"every share at least tau = {value:.4f}, exact within the gap; the time "
                "limit stopped the second stage, so the sum of shares at that tau is not "
                "proven the largest"
            )
        if "tau_relaxation_bound" in details:
            # CBC's optimum, its proof not taken (`kalai.kalai_point`): the bound that holds
            return (
                f"every share at least tau = {value:.4f}, CBC's optimum, not proven the best "
                "(CBC's search has called a point short of the best optimal); no point has a "
                f"tau above {details['tau_relaxation_bound']:.4f} (the continuous relaxation)"
            )
        if abs(value - unrounded) <= 5e-5:
            return f"exact within the gap (every share at least tau = {value:.4f})"
        return (
            f"tau = {unrounded:.4f}, exact within the gap, before whole steps; in whole steps "
            f"every share is at least tau = {value:.4f}"
        )
    # A bound within floating-point noise of the point (4.44e-16 where B and L are the
    # same sum added in another order, qa44-bargain) is said as the 0 it is.
    error = top - value if math.isfinite(value) else math.inf
    error = 0.0 if error <= LOG_NOISE else error
    details["log_error_bound"] = error
    details["product_ratio_bound"] = math.exp(-error) if math.isfinite(error) else 0.0
    if not math.isfinite(value):
        return "a partner with a zone of agreement ends with no gain: no bound"
    # B - L in two parts: what the packages in whole steps lost against the continuous
    # point solved (L' - L, computed), and the tangent cuts' part, the rest (B - L').
    steps = max(unrounded - value, 0.0) if math.isfinite(unrounded) else 0.0
    details["log_error_steps"] = steps
    if not math.isfinite(top):
        return (
            "stopped by the time limit before the solver proved a bound: the Nash product "
            "found is not proven within any factor of the best"
            + (
                f"; in whole steps it is {product_loss(steps)} below the continuous point found"
                if steps > STEPS_SAID
                else ""
            )
        )
    cuts = max(error - steps, 0.0)
    if cuts <= 1e-12 * max(1.0, error):  # the difference's float noise (8.88e-16), not a part
        cuts = 0.0
    details["log_error_cuts"] = cuts
    return f"the Nash product is {nash_bound_words(error, cuts, steps)}"


def _tau_zero_cause(details: dict[str, float]) -> str:
    """Why kalai's tau is 0, and what the deals then are: proven (the limits cannot give
    every partner a gain at once) only when no tau above 0 is left; else the time limit
    stopped the search first."""
    bound = details.get("tau_bound")
    if "tau_not_proven" in details or (bound is not None and bound > NO_GAIN):
        return (
            "The time limit stopped the search before it found a tau above 0, so the deals "
            "are those with the largest sum of shares found at tau 0, not proven the best"
        )
    return (
        "The limits cannot give every partner with a zone of agreement a gain at once, so "
        "tau is 0 and the deals are those with the largest sum of shares"
    )


def gainless_in(portfolio: Portfolio, result: SolveResult, code: str) -> bool:
    """Whether a side of partner `code` gains nothing (a dollar or less) in `result`."""
    p = portfolio.partner(code)
    assert p is not None
    deal = result.deal(code)
    if deal is None:
        return True
    gains = (deal.us_value - p.us_batna, deal.partner_utility - p.batna)
    return min(gains) <= NO_GAIN * MONEY
