"""Logrolling: changes to a package that leave both sides better off, and which concessions
buy the most for the least.

`improvements(portfolio, package)` searches the package's neighbourhood: every
change of at most two discrete terms (grant, drop or re-level a concession, or
name another amount of a range concession; move the security level), each with
the compute schedule kept as it is and re-planned (`logroll_compute.replan`:
the schedule of largest joint gain). A candidate is an improvement when both
the US utility and the partner's rise by at least `min_gain` and `check` finds
no broken limit, with the other deals held fixed when given. Improvements are
ranked by joint gain (the sum of both sides' gains), largest first.

`concession_ranking(portfolio, partner)` ranks every level of every concession
by its US value per USD of partner cost: the terms to ask for first.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from pydantic import BaseModel, ConfigDict

from dealbench.arguments import at_least_one, positive_usd
from dealbench.checker import DealFigures, PortfolioCheck, check, evaluate
from dealbench.errors import ArgumentError, Chosen
from dealbench.figures import quantity
from dealbench.list_words import and_list, each_once
from dealbench.model.arguments import a_package, packages_of
from dealbench.model.concession import GRANTED, ConcessionLevel, SecurityRequirement
from dealbench.model.granularity import Granularity
from dealbench.model.package import Package
from dealbench.model.partner import Partner, value_on
from dealbench.model.portfolio import Portfolio
from dealbench.model.yamlio import display_path
from dealbench.negotiate.logroll_compute import Limits, Targets, replan
from dealbench.negotiate.rounds.negotiation import Negotiation, Round
from dealbench.negotiate.rounds.read import closed_own, concluded_beside, known_partner
from dealbench.optimize.schedule.grid import clean, whole
from dealbench.optimize.schedule.signable import steps
from dealbench.render.filters import ratio as shown_ratio

__all__ = [
    "ConcessionRank",
    "Held",
    "Improvement",
    "closed_said",
    "concession_ranking",
    "concluded_held",
    "held_beside",
    "improvements",
    "no_zone",
    "none_found",
]

#: Each side must gain at least this much (USD) for a change to count as an improvement.
MIN_GAIN = 1e6


class ConcessionRank(BaseModel):
    """One level of one concession, with what it gives the US per USD it costs the partner."""

    model_config = ConfigDict(frozen=True)

    rank: int
    concession: str
    level: str | None  # None for a yes/no term
    title: str
    us_value: float
    partner_cost: float
    #: US value per USD of partner cost; None when the partner pays nothing.
    ratio: float | None
    #: What else it needs, and a range's amounts, in words ("" if nothing).
    note: str

    @property
    def ratio_text(self) -> str:
        """The ratio as the tables print it; in words where the partner pays nothing (or
        gains): `free` only for a level worth something to the US that costs the partner
        nothing, `both gain` where the partner gains too, `US pays` for a level that costs
        the US (a tariff cut the partner gains by), `nothing` for a level worth nothing to
        either, `no US value` for one the partner alone gains by; `less than 0.01` for a
        ratio that two decimals would print as 0.00 (USD 75k against USD 2.5tn)."""
        if self.ratio is not None:
            return shown_ratio(self.ratio)
        if self.us_value > 0:
            return "free" if self.partner_cost == 0 else "both gain"
        if self.us_value < 0:
            return "US pays"
        return "nothing" if self.partner_cost == 0 else "no US value"


class Improvement(BaseModel):
    """A package both sides prefer to the one given, and how it differs."""

    model_config = ConfigDict(frozen=True)

    rank: int
    changes: list[str]
    package: Package
    us_utility: float
    partner_utility: float
    us_gain: float
    partner_gain: float
    joint_gain: float


def concession_ranking(portfolio: Portfolio, partner: str | Partner) -> list[ConcessionRank]:
    """Every concession level of `partner`, best US value per USD of partner cost first.

    Levels the partner pays nothing for come first (by US value); levels worth
    nothing to the US come last. A range is ranked by its levels; amounts between
    two levels have ratios between theirs.
    """
    p = _partner(portfolio, partner)
    rows = []
    for c in p.concessions:
        needs = [
            f"{r.security} or stronger" if isinstance(r, SecurityRequirement) else r
            for r in c.requires
        ]
        note = "; ".join(
            [
                *([f"requires {', '.join(needs)}"] if needs else []),
                *([f"excludes {', '.join(c.excludes)}"] if c.excludes else []),
                *([f"any amount {c.range_text()}"] if c.is_range else []),
            ]
        )
        for o in c.options:
            ratio = o.us_value / o.partner_cost if o.partner_cost > 0 else None
            rows.append((c.id, None if c.is_yes_no else o.id, o, ratio, note, c.title))
    rows.sort(key=lambda r: (_order(r[2], r[3]), r[0], r[1] or ""))
    return [
        ConcessionRank(
            rank=i,
            concession=cid,
            level=level,
            title=title if level is None else o.title,
            us_value=o.us_value,
            partner_cost=o.partner_cost,
            ratio=ratio,
            note=note,
        )
        for i, (cid, level, o, ratio, note, title) in enumerate(rows, start=1)
    ]


def _order(o: ConcessionLevel, ratio: float | None) -> tuple[int, float]:
    if ratio is None:
        return (0, -o.us_value) if o.us_value > 0 else (2, -o.us_value)
    return (1, -ratio)


def improvements(
    portfolio: Portfolio,
    package: Package,
    others: Sequence[Package] = (),
    *,
    min_gain: float = MIN_GAIN,
    top: int | None = None,
    every_variant: bool = False,
) -> list[Improvement]:
    """Packages that raise both sides' utilities by at least `min_gain` (USD, above 0) and
    pass `check` (together with `others`, held fixed), largest joint gain first; at most
    `top`.

    By default one improvement per set of terms changed (the concessions, the security
    level, the compute), the one of largest joint gain, and none whose gains a change of
    fewer of its terms matches for both sides (`_padded`): the list shows different trades,
    not one trade at every amount, nor a trade padded with a term that buys nothing.
    `every_variant` lists them all.
    """
    package, others = a_package(package), packages_of(others, "others")
    p = _partner(portfolio, package.partner)
    # Named as the call's parameter, which each shell names its own way (the CLI's --hold,
    # the web's field): a library caller read "hold:", an option it has none of.
    if any(o.partner == p.code for o in others):
        raise ArgumentError("others", f"{p.code} is the package's own partner; hold other deals")
    # One held package a partner: a second one of the same partner (the same file twice)
    # took its supply and risk twice.
    each_once([o.partner for o in others], "others", "partner's package")
    min_gain = positive_usd(min_gain, "min_gain")  # nan was a ValueError from inside, and
    # -1e9 listed packages that lower both sides, as "improvements"
    if top is not None:  # -1 listed all but the last, 0 none, as `improve --top` refuses
        at_least_one(top, "top")
    base = evaluate(portfolio, package)
    search = _Search(
        portfolio, p, package, list(others), base.us_value, base.partner_utility, min_gain
    )
    found: dict[str, Improvement] = {}
    for moves in search.neighbourhood():
        for candidate, changes in search.candidates(moves):
            key = candidate.model_dump_json()
            if key in found:
                continue
            improvement = search.verify(candidate, changes)
            if improvement is not None:
                found[key] = improvement
    ranked = sorted(
        found.values(), key=lambda i: (-i.joint_gain, len(i.changes), " ".join(i.changes))
    )
    if not every_variant:
        every = [(i, _terms(package, i.package)) for i in ranked]
        seen: set[frozenset[str]] = set()
        distinct = []
        for i, mine in every:
            if mine not in seen and not _padded(i, mine, every):
                seen.add(mine)
                distinct.append(i)
        ranked = distinct
    if top is not None:
        ranked = ranked[:top]
    return [i.model_copy(update={"rank": n}) for n, i in enumerate(ranked, start=1)]


def none_found(base: DealFigures, held: bool = False, portfolio: Portfolio | None = None) -> str:
    """What finding no improvement means for `base` (the package's figures): a change
    counts only when the partner accepts it and every limit holds (`check`), so for a
    package the partner refuses "no change leaves both sides better off" was untrue (more
    compute in a quarter raised both, short of acceptance). For a package the partner
    refuses, given the `portfolio`, and why no package it accepts fits the limits when
    none does, even alone: no change of any number of terms would do (`no_zone`)."""
    beside = ", the other packages held" if held else ""
    if base.accepts and not base.violations:
        return (
            f"No change of at most two terms leaves both sides better off within every "
            f"limit{beside}."
        )
    said = (
        f"No change of at most two terms leaves both sides better off with {base.partner} "
        f"accepting and every limit kept{beside}."
    )
    why = no_zone(portfolio, base.partner) if portfolio is not None else ""
    return f"{said} {why}" if why else said


def no_zone(portfolio: Portfolio, code: str) -> str:
    """Why no package `code` accepts fits the limits, with every limit to itself, as `solve`
    and `frontier` say it ("Why no deal with XB, as `solve` says it: no package XB accepts
    fits the limits: ..."); "" when one does. `improve` said only that no change of at most
    two terms helped a package the partner refuses, where no package at all could."""
    from dealbench.optimize.explain.no_deal import best_alone, no_acceptable_package
    from dealbench.optimize.result import Status

    if best_alone(portfolio, code).status != Status.INFEASIBLE:
        return ""
    said = no_acceptable_package(portfolio, code).message
    return f"Why no deal with {code}, as `solve` says it: {said.rstrip('.')}."


@dataclass(frozen=True)
class Held:
    """The other partners' packages `improve` holds beside a package (`held_beside`): the
    packages given (`--hold`'s, the web's "Hold other partners' packages"), then the deals
    concluded in a round file's rounds folder (`concluded`, which `concluded_held` says);
    and `closed`, the round's own negotiation when its talks have ended (`closed_said`)."""

    packages: list[Package]
    concluded: list[Round]
    closed: Negotiation | None = None

    @property
    def partners(self) -> list[str]:
        """The partners whose packages are held, by code (`improve --json`'s `held`)."""
        return sorted(p.partner for p in self.packages)

    @property
    def said(self) -> str:
        """What `improve` says of the round's own ended talks, then of the concluded deals
        held, a line each ("" when there are none)."""
        return "\n".join(w for w in (closed_said(self.closed), concluded_held(self.concluded)) if w)


def held_beside(
    portfolio: Portfolio, path: str | os.PathLike[str], given: Sequence[Package]
) -> Held:
    """The packages held beside the package file at `path`: `given`, then the deals
    concluded with the other partners in its rounds folder when it is a round file
    (`rounds.concluded_beside`); a package given of a partner takes the place of that
    partner's conclusion. The CLI's `improve` and the web's improve page both hold these
    (the web held `given` alone, qa42-web)."""
    mine = {p.partner for p in given}
    concluded = [
        r
        for r in concluded_beside(portfolio, path)
        if r.package is not None and r.package.partner not in mine
    ]
    packages = [*given, *(r.package for r in concluded if r.package is not None)]
    return Held(packages, concluded, closed_own(portfolio, path))


def concluded_held(concluded: Sequence[Round]) -> str:
    """What `improve` says of the deals concluded beside a round (`rounds.concluded_beside`),
    held as `--hold` holds a package: "" when there are none."""
    if not concluded:
        return ""
    deals, their = ("deal", "its") if len(concluded) == 1 else ("deals", "their")
    who = and_list([f"{r.path.parent.name} (round {r.number})" for r in concluded])
    folder = display_path(concluded[0].path.parent.parent)
    return (
        f"Held: the {deals} concluded with {who} in {folder}, {their} supply and risk budget taken."
    )


def closed_said(negotiation: Negotiation | None) -> str:
    """What `improve` says of a round whose talks have ended: "The negotiation with SA was
    concluded in round 4 (004-partner.yaml): each change below would reopen the terms
    agreed." (it listed changes to an agreed package as if the talks were open); "" while
    they are open."""
    last = negotiation.last if negotiation is not None else None
    ended = negotiation.how_ended if negotiation is not None else None
    if last is None or ended is None:
        return ""
    reopen = "the terms agreed" if last.status == "concluded" else "talks that ended without a deal"
    return (
        f"{ended[0].upper()}{ended[1:]} in round {last.number} ({last.name}): each change "
        f"below would reopen {reopen}."
    )


#: Said beside improvements found with no other package held: the supply and risk budget
#: they use may be another deal's (the solve's own package of a partner, improved alone,
#: took 13,500 H100e more in a quarter the portfolio gives to other deals).
UNHELD = Chosen(
    "hold",
    "No other partner's package is held (",
    " holds one): a change may use supply and risk budget the portfolio's other deals take.",
)


# A discrete move: ("security", level) or ("concession", id, choice or None to drop).
Move = tuple[str, str, str | None]


@dataclass
class _Search:
    portfolio: Portfolio
    partner: Partner
    package: Package
    others: list[Package]
    us0: float
    partner0: float
    min_gain: float

    @cached_property
    def held(self) -> PortfolioCheck | None:
        """The other deals, held fixed: the supply and risk budget they take."""
        return check(self.portfolio, self.others) if self.others else None

    def neighbourhood(self) -> Iterator[list[Move]]:
        """No discrete change, every single move, and every pair of moves on different terms."""
        moves = self._moves()
        yield []
        for move in moves:
            yield [move]
        for a, b in itertools.combinations(moves, 2):
            if a[:2] != b[:2] and not (a[0] == b[0] == "security"):
                yield [a, b]

    def _moves(self) -> list[Move]:
        out: list[Move] = [
            ("security", k, None)
            for k in self.portfolio.levels_for(self.partner)
            if k != self.package.security
        ]
        granted = self.package.granted()
        for c in self.partner.concessions:
            now = granted.get(c.id)
            current = c.option(now) if now is not None else None
            if now is not None:
                out.append(("concession", c.id, None))
            # Another level of fixed levels too (their amounts are all None: comparing
            # amounts alone left 200bn -> 1400bn unsearched); on a range `option` names a
            # level's amount by the level, so its id tells the two apart.
            for o in c.choices:
                if current is None or o.id != current.id:
                    out.append(("concession", c.id, o.id))
        return out

    def candidates(self, moves: list[Move]) -> Iterator[tuple[Package, list[str]]]:
        """The package with `moves` applied, compute kept and compute re-planned."""
        security = self.package.security
        concessions = dict(self.package.granted())
        changes = []
        for kind, what, choice in moves:
            if kind == "security":
                changes.append(f"security {security} → {what}")
                security = what
            elif choice is None:
                changes.append(f"drop {_grant(what, concessions[what])}")
                del concessions[what]
            elif what in concessions:
                changes.append(f"{what} {_level(concessions[what])} → {_level(choice)}")
                concessions[what] = choice
            else:
                changes.append(f"add {_grant(what, choice)}")
                concessions[what] = choice
        if not self._logic_ok(security, concessions):
            return
        terms = {cid: (True if lv == GRANTED else lv) for cid, lv in concessions.items()}
        kept = self.package.model_copy(update={"security": security, "concessions": terms})
        if moves:
            yield kept, changes
        plan = self._replan(security, concessions)
        if plan is not None:
            compute = {t: x for t, x in plan.items() if x > 0}
            before = {t: self.package.compute.get(t, 0.0) for t in self.portfolio.periods}
            moved = [
                f"{t} compute {quantity(before[t])} → {quantity(plan[t])} H100e"
                for t in self.portfolio.periods
                if abs(plan[t] - before[t]) > 0.5
            ]
            if moved:
                yield kept.model_copy(update={"compute": compute}), changes + moved

    def _logic_ok(self, security: str, granted: dict[str, str]) -> bool:
        policy = self.portfolio.policy
        for cid in granted:
            c = self.partner.concession(cid)
            if c is None:
                return False
            for req in c.requires:
                if isinstance(req, SecurityRequirement):
                    if policy.rank(security) < policy.rank(req.security):
                        return False
                elif req not in granted:
                    return False
            if any(other in granted for other in c.excludes):
                return False
        return True

    def _replan(self, security: str, granted: dict[str, str]) -> dict[str, float] | None:
        pf, p = self.portfolio, self.partner
        policy = pf.policy
        us, cost = 0.0, 0.0
        for cid, choice in granted.items():
            c = p.concession(cid)
            o = c.option(choice) if c is not None else None
            if o is None:
                return None
            us, cost = us + o.us_value, cost + o.partner_cost
        weight = p.diversion_risk * (1.0 - policy.level(security).mitigation)
        net = policy.export_value_per_h100e - policy.risk_penalty_per_h100e * weight
        held = self.held
        bounds = {}
        for t in pf.periods:
            used = held.supply_used.get(t, 0.0) if held is not None else 0.0
            bounds[t] = max(min(pf.cap(p, security, t), pf.supply[t] - used), 0.0)
        total = math.inf
        if pf.risk_budget is not None and weight > 0:
            left = pf.risk_budget - (held.risk_total if held is not None else 0.0)
            total = max(left, 0.0) / weight
        security_cost = p.security_costs.get(security, 0.0)
        threshold = p.batna + policy.acceptance_margin
        need = max(self.partner0 + self.min_gain, threshold) + cost + security_cost
        targets = Targets(us_slack=us - self.us0 - self.min_gain, net=net, partner_need=need)
        own = {t: pf.cap(p, security, t) for t in pf.periods}
        sizes = _steps(pf.granularity)
        return _in_steps(p.segments, Limits(bounds, total), targets, sizes, own)

    def verify(self, candidate: Package, changes: list[str]) -> Improvement | None:
        """The candidate as `check` sees it, if it is an improvement."""
        deal = evaluate(self.portfolio, candidate)
        us_gain = deal.us_value - self.us0
        partner_gain = deal.partner_utility - self.partner0
        if us_gain < self.min_gain or partner_gain < self.min_gain:
            return None
        if not check(self.portfolio, [candidate, *self.others]).ok:
            return None
        return Improvement(
            rank=0,
            changes=changes,
            package=deal.package(),
            us_utility=deal.us_value,
            partner_utility=deal.partner_utility,
            us_gain=us_gain,
            partner_gain=partner_gain,
            joint_gain=us_gain + partner_gain,
        )


def _steps(grid: Granularity) -> list[float]:
    """The steps a re-plan tries, coarsest first: the portfolio's declared step, then finer
    by tens down to one unit (`schedule.steps`: one H100e, or one chip), or whole H100e where
    compute is continuous."""
    return [1.0] if grid.h100e <= 0 else steps(grid)


def _in_steps(
    segments: list[tuple[float, float]],
    limits: Limits,
    targets: Targets,
    sizes: list[float],
    own: dict[str, float],
) -> dict[str, float] | None:
    """`replan` counted in steps, the coarsest of `sizes` whose plan meets the targets once
    its amounts are whole steps: an offer a negotiator signs in the portfolio's own step
    (qa27-neg saw XA 98,000 -> 98,500 H100e in steps of 1,000). The partner's own limit in
    a period (`own`: its ask or cap) in whole units (the last of `sizes`) is an amount of
    every step, as the schedule allows; what supply or the risk budget leaves is not."""
    unit = sizes[-1]
    for step in sizes:
        # A limit in steps is whole steps, but for the partner's own (an amount of every step
        # in whole units): a part of a step up to supply or the budget is never signed.
        counts = {
            t: b / step if b >= own[t] - 1e-6 else math.floor(b / step + 1e-9)
            for t, b in limits.per_period.items()
        }
        plan = replan(
            [(width / step, value * step) for width, value in segments],
            Limits(counts, limits.total / step),
            Targets(targets.us_slack, targets.net * step, targets.partner_need),
        )
        if plan is None:
            continue
        amounts = {}
        for t, n in plan.items():
            top = limits.per_period[t]
            at_top = n > 0 and n * step >= top - 1e-6 and top >= own[t] - 1e-6
            amounts[t] = whole(top, unit) if at_top else clean(math.floor(n + 1e-9) * step)
        worth = sum(value_on(segments, x) for x in amounts.values())
        kept = targets.us_slack + targets.net * sum(amounts.values()) >= 0
        if worth >= targets.partner_need - 1e-6 and kept:
            return amounts
    return None


def _padded(
    i: Improvement, mine: frozenset[str], found: Sequence[tuple[Improvement, frozenset[str]]]
) -> bool:
    """True when an improvement `found` changes fewer terms (a proper subset of `mine`) and
    gains each side at least as much: `i`'s extra terms buy nothing for either side ("add
    cheap" beside the same compute change, for a concession worth nothing to both, was
    listed as an improvement of its own, with the gains the compute change alone gave). Such
    a variant of fewer terms is one of a set the list shows, or its best variant would be."""
    return any(
        other < mine and j.us_gain >= i.us_gain - 0.5 and j.partner_gain >= i.partner_gain - 0.5
        for j, other in found
    )


def _terms(before: Package, after: Package) -> frozenset[str]:
    """Which terms a change touches: concession ids, `security`, `compute`."""
    a, b = before.granted(), after.granted()
    out = {cid for cid in a.keys() | b.keys() if a.get(cid) != b.get(cid)}
    if before.security != after.security:
        out.add("security")
    periods = before.compute.keys() | after.compute.keys()
    if any(abs(before.compute.get(t, 0.0) - after.compute.get(t, 0.0)) > 0.5 for t in periods):
        out.add("compute")
    return frozenset(out)


def _grant(cid: str, level: str) -> str:
    return cid if level == GRANTED else f"{cid}={level}"


def _level(level: str) -> str:
    return "granted" if level == GRANTED else level


def _partner(portfolio: Portfolio, partner: str | Partner) -> Partner:
    code = partner.code if isinstance(partner, Partner) else partner  # else said by name
    return known_partner(portfolio, code)
