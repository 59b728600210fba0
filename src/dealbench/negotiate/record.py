"""Recording rounds: a US offer, a partner's counter, a conclusion, a walk-away.

Each call reads and checks the portfolio's whole rounds tree first, refuses a
round after a concluded or walked-away one, validates the new round, and only
then appends it (see `rounds.write.append_round`: never overwrites, never races).
With `expect`, the round must take that number: a caller that showed the
negotiation to someone (a web form) refuses a round recorded on an out-of-date
view, or twice for one click.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from dealbench.arguments import one_of
from dealbench.checker import DealFigures, check, evaluate
from dealbench.errors import (
    ArgumentError,
    Chosen,
    DealbenchError,
    InfeasibleError,
    InputError,
    Issue,
)
from dealbench.figures import SOLVER_NOISE, usd
from dealbench.limit import Limit, broken_messages, messages, package_field
from dealbench.list_words import and_list
from dealbench.model.arguments import a_package, a_portfolio
from dealbench.model.load_package import (
    is_round_file,
    load_counter,
    load_package,
    package_issue,
    partner_said,
)
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.model.yamlio import display_path, read_yaml
from dealbench.negotiate.offers.floor import counter_worth
from dealbench.negotiate.offers.retreat import refuse_retreat, retreat_words
from dealbench.negotiate.offers.strategies import NextOffer, mode_offer, next_offer
from dealbench.negotiate.offers.strategy_args import (
    check_strategy,
    check_time_dependent,
    resolve_strategy,
    strategy_offer,
)
from dealbench.negotiate.offers.words import step_words
from dealbench.negotiate.plan import Plan, replan
from dealbench.negotiate.rounds.check import (
    COUNTER_DATED,
    check_date,
    order_problem,
    refuse_after_close,
    round_text,
)
from dealbench.negotiate.rounds.lock import concluding
from dealbench.negotiate.rounds.negotiation import (
    Negotiation,
    Round,
    RoundFile,
    Side,
    StrategyRecord,
    date_problem,
    same_terms,
    shared_violations,
)
from dealbench.negotiate.rounds.read import known_partner, load_negotiations
from dealbench.negotiate.rounds.write import (
    append_round,
    recorded,
    refuse_shipped,
    refuse_unwritable,
)
from dealbench.negotiate.verdict import Verdict, verdict

__all__ = ["Counter", "Offer", "conclude", "record_counter", "record_offer", "walk_away"]


@dataclass(frozen=True)
class Offer:
    """A recorded US round, and the strategy's proposal when dealbench chose the package."""

    round: Round
    proposal: NextOffer | None
    previous: Round | None
    #: Supply and risk budget the offer breaks together with the deals concluded with the
    #: others (as `history` and the verdict count them; its own limits are its figures').
    shared: list[Limit] = field(default_factory=list)
    #: An offer dealbench chose whose compute is not in the declared step says so
    #: (`offers.words.step_words`); "" otherwise, and for a package given.
    step_note: str = ""
    #: Our last offer when this one has its terms (`same_terms`), chosen or given: recorded,
    #: as a negotiator restates an offer that stands, and said (`repeat_note`).
    repeats: Round | None = None

    @property
    def figures(self) -> DealFigures | None:
        """The offer's figures, with the shared limits it breaks beside the concluded deals
        among its violations (as `offer` says them); None for no package."""
        figures = self.round.figures
        if figures is None:
            return None
        return figures.model_copy(update={"violations": figures.violations + self.shared})

    def to_json(self) -> dict[str, Any]:
        """The offer as `dealbench offer --json` prints it (less the documents it wrote):
        an Offer is a dataclass, not a pydantic model, and this is its JSON shape. Its
        `status` is the round's ("open"), as `conclude --json`'s and `walk-away --json`'s
        are theirs: `offer --json` that can offer nothing answers `{"status": "infeasible",
        "message": ...}`, and a script reads the status of both alike."""
        r, figures = self.round, self.figures
        return {
            "status": r.status,
            "round": r.number,
            "file": display_path(r.path),
            "package": r.package.model_dump(mode="json", exclude_none=True) if r.package else None,
            "figures": figures.model_dump(mode="json") if figures else None,
            "strategy": r.data.strategy.model_dump(mode="json") if r.data.strategy else None,
            "retreat": r.data.retreat,
            "step_note": self.step_note or None,
            # our last offer's round when this one has its terms (null: it moves)
            "repeats": self.repeats.number if self.repeats is not None else None,
            "repeat_note": self.repeat_note or None,
            "no_deal_note": self.no_deal_note or None,
        }

    @property
    def no_deal_note(self) -> str:
        """That the offer is worth less to the US than no deal with the partner, and by how
        much, in words every shell shows; "" otherwise. `offer -p IN --package FILE`
        recorded a package at -$1.68bn to the US, against $0 without a deal, without a
        word (its term sheet's internal annex said it, the command not)."""
        figures = self.round.figures
        if figures is None or figures.us_margin > -SOLVER_NOISE:  # an offer at the reservation
            return ""
        return (
            f"Warning: the United States would be {usd(-figures.us_margin)} better off "
            f"without this deal: its US utility, {usd(figures.us_value)}, is below the US "
            f"walk-away value of {usd(figures.us_batna)} (recorded all the same)."
        )

    @property
    def repeat_note(self) -> str:
        """That the offer repeats our last, in words every shell shows; "" when it moves.
        `offer -p KR --fix compute --fix invest-us` after KR's counter recorded round 1's
        package again without a word, as if it were a move."""
        last = self.repeats
        if last is None:
            return ""
        same = f"The same terms as our offer of round {last.number} ({last.name})"
        between = self.round.number - last.number - 1
        if not between:
            return f"{same}, with no counter since: the partner hears nothing new."
        code = last.package.partner if last.package is not None else "the partner"
        moved = (
            f"{code}'s counter of round {last.number + 1}"
            if between == 1
            else f"the {between} rounds since"
        )
        return f"{same}: our offer stands, unmoved by {moved}."


@dataclass(frozen=True)
class Counter:
    """A recorded counter and the verdict on it."""

    round: Round
    verdict: Verdict
    #: The round the counter file names (`round:`) when it is recorded as another, the
    #: negotiation's next (`ae-counter.yaml` says 2, and may be recorded as round 5).
    file_round: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The counter as `dealbench counter --json` prints it (less the documents it
        wrote): the round's `status` ("open", as `Offer.to_json`'s), the verdict's
        fields, `file` and `file_round`."""
        data: dict[str, Any] = {"status": self.round.status}
        data.update(self.verdict.model_dump(mode="json"))
        data["file"] = display_path(self.round.path)
        data["file_round"] = self.file_round
        return data


def record_offer(
    portfolio: Portfolio,
    root: str | os.PathLike[str],
    partner: str,
    *,
    package: Package | str | os.PathLike[str] | None = None,
    strategy: str | None = None,
    mode: str | None = None,
    deadline: int | None = None,
    beta: float | None = None,
    fix: Sequence[str] = (),
    note: str | None = None,
    author: str | None = None,
    date: dt.date | None = None,
    expect: int | None = None,
    allow_retreat: bool = False,
    recorded_by: str | None = None,
) -> Offer:
    """Record the next US offer: `package` as given, or the next offer by `strategy`.

    Without `strategy`, the strategy of the last US offer chosen by one continues (its
    deadline and beta too, unless given), else Boulware. `mode` (us-best, nash,
    kalai) offers that point of the deal's frontier instead. An offer that gives the
    partner less than our last offer did is refused unless `allow_retreat`; allowed, the
    round file says what it takes back (`retreat:`). `package` may be a package file,
    validated against the portfolio first and refused at its lines (another partner's).
    `recorded_by`: what records the round, as the round file's first comment says it (the
    CLI's "`dealbench offer`", the web's workbench); None: this call. So for the others.
    """
    portfolio = a_portfolio(portfolio)
    root = Path(root)  # a str as well as a Path
    refuse_shipped(root)  # before any work
    check_date(portfolio, date)
    note, author = round_text(note, "note"), round_text(author, "author", one_line=True)
    where: Path | None = None  # the package file, or None: the package passed or chosen
    if isinstance(package, str | os.PathLike):
        where = Path(package)
        _partner_first(portfolio, where, partner, "package")
        package = load_package(package, portfolio)
    elif package is not None:
        a_package(package)  # a dict (a package's model_dump) read as none
    negotiations = load_negotiations(portfolio, root)
    negotiation = _open(portfolio, negotiations, partner, expect)
    refuse_unwritable(negotiation)  # before any work
    _in_order(negotiation, date)
    proposal = None
    plan: Plan | None = None
    record: StrategyRecord | None = None
    choosing = [
        words
        for words, given in (
            ("a strategy", strategy is not None),
            ("a mode", mode is not None),
            ("terms to fix", bool(fix)),
            ("a deadline", deadline is not None),
            ("a concession exponent (beta)", beta is not None),
        )
        if given
    ]
    if package is not None and choosing:
        raise ArgumentError(
            "package",
            f"the offer is the package given, so {and_list(choosing)} would be ignored; "
            "give either a package or how to choose one, not both",
        )
    if package is None and mode is not None:
        if strategy is not None or fix:
            raise ArgumentError(
                "mode", "give either a mode or a strategy (and terms to fix), not both"
            )
        # A point of the frontier has no deadline nor exponent: `--mode us-best --deadline
        # 3` recorded the offer and dropped the deadline without a word.
        ignored = [w for w in choosing if w in ("a deadline", "a concession exponent (beta)")]
        if ignored:
            raise ArgumentError(
                "mode",
                f"a point of the frontier is not chosen by a time-dependent strategy, so "
                f"{and_list(ignored)} would be ignored; give either a mode or a strategy "
                "with its deadline and exponent, not both",
            )
        plan = replan(portfolio, negotiations)
        proposal = mode_offer(portfolio, negotiations, plan, partner, mode)
        package, record = proposal.package, proposal.strategy
    elif package is None:
        check_strategy(strategy, deadline, beta)  # before the plan's solves
        chosen = resolve_strategy(negotiation, strategy, deadline)
        check_time_dependent(chosen["strategy"], deadline, beta)
        if beta is not None:
            chosen["beta"] = beta
        plan = replan(portfolio, negotiations)
        proposal = next_offer(portfolio, negotiations, plan, partner, fix=fix, **chosen)
        package, record = proposal.package, proposal.strategy
    if proposal is not None:  # chosen here: in the portfolio's chips, where it decides in chips
        package = package.in_steps_of(portfolio.granularity)
    _same_partner(package, partner, where, "package")
    _same_side(package, "us", where, "package")
    previous = negotiation.last_offer
    retreat = _retreat(
        portfolio,
        previous,
        package,
        proposal,
        allow_retreat,
        continued=lambda: _continued(portfolio, negotiations, plan, negotiation),
        kept=strategy_offer(negotiation),
        accepted=lambda: _accepted(portfolio, negotiations, plan, negotiation, proposal),
    )
    data = RoundFile(
        round=negotiation.next_number,
        side="us",
        date=date,
        author=author or "US delegation",
        basis=negotiation.last.name if negotiation.last else None,
        package=package,
        note=note,
        status="open",
        strategy=record,
        retreat=retreat,
    )
    step_note = step_words(portfolio, package) if proposal is not None else ""
    written = append_round(
        portfolio, negotiation, data, header=_header(recorded_by, "record_offer", portfolio)
    )
    with recorded(written.data, written.path):
        shared = shared_violations(portfolio, negotiations, package)
        repeats = (
            previous
            if previous is not None
            and previous.figures is not None
            and written.figures is not None
            and same_terms(previous.figures, written.figures)
            else None
        )
    return Offer(written, proposal, previous, shared, step_note, repeats)


def _retreat(
    portfolio: Portfolio,
    last: Round | None,
    package: Package,
    proposal: NextOffer | None,
    allowed: bool,
    continued: Callable[[], NextOffer | None],
    kept: Round | None,
    accepted: Callable[[], int | None] = lambda: None,
) -> str | None:
    """What the offer takes back from our `last` offer (None: nothing), refused unless
    `allowed` (docs/negotiation.md, "Taking back what was offered"). `continued`: the offer
    the strategy that runs on would make now, asked only for the refusal's advice; `kept`:
    the offer that strategy was recorded by (`strategy_offer`); `accepted`: the round of the
    partner's counter worth the offer's target to the US (`_accepted`), advised too."""
    words = retreat_words(last, evaluate(portfolio, package))
    if not words or last is None:
        return None
    said = proposal.retreat if proposal is not None and proposal.retreat else words
    if allowed:
        return said
    before = kept.data.strategy if kept is not None else None
    chosen = proposal.strategy if proposal is not None else None
    # The strategy that runs on (a point of the frontier chooses none: `--strategy nash` is
    # no strategy), where its target is what took it back (a switch from linear to
    # Boulware), not where the plan moved under it.
    back = (
        (kept.number, before.name)
        if kept is not None
        and before is not None
        and chosen is not None
        and before.name != chosen.name
        and last.figures is not None
        and (chosen.target_us_utility or 0.0) > last.figures.us_value + 1.0
        else None
    )
    if back is not None:  # advised only when that strategy, continued, takes nothing back:
        # the floor every strategy shares (a counter's worth) can take it back as well
        again = continued()
        if again is None or retreat_words(last, again.figures):
            back = None
    raise refuse_retreat(said, last, back, accepted())


def _accepted(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    plan: Plan | None,
    negotiation: Negotiation,
    proposal: NextOffer | None,
) -> int | None:
    """The round of the partner's last counter, when it answers our last offer and is worth
    at least the proposal's target to the US (`counter_worth`, the floor every strategy
    shares): the verdict accepts it, since accepting leaves the portfolio where the offer's
    target would. None otherwise, and for a package of one's own (no target)."""
    counter, offer = negotiation.last_counter, negotiation.last_offer
    if plan is None or proposal is None or counter is None:
        return None
    if offer is not None and offer.number > counter.number:
        return None
    worth = counter_worth(portfolio, negotiations, plan, negotiation)
    target = proposal.strategy.target_us_utility or 0.0
    return counter.number if worth is not None and worth.us_value >= target - 1.0 else None


def _continued(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    plan: Plan | None,
    negotiation: Negotiation,
) -> NextOffer | None:
    """The offer the strategy that runs on would make now (None: none can be made)."""
    if plan is None:
        return None
    chosen = resolve_strategy(negotiation, None, None)
    try:
        return next_offer(portfolio, negotiations, plan, negotiation.partner, **chosen)
    except InfeasibleError:
        return None


def record_counter(
    portfolio: Portfolio,
    root: str | os.PathLike[str],
    partner: str,
    counter: Package | str | os.PathLike[str],
    *,
    note: str | None = None,
    author: str | None = None,
    date: dt.date | None = None,
    strategy: str | None = None,
    deadline: int | None = None,
    expect: int | None = None,
    recorded_by: str | None = None,
) -> Counter:
    """Record the partner's counter as the next round and return the verdict on it.

    A file is validated against the package schema and the portfolio first; a
    malformed counter, or one for another partner, is refused before anything
    is written. A counter that breaks a limit is recorded: its violations are
    in the verdict.
    """
    portfolio = a_portfolio(portfolio)
    root = Path(root)  # a str as well as a Path
    refuse_shipped(root)  # before any work
    check_strategy(strategy, deadline)  # the verdict needs them, and comes after the write
    note, author = round_text(note, "note"), round_text(author, "author", one_line=True)
    where: Path | None = None  # the counter file, or None: the package passed
    if isinstance(counter, str | os.PathLike):  # a counter file
        where = Path(counter)
        _partner_first(portfolio, where, partner, "counter")
        package = load_counter(counter, portfolio)  # a round file's date is not this one's
    else:
        package = a_package(counter, "counter")
    # After the file's own (its `partner:` at its line, where the two agree), a partner
    # not in the portfolio is said as such, not as the counter being another's ("partner:
    # is AE, but the negotiation is with XX" of `counter -p XX`).
    known_partner(portfolio, partner)
    _same_partner(package, partner, where, "counter")
    _same_side(package, "partner", where, "counter")
    check_date(portfolio, date)
    if date is None and (problem := date_problem(portfolio, package.date)) is not None:
        _refuse(where, "counter", "date", problem)
    negotiations = load_negotiations(portfolio, root)
    negotiation = _open(portfolio, negotiations, partner, expect)
    refuse_unwritable(negotiation)  # before any work
    _in_order(negotiation, date)
    _not_again(portfolio, negotiation, package)
    if date is None and where is not None:
        _in_order(negotiation, package.date, where)
    basis = negotiation.last_offer or negotiation.last
    data = RoundFile(
        round=negotiation.next_number,
        side="partner",
        date=date or package.date,
        author=author or f"{partner} delegation",
        basis=basis.name if basis else None,
        package=package.model_copy(update={"date": None}),
        note=note,
        status="open",
    )
    written = append_round(
        portfolio,
        negotiation,
        data,
        header=_header(recorded_by, "record_counter", portfolio),
        dated_by="date" if date is not None else "counter",
    )
    try:
        negotiations = load_negotiations(portfolio, root)
        answer = verdict(
            portfolio,
            negotiations,
            package,
            round_number=written.number,
            strategy=strategy,
            deadline=deadline,
        )
    except (DealbenchError, KeyboardInterrupt) as exc:  # the round stands (it was valid): say so
        failed = "was interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        exc.add_note(
            f"note: the counter was recorded as round {written.number} "
            f"({display_path(written.path)}); only its verdict {failed} (see `dealbench "
            "history`)"
        )
        raise
    named = package.round if package.round not in (None, written.number) else None
    return Counter(written, answer, named)


def conclude(
    portfolio: Portfolio,
    root: str | os.PathLike[str],
    partner: str,
    *,
    round_number: int | None = None,
    note: str | None = None,
    author: str | None = None,
    date: dt.date | None = None,
    expect: int | None = None,
    recorded_by: str | None = None,
) -> Round:
    """Conclude the deal on a round's package (default: the last round with one).

    The package must pass `check` together with the deals concluded before it
    (its own limits, acceptance, supply and risk budget); the conclusion is
    recorded by the side that accepts, the other side of that round.
    """
    portfolio = a_portfolio(portfolio)
    root = Path(root)  # a str as well as a Path
    refuse_shipped(root)  # before any work
    check_date(portfolio, date)
    note, author = round_text(note, "note"), round_text(author, "author", one_line=True)
    # Read, checked beside the others' conclusions and written under one lock: a
    # conclusion recorded for another partner meanwhile is counted (`rounds.lock.concluding`).
    with concluding(root):
        negotiations = load_negotiations(portfolio, root)
        negotiation = _open(portfolio, negotiations, partner, expect)
        refuse_unwritable(negotiation)  # before any work
        _in_order(negotiation, date)
        data = _conclusion(portfolio, negotiations, negotiation, round_number, note, author, date)
        header = _header(recorded_by, "conclude", portfolio)
        return append_round(portfolio, negotiation, data, header=header)


def _conclusion(
    portfolio: Portfolio,
    negotiations: dict[str, Negotiation],
    negotiation: Negotiation,
    round_number: int | None,
    note: str | None,
    author: str | None,
    date: dt.date | None,
) -> RoundFile:
    """The conclusion's round: on round `round_number`'s package (default the last with
    one), refused unless it passes `check` beside the deals concluded with the others."""
    partner = negotiation.partner
    # A round the caller chose is at fault when it is missing (an ArgumentError naming
    # `round_number`) or breaks a limit: the error names its file, and says it came from
    # `round_number` (a shell marks its field).
    chosen = "round_number" if round_number is not None else None
    agreed = (
        negotiation.round(round_number)
        if round_number is not None
        else next((r for r in reversed(negotiation.rounds) if r.package is not None), None)
    )
    if agreed is None or agreed.package is None:
        raise InputError(
            Issue(
                display_path(negotiation.folder),
                None,
                "",
                f"no round with {partner} carries a package to conclude on; record an offer first",
            ),
            argument=chosen,
        )
    others = [
        n.concluded_package
        for code, n in negotiations.items()
        if code != partner and n.concluded_package is not None
    ]
    checked = check(portfolio, [*others, agreed.package], agreed=[p.partner for p in others])
    if not checked.ok:
        # A sentence about the round, as a negotiator says it: it is read beside the round
        # chosen (the web's Agreed round), where a field path ("package: ...") was jargon.
        # A cap broken in each quarter is one limit, as `evaluate` and the verdict say it.
        limits = [*checked.violations, *(v for d in checked.deals for v in d.violations)]
        plain = set(messages(limits))
        said = broken_messages(limits) + [p for p in checked.problems() if p not in plain]
        # At the line of the field at fault: the round's own first broken limit, else the
        # first shared one (supply in a period: that period's compute).
        own = [v for d in checked.deals if d.partner == partner for v in d.violations]
        first = next(iter([*own, *checked.violations]), None)
        at = ("package", *(package_field(first) if first is not None else ()))
        raise InputError(
            Issue(
                display_path(agreed.path),
                read_yaml(agreed.path).line(at),
                "",
                f"no deal can be concluded on round {agreed.number}'s package: "
                + "; ".join(said)
                + _instead(portfolio, negotiation, agreed, others),
            ),
            argument=chosen,
        )
    side: Side = "partner" if agreed.side == "us" else "us"
    return RoundFile(
        round=negotiation.next_number,
        side=side,
        date=date,
        author=author or ("US delegation" if side == "us" else f"{partner} delegation"),
        basis=agreed.name,
        package=agreed.package,
        note=note,
        status="concluded",
    )


def _instead(
    portfolio: Portfolio, negotiation: Negotiation, refused: Round, others: list[Package]
) -> str:
    """What a refused conclusion can do instead (qa46-negotiate: it said only what the round
    breaks, and the negotiator was left to try the rounds one by one): the latest round of
    each side whose package passes `check` beside the deals concluded with the others (our
    offer the partner may accept, its counter we may), else an offer fitted to what those
    deals leave."""
    codes = [p.partner for p in others]
    latest: dict[str, Round] = {}
    for r in negotiation.rounds:
        if r.package is None or r.number == refused.number:
            continue
        if check(portfolio, [*others, r.package], agreed=codes).ok:
            latest[r.side] = r
    if not latest:
        fitted = ", fitted to what the concluded deals leave" if others else ""
        return (
            f". No round with {negotiation.partner} can be concluded as it stands: record an "
            f"offer{fitted}"
        )
    code = negotiation.partner
    said = [
        f"on our offer of round {r.number} ({r.name}), if {code} accepts it"
        if r.side == "us"
        else f"on {code}'s counter of round {r.number} ({r.name})"
        for r in sorted(latest.values(), key=lambda r: r.number)
    ]
    return f". As things stand, the deal can be concluded instead {', or '.join(said)}; or record an offer"


def walk_away(
    portfolio: Portfolio,
    root: str | os.PathLike[str],
    partner: str,
    *,
    by: Side = "us",
    note: str | None = None,
    author: str | None = None,
    date: dt.date | None = None,
    expect: int | None = None,
    recorded_by: str | None = None,
) -> Round:
    """Record that `by` walked away: the partner gets no deal when the portfolio is re-planned."""
    portfolio = a_portfolio(portfolio)
    root = Path(root)  # a str as well as a Path
    refuse_shipped(root)  # before any work
    by = one_of(by, get_args(Side), "by", "side")  # not pydantic's words on the round file
    check_date(portfolio, date)
    note, author = round_text(note, "note"), round_text(author, "author", one_line=True)
    negotiations = load_negotiations(portfolio, root)
    negotiation = _open(portfolio, negotiations, partner, expect)
    refuse_unwritable(negotiation)  # before any work
    _in_order(negotiation, date)
    data = RoundFile(
        round=negotiation.next_number,
        side=by,
        date=date,
        author=author or ("US delegation" if by == "us" else f"{partner} delegation"),
        basis=negotiation.last.name if negotiation.last else None,
        package=None,
        note=note,
        status="walked-away",
    )
    return append_round(
        portfolio, negotiation, data, header=_header(recorded_by, "walk_away", portfolio)
    )


def _since(negotiation: Negotiation, expect: int) -> Chosen:
    """Why a round expected to take number `expect` is refused, each round recorded since
    named: "round 3 (003-us.yaml) was recorded", "rounds 2-3 (002-partner.yaml,
    003-us.yaml) were recorded" (only the last was named, as if the page had missed one
    round), then in each shell's words: the web's "after the page was loaded" (a form sent
    twice, or from an out-of-date page: reloading it sends the form again, refused again),
    a library caller's `expect` (it read the web's words)."""
    since = [r for r in negotiation.rounds if r.number >= expect]
    if not since or negotiation.next_number < expect:
        return Chosen("stale", f"the next round is {negotiation.next_number}, not {expect}")
    files = ", ".join(r.name for r in since)
    if len(since) == 1:
        return Chosen("overtaken", f"round {since[0].number} ({files}) was recorded")
    span = f"{since[0].number}\N{EN DASH}{since[-1].number}"
    return Chosen("overtaken", f"rounds {span} ({files}) were recorded")


def _open(
    portfolio: Portfolio,
    negotiations: dict[str, Negotiation],
    partner: str,
    expect: int | None = None,
) -> Negotiation:
    """The open negotiation with `partner`; with `expect`, only if the new round would take
    that number (a form sent twice, or from a page that rounds have since overtaken, would
    otherwise record a round its sender never saw the state of)."""
    known_partner(portfolio, partner)
    negotiation = negotiations[partner]
    if expect is not None and negotiation.next_number != expect:
        where = Issue(display_path(negotiation.folder), None, "", "")
        raise InputError(where.choosing(_since(negotiation, expect)))
    refuse_after_close(negotiation)
    return negotiation


def _partner_first(portfolio: Portfolio, where: Path, partner: str, argument: str) -> None:
    """A file that names another partner of the portfolio is refused as such, at its
    `partner:` line, before its terms are checked against that partner's menu: `counter
    FILE --partner AE` with AE's terms under `partner: SA` said SA's unknown concessions,
    not that the file is SA's. A partner the portfolio has not is said by the loading."""
    said = partner_said(where)
    if said is not None and said != partner and portfolio.partner(said) is not None:
        known_partner(portfolio, partner)  # `--partner XX`: no partner of this portfolio
        _same_partner_said(said, partner, where, argument)


def _same_partner(package: Package, partner: str, where: Path | None, argument: str) -> None:
    _same_partner_said(package.partner, partner, where, argument)


def _same_partner_said(said: str, partner: str, where: Path | None, argument: str) -> None:
    if said != partner:
        _refuse(where, argument, "partner", f"is {said}, but the negotiation is with {partner}")


def _same_side(package: Package, side: Side, where: Path | None, argument: str) -> None:
    """A package that says whose proposal it is (`side: offer` or `counter`) is recorded
    only as that side's round: our own offer passed to `counter` is a mistake. Terms agreed
    (a concluded round's file, read from another folder) are neither side's proposal."""
    if package.side in (None, "agreed"):
        return
    says: Side = "us" if package.side in ("offer", "us") else "partner"
    if says != side:
        whose = "a US proposal" if says == "us" else "the partner's proposal"
        record = "a US offer" if says == "us" else "the partner's counter"
        # A recorded round is never edited: its terms go in a package file of their own
        remove = (
            "give its terms in a package file without `side`"
            if where is not None and is_round_file(where)
            else "remove `side`"
        )
        _refuse(
            where,
            argument,
            "side",
            f"is {package.side}: the package is {whose}, not "
            f"{'a US offer' if side == 'us' else 'a counter'}; record it as {record}, "
            f"or {remove}",
        )


def _not_again(portfolio: Portfolio, negotiation: Negotiation, package: Package) -> None:
    """Refuse a counter that is the partner's last round again, with no US round since:
    the command run twice (a shell's history, a script re-run) recorded the same counter
    as rounds 5 and 6, which `history`, `room` and the strategies' counts then read as
    two counters. The same terms as a conclusion repeats its basis (`same_terms`)."""
    last = negotiation.last
    if last is None or last.side != "partner" or last.figures is None:
        return
    if not same_terms(last.figures, evaluate(portfolio, package)):
        return
    answer = Chosen(  # as each shell records an offer (the web: its form)
        "offer",
        f"round {last.number} is already this counter from {negotiation.partner} (the same "
        "terms), with no US offer since; nothing written (answer it with ",
        ", or record the partner's next counter when its terms change)",
    )
    raise InputError(Issue(display_path(last.path), None, "", "").choosing(answer))


def _in_order(negotiation: Negotiation, date: dt.date | None, where: Path | None = None) -> None:
    """A round dated before the negotiation's last dated round, refused before anything is
    written, and blamed on where the date came from: a date given for the round (`--date`,
    the web's date field) as that argument; a counter file's own `date:` (`where`) at that
    line of the file. `append_round` keeps the same check, under its lock, but can only
    name the round file it would have written, which is not written."""
    said = order_problem(negotiation.next_number, date, negotiation.rounds)
    if said is None:
        return
    if where is None:
        raise ArgumentError("date", f"{said}; nothing written")
    raise InputError(
        package_issue(where, "date", f"{said}{COUNTER_DATED}; nothing written"),
        argument="counter",
    )


def _refuse(where: Path | None, argument: str, field: str, message: str) -> None:
    """A package at fault: the file it was read from (`where`, at the field's line), else
    the argument passed."""
    if where is None:
        raise ArgumentError(argument, message, field)
    raise InputError(package_issue(where, field, message))


def _header(by: str | None, call: str, portfolio: Portfolio) -> str:
    """The comment a round file begins with: what recorded it (`recorded_by`, as the shell
    that called says itself: the CLI's command, the web's workbench; else the library's
    `call`), the portfolio, and that it is never edited."""
    return (
        f"Recorded by {by or f'dealbench.negotiate.{call}()'} for portfolio {portfolio.id}.\n"
        "A round is never edited: record a new one instead."
    )
