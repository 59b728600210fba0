"""The options memo's recommendation: the regimes ranked in words.

Who gives the United States the most, which regimes tie (and which of them carries the
least risk), the runner-up and its lead, and how much of a lead is only a dearer price of
risk. `analyze.memo` puts it in the memo's facts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from dealbench.analyze.compare import RegimeRow
from dealbench.optimize import Status
from dealbench.render.filters import exact_total, h100e, money, plural

#: How the debate names each shipped regime.
OPTION_NAMES = {
    "tiered": "a tier framework shaped like the 2025 diffusion rule",
    # Tier 1 stays uncapped under it (monopoly.yaml): under global it exports 2.27m H100e
    # to JP, KR, GB and TW, which "an American compute monopoly" said it did not (qa48-docs).
    "monopoly": "a compute monopoly shared with the tier 1 allies",
    "repeal": "repeal without replacement",
    "bilateral": "bilateral deals under security conditions",
}


def exported(row: RegimeRow) -> float:
    """The compute a regime exports over the horizon, as every page prints it: the exact
    sum, rounded (`exact_total`), never above the supply it uses in full."""
    return exact_total(row.compute.values())


def _risk(row: RegimeRow) -> float:
    """A ranked regime's risk (a ranked regime has figures)."""
    return row.risk_total or 0.0


def recommendation(ranked: list[RegimeRow], unranked: Sequence[RegimeRow] = ()) -> str:
    """The options' ranking in words; a solve the time limit stopped proved nothing best,
    so then the text ranks the packages found and recommends none. With none `ranked`, what
    kept each regime of `unranked` (those without figures) from any."""
    if not ranked:
        return _none_ranked(unranked)
    return _ranking(ranked) + _stopped(ranked)


def _none_ranked(unranked: Sequence[RegimeRow]) -> str:
    """Why no regime has figures: a solve the time limit stopped before any deal found
    nothing and proved nothing unsolvable ("No regime gave a solvable portfolio" said so of
    every regime stopped), so it says to solve again with a longer limit; another failure
    is the one the memo lists."""
    stopped = [r.regime for r in unranked if r.status in _STOPPED]
    failed = [r.regime for r in unranked if r.status not in _STOPPED]
    said = []
    if stopped:
        solves = "solve" if len(stopped) == 1 else "solves"
        they = "it" if len(stopped) == 1 else "they"
        said.append(
            f"the time limit stopped the {solves} under {join_items(stopped)} before {they} "
            "found any deal (which does not show that none exists): solve again with a "
            "longer time limit"
        )
    if failed:
        said.append(f"under {join_items(failed)}, the solve failed (see the failures below)")
    if not said:
        return "No regime was solved."
    return f"No regime has figures to compare, so none is recommended: {'; '.join(said)}."


#: How a solve stopped by its time limit before any package ends.
_STOPPED = (Status.TIME_LIMIT, Status.NO_SOLUTION)


def _stopped(ranked: list[RegimeRow]) -> str:
    stopped = [r.regime for r in ranked if r.status == Status.TIME_LIMIT]
    if not stopped:
        return ""
    solves = "solve" if len(stopped) == 1 else "solves"
    return (
        f" The {solves} under {join_items(stopped)} stopped at the time limit: the figures are "
        "of the best packages found before it, not proven the best there are, so this "
        "ranking may change and recommends no option; solve again with a longer time limit "
        "before deciding."
    )


def _ranking(ranked: list[RegimeRow]) -> str:
    best = ranked[0]
    proven = all(r.status != Status.TIME_LIMIT for r in ranked)
    tied = [r for r in ranked[1:] if _lead(best, r) <= _tie(best)]
    if tied:  # the numbers do not pick one: say so, and what does differ
        together = [best, *tied]
        text = (
            f"{upper_first(join_items([option_name(r) for r in together]))} give the United States the same "
            f"utility, {money(best.us_value)}: on these figures they are equivalent, and the "
            "choice rests on what the model leaves out (enforcement cost, credibility, "
            "precedent)."
        )
        safest = min(together, key=_risk)
        riskiest = max(together, key=_risk)
        if _risk(safest) < _risk(riskiest) - 0.5:
            # Those level with the safest share "the least risk": none is the only one.
            least = [r for r in together if _risk(r) <= _risk(safest) + 0.5]
            verb = "carries" if len(least) == 1 else "carry"
            text += (
                f" Of these, {join_items([option_name(r) for r in least])} {verb} the least risk "
                f"({h100e(safest.risk_total)} against {h100e(riskiest.risk_total)})."
            )
        return text
    lead = (
        f"Adopt {option_name(best)}: it gives"
        if proven
        else f"Of the packages found, those under {option_name(best)} give"
    )
    if len(ranked) == 1:  # nothing to rank it against: not "the highest", nor "Adopt"
        lead = f"Only {option_name(best)} was solved: it gives"
    highest = "the highest utility, " if len(ranked) > 1 else ""
    made = (
        f"{plural(best.deals, 'deal')}, {h100e(exported(best))} H100e exported and "
        f"{h100e(best.risk_total)} risk-weighted H100e of risk"
        if best.deals
        else "no deal: nothing exported, no risk"
    )
    text = f"{lead} the United States {highest}{money(best.us_value)}, with {made}."
    if len(ranked) == 1:
        text += " There is no other option to weigh it against."
    if len(ranked) > 1:
        second = ranked[1]
        # Regimes tied with the runner-up share its place: none of them is "the" runner-up.
        seconds = [r for r in ranked[1:] if _lead(second, r) <= _tie(second)]
        who = (
            f"The runner-up is {second.regime}"
            if len(seconds) == 1
            else f"The runners-up, tied, are {join_items([r.regime for r in seconds])}"
        )
        text += f" {who} at {money(second.us_value)}, {money(_lead(best, second))} less."
        safer = [r for r in seconds if _risk(r) < _risk(best) - 0.5]
        if safer:
            verb = "carries" if len(safer) == 1 else "carry"
            shown = [h100e(r.risk_total) for r in safer]
            risks = shown[0] if len(set(shown)) == 1 else join_items(shown)  # "0", not "0 and 0"
            text += (
                f" {upper_first(join_items([option_name(r) for r in safer]))} {verb} less risk "
                f"({risks} against {h100e(best.risk_total)})."
            )
        text += _at_one_price(best, second)
    return text


def _at_one_price(best: RegimeRow, second: RegimeRow) -> str:
    """Where the best prices risk otherwise than the runner-up, its packages valued at the
    runner-up's price: how much of its lead is the price, not the packages."""
    if same_penalty(best, second):
        return ""
    at = (best.us_value or 0.0) - (second.risk_penalty - best.risk_penalty) * _risk(best)
    gap = at - (second.us_value or 0.0)
    if abs(gap) <= _tie(second):
        than = f"as much as {second.regime}: its lead is its price of risk, not its packages"
    else:
        than = f"{money(abs(gap))} {'more' if gap > 0 else 'less'} than {second.regime}"
    return (
        f" {best.regime} prices a risk-weighted H100e at {money(best.risk_penalty)}, "
        f"{second.regime} at {money(second.risk_penalty)}: at {second.regime}'s price, its "
        f"packages held fixed, {best.regime} gives {money(at)}, {than}."
    )


def option_name(r: RegimeRow) -> str:
    return f"{OPTION_NAMES.get(r.regime, r.title)} ({r.regime})"


def _lead(best: RegimeRow, other: RegimeRow) -> float:
    return (best.us_value or 0.0) - (other.us_value or 0.0)


def _tie(best: RegimeRow) -> float:
    from dealbench.analyze.compare import tie

    return tie(best.us_value)


def join_items(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def same_penalty(best: RegimeRow, other: RegimeRow) -> bool:
    return math.isclose(best.risk_penalty, other.risk_penalty, rel_tol=1e-9)
