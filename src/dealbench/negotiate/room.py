"""The deal room: every negotiation of a portfolio in one table, and one partner's history.

`room` reads the portfolio's rounds, re-plans the open negotiations around the
concluded deals (walked-away partners excluded), and for each partner gives
its stage, round count, the last US offer and the last counter with both
sides' utilities, the gap between them (none once the deal is concluded or
walked away from), the counter's distance to the frontier, and the recommended
next move (the verdict's, for a counter).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from dealbench.analyze.parallel import Executor, an_executor
from dealbench.checker import DealFigures
from dealbench.errors import Chosen
from dealbench.figures import usd_change
from dealbench.limit import Limit, broken_messages
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.offers.strategy_args import check_strategy
from dealbench.negotiate.plan import Plan, concluded_over, plan_reasons, replan, replan_note
from dealbench.negotiate.rounds.negotiation import (
    Negotiation,
    Round,
    Stage,
    concluded_before,
    concluded_with,
    offer_breaks,
    offers_beyond,
    rounds_fingerprint,
    shared_violations,
)
from dealbench.negotiate.rounds.read import load_negotiation, load_negotiations
from dealbench.negotiate.verdict import Verdict, refusal, verdict
from dealbench.optimize.reasons import NoDeal
from dealbench.render.filters import plural

__all__ = [
    "History",
    "HistoryRow",
    "Room",
    "RoomRow",
    "RoundSummary",
    "history",
    "overcommitted",
    "room",
]


class RoundSummary(BaseModel):
    """One side's latest package: which round, and both sides' utilities (USD)."""

    model_config = ConfigDict(frozen=True)

    round: int
    file: str
    us_utility: float
    partner_utility: float
    accepts: bool
    violations: list[Limit]


class UsSaid(NamedTuple):
    """Our offer's and the counter's US utility and the gap, as printed (`RoomRow.us_said`)."""

    offer: str
    counter: str
    gap: str


class RoomRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    partner: str
    name: str
    stage: Stage
    rounds: int
    last_offer: RoundSummary | None
    last_counter: RoundSummary | None
    us_gap: float | None
    partner_gap: float | None
    frontier_gain: float | None
    #: The gain's package is the partner's alone in what the concluded deals leave: it takes
    #: supply or risk budget the plan gives the other open negotiations.
    frontier_alone: bool = False
    agreed: RoundSummary | None
    #: For a concluded deal, the round it was concluded on (the conclusion's `basis`: our
    #: offer or their counter), whose terms were signed; None otherwise.
    agreed_on: RoundSummary | None = None
    plan_us_utility: float | None
    plan_package: Package | None
    next_move: str
    reason: str
    #: The reason, when it names what asks for why the plan gives no deal (`WHY_ASKED`),
    #: which each shell says its own way (`Room.worded`); not in the JSON.
    reason_chosen: Chosen | None = Field(default=None, exclude=True)
    #: The reason says the partner's frontier in the re-plan, the other deals held, has no
    #: zone of agreement (`NoDeal.frontier`): each shell names where it draws that frontier
    #: (the CLI `dealbench frontier PORTFOLIO --partner CODE --rounds DIR`, the web a link),
    #: as `solve --rounds` does. `room --why` named nothing there, where every other reason
    #: with a next step names it (qa48-room).
    frontier_drawn: bool = False
    #: What our next offer gives each side (the verdict's, for a counter that awaits our
    #: answer; None otherwise), to set beside the counter's.
    next_offer_us: float | None = None
    next_offer_partner: float | None = None
    #: The US utility our strategy now asks of this deal (the verdict's `next_target`, a
    #: floor the next offer meets or exceeds) and the portfolio's V with the deal at it, the
    #: others held at the plan (`portfolio_next_offer`): the figures the next move's reason
    #: names, for a counter that awaits our answer; None otherwise.
    next_target: float | None = None
    portfolio_next_offer: float | None = None
    #: The verdict's note that our next offer takes back part of what our last offer gave
    #: (`Verdict.next_offer_retreat`: `offer` records it only with the retreat allowed), said
    #: beside the next move; None when it does not, or no counter awaits our answer.
    next_offer_retreat: str | None = None

    def us_said(self) -> UsSaid | None:
        """Our last offer's and the last counter's US utility and the gap between them, as a
        table prints them side by side: the gap the difference of the two as printed
        (`figures.usd_change`); None without a gap. The room printed "$77.98bn", "$78.25bn"
        and a gap of "-$271.4m", which the two figures do not give (qa41b-docs)."""
        a, b = self.last_offer, self.last_counter
        if self.us_gap is None or a is None or b is None:
            return None
        counter, offer, gap = usd_change(b.us_utility, a.us_utility)  # gap: offer - counter
        return UsSaid(offer=offer, counter=counter, gap=gap)

    def shown(self) -> tuple[RoundSummary | None, RoundSummary | None]:
        """Our offer and their counter as a room's table shows them: the last of each side,
        or for a concluded deal the round it was concluded on in its side's column (marked ✓,
        `offer_mark`/`counter_mark`) and nothing in the other. The last offer and counter
        exchanged stood beside "concluded", neither of them perhaps the terms signed, which
        only the line below the table named (qa46-negotiate2: BH concluded on our offer of
        round 1 showed our offer of round 3 and its counter of round 2)."""
        on = self.agreed_on
        if self.stage != "concluded" or on is None:
            return self.last_offer, self.last_counter
        return (on, None) if on.file.endswith("-us.yaml") else (None, on)

    @property
    def signed_words(self) -> str | None:
        """For a concluded deal, the round whose terms were signed, as a reader names it:
        "our offer of round 3", "AE's counter of round 4"; None otherwise."""
        on = self.agreed_on
        if self.stage != "concluded" or on is None:
            return None
        said = "our offer" if on.file.endswith("-us.yaml") else f"{self.partner}'s counter"
        return f"{said} of round {on.round}"

    @property
    def offer_mark(self) -> str:
        """Our offer's mark in a table: ✓ the terms signed (`shown`), else ""."""
        offer, _ = self.shown()
        return "✓" if offer is not None and offer is self.agreed_on else ""

    @property
    def frontier_mark(self) -> str:
        """The frontier gain's mark in a table: † the partner alone (a gain the open
        negotiations cannot all have), ‡ a counter beyond the frontier (it breaks a limit,
        so the gain is negative); "" for a gain the plan can have (`FRONTIER_NOTES`)."""
        if self.frontier_gain is None:
            return ""
        if self.frontier_gain < 0:
            return "‡"
        return "†" if self.frontier_alone else ""

    @property
    def counter_mark(self) -> str:
        """The last counter's mark in a table: § when the US cannot accept it as it stands (it
        breaks a limit, the partner's own acceptance counted, as the verdict counts them),
        "" otherwise. Its utilities beside our offer's said nothing of it once our next offer
        answered it (qa36: KR's counter over its ask gave the US $198.7m more than our
        offer, and the room memo said only "await counter"). A closed negotiation's counter
        is not marked: nothing of it is to be accepted any more (qa40-docs: SA, concluded on
        our offer of round 3, had its counter of round 2 said to break the supply beside
        AE's deal concluded later)."""
        _, counter = self.shown()
        if counter is not None and counter is self.agreed_on:
            return "✓"  # the terms signed (`shown`)
        return "§" if self.counter_note is not None else ""

    @property
    def counter_note(self) -> str | None:
        """What the § of `counter_mark` says for this row: which limits the counter breaks."""
        c = self.last_counter
        if c is None or not c.violations or self.stage in ("concluded", "walked away"):
            return None
        lines = broken_messages(c.violations)
        return (
            f"§ {self.partner}'s counter of round {c.round} cannot be accepted as it stands: "
            f"it breaks {plural(len(lines), 'limit')}: {'; '.join(lines)}."
        )


#: What each mark of `RoomRow.frontier_mark` says, under a room's table.
FRONTIER_NOTES = {
    "✓": "✓ The terms signed: a concluded deal shows the round it was concluded on, our "
    "offer or their counter, not the last ones exchanged.",
    "†": "† The partner alone: the package giving this gain takes supply or risk budget the "
    "plan gives the other open negotiations.",
    "‡": "‡ The counter breaks a limit: it lies beyond the frontier, so the gain is negative.",
}


class Room(BaseModel):
    """The deal room of a portfolio: one row per partner and the re-planned portfolio."""

    model_config = ConfigDict(frozen=True)

    portfolio: str
    portfolio_title: str
    periods: list[str]
    rows: list[RoomRow]
    objective: float
    concluded: list[str]
    walked_away: list[str]
    supply: dict[str, float]
    supply_left: dict[str, float]
    supply_planned: dict[str, float]
    risk_budget: float | None
    risk_left: float | None
    plan_status: str | None
    fingerprint: str
    #: When the concluded deals together break the supply or risk budget (the portfolio
    #: edited since), or the US offers that await an answer together take more than the
    #: concluded deals leave: the sentences that say so, else None.
    overcommitted: str | None = None
    #: The re-plan's own note, as `solve --rounds` says it (`plan.replan_note`): the step
    #: the open negotiations' compute is in when not the declared one; else None.
    replan_note: str | None = None

    def worded(self, chooses: Mapping[str, str]) -> Room:
        """This room with each row's reason in a shell's words for what asks why the plan
        gives a partner no deal (`WHY_ASKED`): the web said "room --why says why" beside its
        own link (qa42-web)."""
        rows = [
            r.model_copy(update={"reason": r.reason_chosen.words(chooses)})
            if r.reason_chosen is not None
            else r
            for r in self.rows
        ]
        return self.model_copy(update={"rows": rows})

    def frontier_notes(self) -> list[str]:
        """What the marks in the rows say: each counter the US cannot accept as it stands
        (`RoomRow.counter_mark`), then the frontier gains' marks (`RoomRow.frontier_mark`)."""
        marks = {r.frontier_mark for r in self.rows} | {
            m for r in self.rows for m in (r.offer_mark, r.counter_mark)
        }
        counters = [note for r in self.rows if (note := r.counter_note) is not None]
        return counters + [note for mark, note in FRONTIER_NOTES.items() if mark in marks]


#: Where the room says a partner has no deal in the plan without its reason: what asks for
#: it, in each shell's words (`Room.worded`; the CLI's "room --why").
WHY_ASKED = Chosen("why", "the plan gives this partner no deal (", " says why)")


def room(
    portfolio: Portfolio,
    root: str | os.PathLike[str],
    *,
    strategy: str | None = None,
    deadline: int | None = None,
    gap: float = 1e-6,
    executor: Executor | None = None,
    why: bool = False,
) -> Room:
    """The deal room of `portfolio` from the rounds under `root` (deals/rounds/<id>/).

    `strategy` and `deadline` are checked whether or not a counter stands to be weighed
    against them (an ArgumentError): a misspelt one is not dropped unseen. The verdicts
    on the counters that await an answer (each re-plans the portfolio) run on `executor`
    (by default here, one after the other); the room is the same wherever they run.

    `why`: also say why the plan gives a partner not yet offered anything no deal, as
    `solve --rounds` says it. That reason is a search of its own (at M about two
    seconds a partner, where the room is a fraction of one solve), so it is asked for."""
    check_strategy(strategy, deadline)
    executor = an_executor(executor)
    root = Path(root)  # a str as well as a Path
    negotiations = load_negotiations(portfolio, root)
    plan = replan(portfolio, negotiations, gap=gap)
    weighed = [
        _Weigh(portfolio, negotiations, r.package, r.number, strategy, deadline, plan)
        for n in negotiations.values()
        if n.stage == "countered" and (r := n.last_counter) is not None and r.package is not None
    ]
    answers = executor.map(_weigh, weighed)
    verdicts = {w.package.partner: a for w, a in zip(weighed, answers, strict=True)}
    # Why the plan gives a partner not yet offered anything no deal, as `solve --rounds` and
    # `offer` say it (one computation: `optimize.explain.no_deal`), when asked.
    reasons = {}
    if why:
        # and a partner whose standing offer the concluded deals left unconcludable (qa43)
        unoffered = [
            c
            for c, n in negotiations.items()
            if n.stage == "not started"
            or (
                n.stage == "offered"
                and (r := n.last_offer) is not None
                and offer_breaks(portfolio, negotiations, r)
            )
        ]
        reasons = plan_reasons(plan, [c for c in unoffered if plan.package(c) is None])
    rows = [
        _row(
            plan,
            negotiations[p.code],
            portfolio,
            verdicts.get(p.code),
            negotiations,
            reasons.get(p.code),
        )
        for p in portfolio.partners
    ]
    planned = {t: 0.0 for t in portfolio.periods}
    if plan.result is not None:
        planned = {t: plan.result.supply_used.get(t, 0.0) for t in portfolio.periods}
    return Room(
        portfolio=portfolio.id,
        portfolio_title=portfolio.title,
        periods=list(portfolio.periods),
        rows=rows,
        objective=plan.objective,
        concluded=sorted(plan.fixed),
        walked_away=[c for c in plan.excluded],
        supply=dict(portfolio.supply),
        supply_left=plan.supply_left,
        supply_planned=planned,
        risk_budget=portfolio.risk_budget,
        risk_left=plan.risk_left,
        plan_status=plan.result.status.value if plan.result is not None else None,
        fingerprint=rounds_fingerprint(portfolio, negotiations),
        overcommitted=overcommitted(portfolio, plan, negotiations),
        replan_note=replan_note(plan.result),
    )


def overcommitted(
    portfolio: Portfolio, plan: Plan, negotiations: Mapping[str, Negotiation]
) -> str | None:
    """What the US offers awaiting an answer together take beyond what the concluded deals
    leave, in a sentence; None when they fit. Each offer was made with the others held at
    the plan of its day; a deal concluded since (on a counter that took more of a scarce
    period) can leave them more than there is, and then not all can be concluded as offered.
    (qa31: after MA's counter taking 10,000 H100e of 2027 was concluded, the open offers to
    KE, RW and GH took 32,000 of the 30,000 left, and the room said "await counter" for
    each.)"""
    said = [concluded_over(plan) or ""]
    over = offers_beyond(portfolio, negotiations, plan.supply_left, plan.risk_left)
    if over:
        said.append(
            f"Our open offers together take {over.words} after the concluded deals: not all "
            "of them can be concluded as offered."
        )
    return " ".join(s for s in said if s) or None


@dataclass(frozen=True)
class _Weigh:
    """A counter to weigh, as a task an executor can ship to another process."""

    portfolio: Portfolio
    negotiations: dict[str, Negotiation]
    package: Package
    round_number: int
    strategy: str | None
    deadline: int | None
    plan: Plan


def _weigh(task: _Weigh) -> Verdict:
    return verdict(
        task.portfolio,
        task.negotiations,
        task.package,
        round_number=task.round_number,
        strategy=task.strategy,
        deadline=task.deadline,
        plan=task.plan,
    )


def _row(
    plan: Plan,
    negotiation: Negotiation,
    portfolio: Portfolio,
    answer: Verdict | None,
    negotiations: Mapping[str, Negotiation],
    why: NoDeal | None = None,
) -> RoomRow:
    """`why`: why the plan gives the partner no deal (`plan_reasons`), where it does."""
    code = negotiation.partner
    partner = portfolio.partner(code)
    assert partner is not None
    offer, counter = negotiation.last_offer, negotiation.last_counter
    a, b = _summary(offer, portfolio, negotiations), _summary(counter, portfolio, negotiations)
    planned = plan.package(code)
    plan_v = plan.result.deal(code).us_value if plan.result and plan.result.deal(code) else None  # type: ignore[union-attr]
    if code in plan.fixed:
        plan_v = plan.fixed[code].us_value
    gain: float | None = None
    alone = False
    chosen: Chosen | None = None
    stage = negotiation.stage
    still_open = stage not in ("concluded", "walked away")  # a closed deal has no gap
    if stage == "not started" and planned is not None:
        move, reason = "offer", "no round yet: open with the package best for the United States"
    elif stage == "not started" and why is not None:
        move, reason = "no offer", f"the plan gives this partner no deal: {why.message}"
    elif stage == "not started":
        move, reason, chosen = "no offer", WHY_ASKED.words(), WHY_ASKED
    elif (
        stage == "offered"
        and offer is not None
        and (breaks := offer_breaks(portfolio, negotiations, offer))
    ):
        said = _offer_breaks_words(offer, breaks)
        if planned is not None:
            move, reason = "offer", f"{said}; make a new offer, fitted to what they leave"
        elif why is not None:  # no new offer can be made: `offer` refuses it, saying this
            move, reason = (
                "walk away",
                f"{said}, and the plan now gives {code} no deal: {why.message}",
            )
        else:
            chosen = Chosen("why", f"{said}, and the plan now gives {code} no deal (", " says why)")
            move, reason = "walk away", chosen.words()
    elif stage == "offered":
        move, reason = "await counter", f"US offer in round {offer.number if offer else '?'}"
    elif stage == "countered" and answer is not None:
        gain, alone = answer.frontier.gain, answer.frontier.fits_plan is False
        move, reason = answer.recommendation, answer.reason
    elif stage == "concluded":
        last = negotiation.rounds[-1]
        signed = _signed(negotiation)
        on = last.data.basis if signed is None else _round_words(signed, code)
        move, reason = "-", f"concluded in round {last.number} on {on}"
    else:  # who walked away: the round's side (`walk-away --by`)
        last = negotiation.rounds[-1]
        who = partner.in_text() if last.side == "partner" else "the United States"
        move, reason = "-", f"{who} walked away in round {last.number}{last.note_said}"
    return RoomRow(
        partner=code,
        name=partner.name,
        frontier_drawn=why is not None and why.frontier and why.message in reason,
        stage=stage,
        rounds=len(negotiation.rounds),
        last_offer=a,
        last_counter=b,
        us_gap=a.us_utility - b.us_utility if a and b and still_open else None,
        partner_gap=b.partner_utility - a.partner_utility if a and b and still_open else None,
        frontier_gain=gain,
        frontier_alone=alone,
        agreed=(
            _summary(negotiation.rounds[-1], portfolio, negotiations)
            if stage == "concluded"
            else None
        ),
        agreed_on=(
            _summary(_signed(negotiation), portfolio, negotiations)
            if stage == "concluded"
            else None
        ),
        plan_us_utility=plan_v,
        plan_package=planned if code not in plan.fixed else plan.fixed[code].package(),
        next_move=move,
        reason=reason,
        reason_chosen=chosen,
        next_offer_us=answer.next_offer_us if answer is not None else None,
        next_offer_partner=answer.next_offer_partner if answer is not None else None,
        next_target=answer.next_target if answer is not None else None,
        portfolio_next_offer=answer.portfolio_next_offer if answer is not None else None,
        next_offer_retreat=answer.next_offer_retreat if answer is not None else None,
    )


def _signed(negotiation: Negotiation) -> Round | None:
    """The round a concluded negotiation was concluded on (its conclusion's `basis`)."""
    basis = negotiation.rounds[-1].data.basis if negotiation.rounds else None
    return next((r for r in negotiation.rounds if r.name == basis), None)


def _round_words(r: Round, code: str) -> str:
    """A round as a reader names it: "our offer of round 3 (003-us.yaml)", "AE's counter of
    round 4 (004-partner.yaml)"."""
    said = "our offer" if r.side == "us" else f"{code}'s counter"
    return f"{said} of round {r.number} ({r.name})"


def _offer_breaks_words(offer: Round, breaks: list[Limit]) -> str:
    """Why our standing offer is no longer one to await an answer to: it breaks a limit as it
    stands (a deal concluded since took the supply it used), so the partner's acceptance
    could not be concluded. It read "await counter" (qa43: QA's offer of 47,143 H100e in
    2026, after AE's deal left 28,292)."""
    lines = broken_messages(breaks)
    return (
        f"our offer of round {offer.number} cannot be concluded as offered: it breaks "
        f"{plural(len(lines), 'limit')}: {'; '.join(lines)}"
    )


def _summary(
    r: Round | None, portfolio: Portfolio, negotiations: Mapping[str, Negotiation]
) -> RoundSummary | None:
    """A round as the room lists it: its limits broken are `history`'s for that round, as
    things stand now while the negotiation is open (`HistoryRow.breaks_now`: what
    `conclude` checks) and as it was made once the talks ended (`_judged`): its own, the
    supply and risk budget beside the deals concluded with the others (`room --json`
    listed only its own) and the partner's own refusal (`refusal`: a counter below its
    walk-away value cannot be accepted either)."""
    if r is None or r.figures is None:
        return None
    f: DealFigures = r.figures
    then, since, _ = _judged(portfolio, negotiations, r)
    return RoundSummary(
        round=r.number,
        file=r.name,
        us_utility=f.us_value,
        partner_utility=f.partner_utility,
        accepts=f.accepts,
        violations=[*f.violations, *then, *since, *refusal(f)],
    )


def _judged(
    portfolio: Portfolio, negotiations: Mapping[str, Negotiation], r: Round
) -> tuple[list[Limit], list[Limit], list[str]]:
    """The supply and risk budget round `r` breaks beside the deals concluded with the other
    partners, as `history` and the room both judge it: `then`, beside those concluded
    before it was made (`concluded_before`); while its negotiation is open, `since`, what
    it breaks now beyond that, beside those concluded after it (it cannot be signed now);
    and those later partners. A concluded deal is judged as concluded, not against deals
    signed after it: the room listed SA's deal, concluded first, as over the 2026 supply
    beside AE's concluded a week later, where `history` said SA's rounds kept every limit
    (qa48-room; what the concluded deals together break now is `Room.overcommitted`)."""
    if r.package is None:
        return [], [], []
    partner = r.package.partner
    concluded = {
        code: n
        for code, n in negotiations.items()
        if code != partner and n.concluded_package is not None
    }
    before = concluded_before(negotiations, partner, r)
    later = [code for code in concluded if code not in before]
    fixed = [p for c in before if (p := concluded[c].concluded_package) is not None]
    then = concluded_with(portfolio, fixed, r.package)
    since: list[Limit] = []
    if later and not negotiations[partner].closed:  # an ended negotiation signs nothing more
        seen = {(v.kind, v.period) for v in then}
        since = [
            v
            for v in shared_violations(portfolio, negotiations, r.package)
            if (v.kind, v.period) not in seen
        ]
    return then, since, later


# --- history ----------------------------------------------------------------------------------


def _since_note(made: Round, later: list[Negotiation]) -> str:
    """Why a round fine when made cannot be signed now: "cannot be signed now, beside the
    deal concluded with AE in round 5 on 2026-03-28, after this round" (or "the same day
    as this round", or "which came first the dates do not tell", for a round or a
    conclusion without a date)."""
    from dealbench.list_words import and_list

    made_on = made.data.date
    parts = []
    for n in later:
        last = n.last
        assert last is not None
        on = last.data.date
        when = f" on {on.isoformat()}" if on is not None else ""
        if on is None or made_on is None:
            order = "which came first the dates do not tell"
        elif on == made_on:
            order = "the same day as this round"
        else:
            order = "after this round"
        parts.append(f"{n.partner} in round {last.number}{when} ({order})")
    deals = "deal" if len(parts) == 1 else "deals"
    return f"cannot be signed now, beside the {deals} concluded with {and_list(parts)}"


class HistoryRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    round: int
    file: str
    side: str
    date: str | None
    author: str | None
    basis: str | None
    status: str
    note: str | None
    package: Package | None
    us_utility: float | None
    partner_utility: float | None
    risk: float | None
    accepts: bool | None
    #: The limits the round broke as it stood when made: its own, the partner's refusal,
    #: and supply and risk budget beside the deals concluded before it (`concluded_before`).
    violations: list[Limit]
    strategy: dict[str, Any] | None
    #: What a US offer recorded with `--allow-retreat` takes back from the partner.
    retreat: str | None = None
    #: While the negotiation is open: the supply and risk budget the round breaks now beyond
    #: `violations`, beside the deals concluded since it was made (it cannot be signed now).
    since: list[Limit] = Field(default_factory=list)
    #: The partners whose conclusions came after the round, or not known to come before it
    #: (the same day, or undated): `since` counts them, `violations` does not.
    concluded_since: list[str] = Field(default_factory=list)
    #: `since` in words: which deals, concluded in which round and when ("" without `since`).
    since_note: str = ""

    @property
    def breaks_now(self) -> list[Limit]:
        """Every limit the round breaks as things stand now (what `conclude` checks)."""
        return [*self.violations, *self.since]

    @property
    def since_said(self) -> str:
        """`since` in one sentence, the deals named once: "cannot be signed now, beside the
        deal concluded with AE in round 5 on 2026-03-28 (after this round): it breaks 1
        limit: supply in 2026: ..." ("" without `since`)."""
        if not self.since:
            return ""
        lines = broken_messages(self.since)
        return f"{self.since_note}: it breaks {plural(len(lines), 'limit')}: {'; '.join(lines)}"

    @property
    def ok(self) -> str:
        """The history's OK column: "yes", "no" (it broke a limit, or the partner refused
        it, when made), "not now" (fine when made; deals concluded since leave it over the
        supply or risk budget), "-" without a package."""
        if self.accepts is None:
            return "-"
        if not self.accepts or self.violations:
            return "no"
        return "not now" if self.since else "yes"


class History(BaseModel):
    """Every round of one negotiation with both sides' utilities and its compliance."""

    model_config = ConfigDict(frozen=True)

    portfolio: str
    partner: str
    name: str
    stage: Stage
    rounds: list[HistoryRow]

    def points(self) -> list[tuple[str, float, float]]:
        """(side, US utility, partner utility) of each round with a package, for charts."""
        return [
            (r.side, r.us_utility, r.partner_utility)
            for r in self.rounds
            if r.us_utility is not None and r.partner_utility is not None
        ]


def history(portfolio: Portfolio, root: str | os.PathLike[str], partner: str) -> History:
    """Every round with `partner`: utilities, compliance and how each US offer was chosen.

    Compliance is the verdict's, each round judged as it stood when made: the package's
    own limits and the partner's acceptance, and supply and risk budget together with the
    deals concluded with the others before it (`concluded_before`, by the rounds' dates;
    the whole rounds folder is read and checked, as every command does). `violations`
    lists each, the partner's refusal too, in the verdict's words. While the negotiation
    is open, what a round breaks only beside deals concluded since is `since`, with
    `since_note` naming them: it was fine then and cannot be signed now (a round read as
    "over the supply" for a deal concluded a week after it was made blamed the round)."""
    root = Path(root)  # a str as well as a Path
    negotiation = load_negotiation(portfolio, root, partner)
    negotiations = load_negotiations(portfolio, root)
    found = portfolio.partner(partner)
    assert found is not None
    concluded = {
        code: n
        for code, n in negotiations.items()
        if code != partner and n.concluded_package is not None
    }
    rows = []
    for r in negotiation.rounds:
        f = r.figures
        then, since, later = _judged(portfolio, negotiations, r)
        rows.append(
            HistoryRow(
                round=r.number,
                file=r.name,
                side=r.side,
                date=r.data.date.isoformat() if r.data.date else None,
                author=r.data.author,
                basis=r.data.basis,
                status=r.status,
                note=r.data.note,
                package=r.package,
                us_utility=f.us_value if f else None,
                partner_utility=f.partner_utility if f else None,
                risk=f.risk if f else None,
                accepts=f.accepts if f else None,
                violations=[*f.violations, *then, *refusal(f)] if f else [],
                strategy=r.data.strategy.model_dump(mode="json") if r.data.strategy else None,
                retreat=r.data.retreat,
                since=since,
                concluded_since=later,
                since_note=_since_note(r, [concluded[c] for c in later]) if since else "",
            )
        )
    return History(
        portfolio=portfolio.id,
        partner=partner,
        name=found.name,
        stage=negotiation.stage,
        rounds=rows,
    )
