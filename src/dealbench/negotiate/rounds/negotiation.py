"""Rounds of a negotiation: the files under deals/rounds/<portfolio>/<CODE>/ and what they hold.

A negotiation with one partner is a folder of round files, `001-us.yaml`,
`002-partner.yaml`, ... (DESIGN.md, "Negotiation"). This module holds a round as read
(`Round`) and a negotiation's rounds (`Negotiation`), where a portfolio's rounds live,
and what rounds weigh together (limits shared with concluded deals, offers awaiting an
answer). The folder is read by `read`, checked by `check`, and appended
to by `write` under `lock`'s locks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dealbench.arguments import given_briefly
from dealbench.checker import DealFigures, check
from dealbench.errors import ArgumentError
from dealbench.limit import Limit
from dealbench.model.arguments import a_portfolio
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.model.rounds import (
    RoundFile,
    RoundStatus,
    Side,
    StrategyRecord,
    date_problem,
    round_problems,
    walked_away_words,
)
from dealbench.model.yamlio import display_path, folder_of

__all__ = [
    "Beyond",
    "Negotiation",
    "Round",
    "RoundFile",
    "RoundStatus",
    "Side",
    "StrategyRecord",
    "concluded_before",
    "concluded_with",
    "date_problem",
    "offer_breaks",
    "offers_beyond",
    "round_name",
    "round_problems",
    "rounds_fingerprint",
    "rounds_root",
    "same_rounds_files",
    "same_terms",
    "shared_violations",
]


Stage = Literal["not started", "offered", "countered", "concluded", "walked away"]


SIDES: tuple[Side, ...] = ("us", "partner")


@dataclass(frozen=True)
class Round:
    """A round file read from disk, with its package's figures as `check` computes them."""

    path: Path
    data: RoundFile
    figures: DealFigures | None

    @property
    def number(self) -> int:
        return self.data.round

    @property
    def side(self) -> Side:
        return self.data.side

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def package(self) -> Package | None:
        return self.data.package

    @property
    def note_said(self) -> str:
        """`, note: ...`: the round's note on one line, as `history` says it after its table
        (a walk-away's note is its reason, which the room, the status memo and a re-plan's
        "why no deal" then say); its last full stop dropped, as the sentence ends itself.
        Empty without a note."""
        note = " ".join((self.data.note or "").split()).removesuffix(".")
        return f", note: {note}" if note else ""

    @property
    def status(self) -> RoundStatus:
        return self.data.status

    def to_json(self) -> dict[str, Any]:
        """The round as `dealbench conclude --json` and `walk-away --json` print it (less
        the documents they wrote): the round file's fields, `file` (the path as the CLI
        says it) and `figures`, its package's as `check` computes them (null: none)."""
        data: dict[str, Any] = self.data.model_dump(mode="json", exclude_none=True)
        data["file"] = display_path(self.path)
        data["figures"] = self.figures.model_dump(mode="json") if self.figures else None
        return data


@dataclass(frozen=True)
class Negotiation:
    """Every round with one partner, in order."""

    partner: str
    folder: Path
    rounds: list[Round] = field(default_factory=list)

    @property
    def next_number(self) -> int:
        return len(self.rounds) + 1

    @property
    def last(self) -> Round | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def status(self) -> RoundStatus:
        return self.last.status if self.last else "open"

    @property
    def closed(self) -> bool:
        return self.status != "open"

    @property
    def how_ended(self) -> str | None:
        """How the talks ended, None while open: "the negotiation with SA was concluded",
        "the United States walked away from KZ", "KZ walked away" (it read "the negotiation
        with KZ was walked away from", whoever left; the web editor said "closed (concluded
        or walked away)", knowing which)."""
        last = self.last
        if last is None or last.status == "open":
            return None
        if last.status == "concluded":
            return f"the negotiation with {self.partner} was concluded"
        return walked_away_words(self.partner, last.side)

    @property
    def stage(self) -> Stage:
        last = self.last
        if last is None:
            return "not started"
        if last.status == "concluded":
            return "concluded"
        if last.status == "walked-away":
            return "walked away"
        return "offered" if last.side == "us" else "countered"

    def last_of(self, side: Side) -> Round | None:
        """The latest open round of `side` that carries a package."""
        return next(
            (
                r
                for r in reversed(self.rounds)
                if r.side == side and r.package is not None and r.status == "open"
            ),
            None,
        )

    @property
    def last_offer(self) -> Round | None:
        return self.last_of("us")

    @property
    def last_counter(self) -> Round | None:
        return self.last_of("partner")

    def offers(self) -> list[Round]:
        return [r for r in self.rounds if r.side == "us" and r.status == "open" and r.package]

    def round(self, number: int, argument: str = "round_number") -> Round:
        """Round `number`; else an ArgumentError naming `argument`, the call's parameter
        that gave the number (the CLI's --round), with the rounds there are."""
        from dealbench.render.filters import plural

        for r in self.rounds:
            if r.number == number:
                return r
        there = f"1 to {len(self.rounds)}" if self.rounds else "none yet"
        raise ArgumentError(
            argument,
            f"round {number} does not exist; the negotiation in {display_path(self.folder)} "
            f"has {plural(len(self.rounds), 'round')} ({there})",
        )

    @property
    def concluded_package(self) -> Package | None:
        last = self.last
        return last.package if last is not None and last.status == "concluded" else None


def shared_violations(
    portfolio: Portfolio, negotiations: Mapping[str, Negotiation], package: Package
) -> list[Limit]:
    """Supply and risk budget that `package` breaks together with the deals concluded with
    the other partners (`history`, `offer` and `evaluate --rounds` count them, as the
    verdict does); its own limits are its figures'."""
    concluded = [
        n.concluded_package
        for code, n in negotiations.items()
        if code != package.partner and n.concluded_package is not None
    ]
    return concluded_with(portfolio, concluded, package)


def concluded_before(
    negotiations: Mapping[str, Negotiation], partner: str, made: Round
) -> list[str]:
    """The partners other than `partner` (whose round `made` is) whose deals were concluded before `made` was
    made, as far as the dates tell: a conclusion dated before the round's date. One dated
    the same day, or a round or conclusion without a date, is not known to come first
    (dealbench records the day only), so it is left to what the round breaks now
    (`history`: each round judged as it stood when made)."""
    made_on = made.data.date
    out = []
    for code, n in negotiations.items():
        last = n.last
        if code == partner or n.concluded_package is None or last is None:
            continue
        on = last.data.date
        if made_on is not None and on is not None and on < made_on:
            out.append(code)
    return out


def offer_breaks(
    portfolio: Portfolio, negotiations: Mapping[str, Negotiation], offer: Round
) -> list[Limit]:
    """The limits a US offer breaks as it stands: its own, and the supply and risk budget
    beside the deals concluded with the others. An offer that breaks one cannot be
    concluded as offered, whatever the partner answers (`conclude` refuses it)."""
    if offer.package is None or offer.figures is None:
        return []
    return [*offer.figures.violations, *shared_violations(portfolio, negotiations, offer.package)]


@dataclass(frozen=True)
class Beyond:
    """What `offers_beyond` finds: the sentence's middle and how many offers it names."""

    words: str
    offers: int


def offers_beyond(
    portfolio: Portfolio,
    negotiations: Mapping[str, Negotiation],
    left: Mapping[str, float],
    risk_left: float | None,
    exclude: str | None = None,
) -> Beyond | None:
    """What the US offers awaiting an answer (the last round of a negotiation other than
    `exclude`'s) together take beyond the supply `left` in a period, or the `risk_left`,
    each offer's part named ("2027 32,000 H100e (KE 22,000 in round 4 and ...) of the
    30,000 left"); None when they fit, or when the limit is already broken without them (a
    counter over it says so itself). An offer that already breaks a limit as it stands
    (`offer_breaks`: a deal concluded since took the supply it used) is left out: it cannot
    be concluded whatever the others do, and the room says so in its own row (qa43: QA's
    and IN's offers, each over the 28,292 H100e of 2026 left, read "not all of them can be
    concluded as offered", and each row "await counter")."""
    from dealbench.figures import h100e
    from dealbench.list_words import and_list

    standing = [
        (code, r.number, r.figures)
        for code, n in negotiations.items()
        if code != exclude
        and n.stage == "offered"
        and (r := n.last_offer) is not None
        and r.figures is not None
        and not offer_breaks(portfolio, negotiations, r)
    ]
    over = []
    named: set[str] = set()
    for t in portfolio.periods:
        takes = [(c, k, f.compute.get(t, 0.0)) for c, k, f in standing if f.compute.get(t, 0.0)]
        taken = sum(x for _, _, x in takes)
        if takes and left[t] > -0.5 and taken > left[t] + 0.5:
            who = and_list([f"{c} {h100e(x)} in round {k}" for c, k, x in takes])
            over.append(f"{t} {h100e(taken)} H100e ({who}) of the {h100e(left[t])} left")
            named.update(c for c, _, _ in takes)
    risks = [(c, k, f.risk) for c, k, f in standing if f.risk > 0.5]
    risk = sum(x for _, _, x in risks)
    if risks and risk_left is not None and risk_left > -0.5 and risk > risk_left + 0.5:
        who = and_list([f"{c} {h100e(x)} in round {k}" for c, k, x in risks])
        over.append(
            f"{h100e(risk)} risk-weighted H100e ({who}) of the {h100e(risk_left)} of the risk "
            "budget left"
        )
        named.update(c for c, _, _ in risks)
    return Beyond(and_list(over), len(named)) if over else None


def concluded_with(portfolio: Portfolio, concluded: list[Package], package: Package) -> list[Limit]:
    """Supply and risk budget that `package` breaks beside the `concluded` packages, each
    sentence saying the concluded deals' part of the total when they have one."""
    agreed = [p.partner for p in concluded]
    return check(portfolio, [*concluded, package], agreed=agreed).violations


def round_name(number: int, side: Side) -> str:
    return f"{number:03d}-{side}.yaml"


def rounds_root(portfolio_path: str | os.PathLike[str], portfolio: Portfolio) -> Path:
    """Where a portfolio's rounds live: deals/rounds/<portfolio id>/ beside deals/portfolios/."""
    if isinstance(portfolio_path, Portfolio):  # every other call takes the portfolio first
        raise ArgumentError(
            "portfolio_path",
            "expected the portfolio file's path, then the Portfolio: rounds_root(path, portfolio)",
        )
    return _rounds_of(portfolio_path, a_portfolio(portfolio).id)


def _rounds_of(portfolio_path: str | os.PathLike[str], portfolio_id: str) -> Path:
    folder = folder_of(portfolio_path)
    base = folder.parent if folder.name == "portfolios" else folder
    return base / "rounds" / portfolio_id


def same_rounds_files(portfolio_path: str | os.PathLike[str], portfolio: Portfolio) -> list[Path]:
    """The other portfolio files with its `id` whose rounds go to the same folder by default
    (`rounds_root`): a copy made to try a variant records into the original's negotiation.
    They are where `rounds_root` puts one folder: in deals/portfolios/ and in deals/ itself
    (only the file's own folder was looked in: a copy in deals/ beside the original in
    deals/portfolios/ recorded into its negotiation unrefused). A file that cannot be read,
    or is no portfolio, is none."""
    from dealbench.errors import DealbenchError
    from dealbench.model.file_kind import detect_kind
    from dealbench.model.yamlio import read_yaml

    own = Path(portfolio_path)
    shared = rounds_root(own, portfolio)
    base = shared.parent.parent
    others = []
    for folder in (base / "portfolios", base):
        try:
            paths = sorted(folder.iterdir()) if folder.is_dir() else []
        except OSError:
            continue
        for path in paths:
            if path.name.startswith(".") or path.suffix not in (".yaml", ".yml"):
                continue
            try:
                if path.samefile(own) or not path.is_file() or path in others:
                    continue
                if _rounds_of(path, portfolio.id) != shared:  # a folder named "portfolios"
                    continue
                source = read_yaml(path)
                if detect_kind(source) == "portfolio" and source.tree.get("id") == portfolio.id:
                    others.append(path)
            except (OSError, DealbenchError):
                continue
    return others


def rounds_fingerprint(portfolio: Portfolio, negotiations: Mapping[str, Negotiation]) -> str:
    """Digest of the portfolio's files and every round file read: what a re-plan depends on."""
    import hashlib

    text = portfolio.fingerprint() + "".join(
        r.path.read_text("utf-8") for n in negotiations.values() for r in n.rounds
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def same_terms(a: DealFigures, b: DealFigures) -> bool:
    """The same security level, compute, concessions and values (amounts may be spelt apart)."""
    periods = set(a.compute) | set(b.compute)
    return (
        a.security == b.security
        and all(abs(a.compute.get(t, 0.0) - b.compute.get(t, 0.0)) <= 1e-6 for t in periods)
        and {c for c, v in a.concessions.items() if v is not False}
        == {c for c, v in b.concessions.items() if v is not False}
        and abs(a.us_value - b.us_value) <= 1.0
        and abs(a.partner_utility - b.partner_utility) <= 1.0
    )


_READ_BY = "load_negotiations(portfolio, root) reads every partner's"


def negotiations_of(value: object, name: str = "negotiations") -> Mapping[str, Negotiation]:
    """`value` when it is the negotiations `load_negotiations` reads (code -> Negotiation);
    else an ArgumentError saying so (a rounds folder's path here was a TypeError or an
    AttributeError deep inside)."""
    ok = isinstance(value, Mapping) and all(isinstance(n, Negotiation) for n in value.values())
    if not ok:
        raise ArgumentError(
            name, f"expected the negotiations ({_READ_BY}), got {given_briefly(value)}"
        )
    return value  # type: ignore[return-value]


def negotiation_of(value: object, partner: str, name: str = "negotiations") -> Negotiation:
    """`partner`'s negotiation in `value` (`negotiations_of`); a mapping without it is an
    ArgumentError, not a KeyError."""
    found = negotiations_of(value, name).get(partner)
    if found is None:
        raise ArgumentError(name, f"no negotiation with {partner} ({_READ_BY})")
    return found
