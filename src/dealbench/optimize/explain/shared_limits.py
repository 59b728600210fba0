"""A partner whose deal, worth having alone, the shared limits give to others: what its best
package needs beyond what the other deals leave (`shortfall`), the least raise of supply
and risk budget that makes room for it, and the sentence that says so (`shared_limits`,
one of `optimize.explain.no_deal`'s reasons)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from dealbench.checker.used_up import used_up
from dealbench.figures import h100e
from dealbench.figures import usd as money
from dealbench.list_words import and_list, periods_said
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.explain.data import NoDeal, Relaxation
from dealbench.optimize.explain.infeasible import amount_count, explain_infeasible
from dealbench.optimize.result import SolveResult


def shortfall(
    pf: Portfolio, result: SolveResult, deal: Any
) -> tuple[dict[str, float], float | None]:
    """What `deal` (a partner's best package alone) needs beyond what `result`'s deals
    leave: the supply short in each period it needs (what is left, less than a step,
    counts as used), and the risk budget short (None when it fits)."""
    full_periods, risk_used_up = used_up(pf, result, result.compute_step)
    supply: dict[str, float] = {}
    for t in pf.periods:
        need = deal.compute.get(t, 0.0)
        left = pf.supply[t] - result.supply_used.get(t, 0.0)
        if need > 0.5 and (t in full_periods or left + 0.5 < need):
            supply[t] = need - max(left, 0.0)
    budget = pf.risk_budget
    risk_left = 0.0 if budget is None else budget - result.risk_total
    short = budget is not None and deal.risk > 0.5 and (risk_used_up or risk_left + 0.5 < deal.risk)
    return supply, (deal.risk - max(risk_left, 0.0)) if short else None


def shared_limits(
    pf: Portfolio,
    result: SolveResult,
    code: str,
    deal: Any,
    require: Sequence[str] = (),
    *,
    cold: bool = False,
) -> NoDeal:
    """A deal worth having alone that the shared limits give to others: to deals worth more,
    or to deals the solve was required to make (`require`), whatever they are worth.
    `cold`: each raise re-solved from nothing, not from `result` (see `_least_room`)."""
    relax: list[Relaxation] = []
    users = set()
    short_supply, extra = shortfall(pf, result, deal)
    for t, more in short_supply.items():
        users |= {d.partner for d in result.deals if d.compute.get(t, 0.0) > 0.5}
        relax.append(
            Relaxation(
                "supply", f"{h100e(more)} H100e in {t}", period=t, limit=pf.supply[t], amount=more
            )
        )
    needs = []
    if short_supply:
        needs.append(f"the supply it needs in {periods_said(pf.periods, short_supply)}")
    if extra is not None:  # (a shortfall of the risk budget: there is one)
        users |= {d.partner for d in result.deals if d.risk > 0.5}
        needs.append("the risk budget")
        relax.append(
            Relaxation(
                "risk-budget",
                f"{h100e(extra)} risk-weighted H100e",
                limit=pf.risk_budget,
                amount=extra,
            )
        )
    alone = f"alone, a deal with {code} would add {money(deal.us_margin)} to US utility"
    if result.mode != "us-best":
        return _left_out_by_mode(pf, result, code, alone, needs, relax, users)
    changes = _raise_words(relax, pf.periods)
    least, opened = (None, None)
    if needs:
        least, opened = _least_room(pf, result, code, require, relax, cold=cold)
    best = ""
    opens = " makes room for it"
    if least == []:  # what its best package needs, re-solved, goes to the others too
        opens = (
            " (what its best package needs) does not open a deal: re-solved, the other "
            "deals take that room too"
        )
    elif least is not None and _less(least, relax):
        # A package smaller than its best fits beside the others: name the least change,
        # and the package the re-solve gives it with what the others give up, so that the
        # raise and the best package's need reconcile ("raising supply by 1 H100e ...
        # makes room for it (its best package needs 100,000 H100e ... more)" said neither).
        best = f" (its best package needs {_raise_words(relax, pf.periods, raising=False)} more)"
        changes = _raise_words(least, pf.periods)
        relax = least
        if opened is not None:
            opens += _room_made(pf, result, opened, code, risk=extra is not None)
    # The frontier's frame said too: held beside those deals, none is better for both sides
    # (`frontier --partner FR` said "ZOPA: none" beside this "would add $1.13bn"). In no
    # shell's words: each points to its own frontier (`NoDeal.frontier`).
    held = (
        f"; with those deals held, the frontier of {code} has no zone of agreement for that reason"
    )
    if not needs:
        return NoDeal(
            code,
            "shared-limits",
            f"{alone}, but within the portfolio the deals it would displace are worth more{held}",
            frontier=True,
        )
    holders = [d.partner for d in result.deals if d.partner in users]
    worth = [c for c in holders if c not in require]
    required = [c for c in holders if c in require]
    to = [f"deals worth more ({', '.join(worth)})"] if worth else []
    if required:
        plural = "s" if len(required) > 1 else ""
        to.append(f"the required deal{plural} with {and_list(required)}")
    return NoDeal(
        code,
        "shared-limits",
        f"{alone}, but {' and '.join(needs)} {_go(needs)} to {' and to '.join(to)}; "
        f"{changes}{opens}{best}{held}",
        relax,
        frontier=True,
    )


def _go(needs: list[str]) -> str:
    """The verb of what a partner's deal needs: "the supply ... goes", "the supply ... and
    the risk budget go"."""
    return "go" if len(needs) > 1 else "goes"


#: What a mode other than us-best maximises, in a no-deal reason's words.
MAXIMISED = {
    "partner-best": "the partners' total utility",
    "nash": "the Nash product of both sides' gains",
    "kalai": "the least share of each side's ideal gain (tau)",
}


def _room_made(
    pf: Portfolio, result: SolveResult, opened: SolveResult, code: str, *, risk: bool
) -> str:
    """What the re-solve of the least raise gives `code` and what the other deals give up
    for it: ": re-solved, BB gets 66,668 H100e in 2026, and the other deals give up
    66,667 H100e in 2026" ("" when the re-solve gives it no deal)."""
    deal = opened.deal(code)
    if deal is None:
        return ""
    gets = {t: deal.compute.get(t, 0.0) for t in pf.periods if deal.compute.get(t, 0.0) > 0.5}
    said = f": re-solved, {code} gets " + (
        _amount_words(gets, pf.periods) if gets else "a package without compute"
    )
    given: dict[str, float] = {}
    for t in pf.periods:
        less = 0.0
        for before in result.deals:
            after = opened.deal(before.partner)
            less += before.compute.get(t, 0.0) - (
                0.0 if after is None else after.compute.get(t, 0.0)
            )
        if less > 0.5:
            given[t] = less
    gave = _amount_words(given, pf.periods) if given else ""
    risk_given = result.risk_total - (opened.risk_total - deal.risk) if risk else 0.0
    if risk_given > 0.5:
        # "1,855 H100e in 2026 and 1 H100e in 2028, and 311 risk-weighted H100e ..."
        gave += ", and " if " and " in gave else " and " if gave else ""
        gave += f"{h100e(risk_given)} risk-weighted H100e of the risk budget"
    if gave:
        said += f", and the other deals give up {gave}"
    return said


def _left_out_by_mode(
    pf: Portfolio,
    result: SolveResult,
    code: str,
    alone: str,
    needs: list[str],
    relax: list[Relaxation],
    users: set[str],
) -> NoDeal:
    """`shared_limits` of a solve that maximised something other than the US utility:
    its deals are not "worth more" to the US, and no raise is re-solved in its mode
    (`_least_room` is us-best's), so what the partner's best package needs is said as a
    need, not as what opens a deal (partner-best on gulf-asia: "raising supply by 20,000
    H100e in each of 2026, 2027 and 2028 makes room for it", and with that raise BH
    still had no deal)."""
    aim = MAXIMISED.get(result.mode, f"what a {result.mode} solve maximises")
    if not needs:  # nothing displaced: its deal does not raise what the mode maximises
        return NoDeal(
            code,
            "shared-limits",
            f"{alone}, but no deal with {code} raises {aim}, which a {result.mode} solve maximises",
        )
    holders = ", ".join(d.partner for d in result.deals if d.partner in users)
    return NoDeal(
        code,
        "shared-limits",
        f"{alone}, but {' and '.join(needs)} {_go(needs)} to the deals chosen for {aim} "
        f"({holders}); "
        f"its best package needs {_raise_words(relax, pf.periods, raising=False)} more "
        "than they leave",
        relax,
    )


#: Halvings between the least raise with which the others' deals and a deal with the
#: partner fit (continuous amounts; none when they fit already) and what its best
#: package needs, when the former does not open a deal (one us-best solve each).
LEAST_ROOM_STEPS = 30
#: The search runs on portfolios of at most this many partner-periods: some 15 solves
#: per partner explained, each a solve of the whole portfolio (on the shipped gulf-asia
#: portfolio, 27, `solve` would take 6.7 s, not 1.1 s). Above, the raise named is what
#: the partner's best package needs, as the sentence says, re-solved once to say whether
#: it opens a deal.
LEAST_ROOM_AMOUNTS = 12
#: Each raise is re-solved from `result` (its columns, prices and packages: the portfolio
#: raised is `result`'s with more supply or risk budget), its first incumbent round over
#: this many concession sets a partner, not `rounds.MIP_SETS_PER_PARTNER`'s 4: the start
#: is close. M seed 2's fourteen re-solves took 7.6 s of process time against 11.3 s cold,
#: the same deals each (bench/explain.py).
WARM_SETS_PER_PARTNER = 2


def _least_room(
    pf: Portfolio,
    result: SolveResult,
    code: str,
    require: Sequence[str],
    best: list[Relaxation],
    *,
    cold: bool = False,
) -> tuple[list[Relaxation] | None, SolveResult | None]:
    """A raise of supply and risk budget, less than what its best package needs (`best`),
    with which a us-best solve gives `code` a deal and keeps every deal of `result`,
    sought from the least raise with which they all fit (each may shrink): a smaller
    package it also accepts may need far less. None when there is none (or, on a portfolio
    too large to search, when `best` opens a deal), and [] when `best` does not open a
    deal either (re-solved, the other deals grow into the raise). `cold`: each raise
    re-solved from nothing (as before session 35), not from `result`: the same answers on
    the portfolios bench/explain.py and tests/test_explain_fast.py compare, slower.
    With the raise, the re-solve that opened a deal with it (None where it is `best`'s)."""
    from dealbench.optimize.best import solve_best
    from dealbench.optimize.decomposition.warm import warm_from
    from dealbench.optimize.reserve import RESERVE_MAX_PAIRS

    if result.mode != "us-best":
        return None, None
    warm = warm_from(result)
    if cold or warm is None:
        start = None
    else:  # a copy: `warm` may be the result's own
        start = dataclasses.replace(warm, sets_per_partner=WARM_SETS_PER_PARTNER)
    keep = [d.partner for d in result.deals] + [code]
    hi = {(r.kind, r.period): r.amount or 0.0 for r in best}
    solved: dict[tuple[tuple[tuple[str, str | None], float], ...], SolveResult] = {}

    def opens(raise_: dict[tuple[str, str | None], float]) -> bool:
        supply, budget = dict(pf.supply), pf.risk_budget
        for (kind, period), amount in raise_.items():
            if kind == "supply" and period in supply:
                supply[period] += amount
            elif budget is not None:
                budget += amount
        wider = pf.model_copy(update={"supply": supply, "risk_budget": budget})
        required = [c for c in require if c in keep]
        # Which partners deal is all that is asked, and beyond the reserve's size the
        # schedule in whole steps never changes it (it moves compute, keeping every deal):
        # there the re-solve's amounts are left unrounded. Its closest-grid MIPs took 38 of
        # `room --why`'s 55 s at M with half the partners concluded (qa42-scale). Below it,
        # the reserve may re-solve without a deal, as `solve` would.
        on_grid = len(pf.partners) * len(pf.periods) <= RESERVE_MAX_PAIRS
        opened = solve_best(wider, require=required, warm_start=start, on_grid=on_grid)
        if all(opened.deal(c) is not None for c in keep):  # room for it, none displaced
            solved[tuple(sorted(raise_.items(), key=str))] = opened
            return True
        return False

    if amount_count(pf) > LEAST_ROOM_AMOUNTS:
        # Too large to search for less; the best package's raise is still re-solved once,
        # since the deals worth more may grow into it (gulf-asia: MY's 124,000 H100e a
        # year went to KZ and the others, and MY still had no deal).
        return (None if opens(hi) else []), None
    found = explain_infeasible(pf, "us-best", None, keep, alternatives=0).relax
    if any(r.kind not in ("supply", "risk-budget") for r in found):
        return None, None
    # Nothing found: every deal fits beside one with `code` as the limits stand, on terms
    # the US values less (a partner's big concession needs the compute); from no raise.
    lo = {(r.kind, r.period): r.amount or 0.0 for r in found} or dict.fromkeys(hi, 0.0)
    keys = sorted(set(lo) | set(hi), key=str)
    if found and opens(lo):  # without a raise (none found), `result` says it does not
        hi = lo
    else:
        for _ in range(LEAST_ROOM_STEPS):
            mid = {k: float(math.ceil((lo.get(k, 0.0) + hi.get(k, 0.0)) / 2)) for k in keys}
            if all(abs(mid[k] - hi.get(k, 0.0)) < 0.5 for k in keys):
                break
            if opens(mid):
                hi = mid
            else:
                lo = mid
    if hi == {(r.kind, r.period): r.amount or 0.0 for r in best}:
        # Nothing smaller opens a deal; the best package's raise may not either (the deals
        # worth more grow into it): [] says so.
        return (None if opens(hi) else []), None
    out = []
    for (kind, period), amount in sorted(hi.items(), key=str):
        if amount < 0.5:
            continue
        words = f"{h100e(amount)} H100e in {period}" if kind == "supply" else ""
        words = words or f"{h100e(amount)} risk-weighted H100e"
        limit = pf.supply.get(period or "") if kind == "supply" else pf.risk_budget
        out.append(Relaxation(kind, words, period=period, limit=limit, amount=amount))
    return out, solved.get(tuple(sorted(hi.items(), key=str)))


def _less(least: list[Relaxation], relax: list[Relaxation]) -> bool:
    """Whether `least` raises no limit more, and some limit less, than `relax`."""
    given = {(r.kind, r.period): r.amount or 0.0 for r in relax}
    named = {(r.kind, r.period): r.amount or 0.0 for r in least}
    if any(given.get(key, 0.0) + 0.5 < amount for key, amount in named.items()):
        return False
    return any(named.get(key, 0.0) + 0.5 < amount for key, amount in given.items())


def _raise_words(least: list[Relaxation], order: Sequence[str], *, raising: bool = True) -> str:
    """Raises in `shared_limits`'s words: "raising the risk budget by … and supply by …",
    the one amount first, so that the supply's amounts by period ("9,000 H100e in 2027 and
    10,000 H100e in 2028") end the sentence and read as one list ("raising supply by …
    and … and raising the risk budget by …" read as three); or, not `raising`, the
    amounts alone ("… H100e in 2027 and … risk-weighted H100e")."""
    supply = [r for r in least if r.kind == "supply"]
    risk = [r.message for r in least if r.kind == "risk-budget"]
    if not raising:
        return and_list([*([_supply_words(supply, order)] if supply else []), *risk])
    words = [f"the risk budget by {risk[0]}"] if risk else []
    words += ["supply by " + _supply_words(supply, order)] if supply else []
    return "raising " + " and ".join(words)


#: More amounts than this (of a supply raise over periods) are said as their range.
MOST_AMOUNTS_SAID = 3


def _supply_words(raises: Sequence[Relaxation], order: Sequence[str]) -> str:
    """Supply raises in a sentence, the periods of one amount together: "10,000 H100e in
    each of 2026Q1–2028Q3 and 15,000 H100e in 2028Q4"; amounts that differ in most
    periods as their range and total (the relaxations list each)."""
    return _amount_words({r.period or "": r.amount or 0.0 for r in raises}, order)


def _amount_words(by_period: dict[str, float], order: Sequence[str]) -> str:
    """Amounts of H100e by period in `_supply_words`'s words."""
    periods: dict[str, list[str]] = {}
    for t, amount in by_period.items():
        periods.setdefault(h100e(amount), []).append(t)
    if len(periods) > MOST_AMOUNTS_SAID:
        amounts = list(by_period.values())
        every = list(by_period)
        return (
            f"between {h100e(min(amounts))} and {h100e(max(amounts))} H100e in each of "
            f"{periods_said(order, every)} ({h100e(sum(amounts))} H100e in all)"
        )
    groups = [
        f"{amount} H100e in {'each of ' if len(ts) > 1 else ''}{periods_said(order, ts)}"
        for amount, ts in periods.items()
    ]
    if len(groups) > 1 and any(" and " in g for g in groups):  # each group its own
        return f"{', '.join(groups[:-1])}, and {groups[-1]}"
    return and_list(groups)
