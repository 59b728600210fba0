"""Documents of a negotiation: each round's term sheet, redlines between rounds, the status memo.

File names carry the partner, the side and the round, so an offer's and a
counter's documents never collide, and internal documents carry `-internal`:
    term-sheets/AE-offer-003.md          term-sheets/AE-offer-003-internal.md
    term-sheets/AE-counter-004.md
    redlines/AE-offer-001-to-offer-003.md   redlines/AE-offer-001-to-offer-003-internal.md
    redlines/AE-offer-003-to-counter-004-internal.md
    term-sheets/SA-agreed-004.md         (the round that concludes the deal: the terms agreed)
    memos/negotiation-gulf-asia.md    (the status memo of `room --render`)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate.verdict import counter_beside_next
from dealbench.render import chart_words, charts
from dealbench.render.charts import Chart
from dealbench.render.docmeta import Audience, doc_meta
from dealbench.render.documents import Document, redline_document, term_sheet_document
from dealbench.render.filters import exact_total, money, plural
from dealbench.render.glossary import glossary
from dealbench.render.naming import SIDE_LABELS, Identity, package_label, side_word
from dealbench.render.sources import source_from_packages
from dealbench.render.uncertain_words import uncertain_listing

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from dealbench.negotiate.room import History, Room
    from dealbench.negotiate.rounds.negotiation import Round

__all__ = [
    "check_memo_date",
    "negotiation_memo_document",
    "round_documents",
    "round_paths",
    "round_stem",
    "rounds_chart",
    "rounds_words",
]

_AUDIENCES: tuple[Audience, ...] = ("external", "internal")


def round_stem(partner: str, r: Round) -> str:
    """`AE-offer-003`, `AE-counter-004`, `AE-agreed-005`: the partner, the side (or the
    agreement a concluding round records) and the round number, as `render` names a
    package with its side and round (`render.naming`)."""
    return f"{partner}-{side_word(_side(r))}-{r.number:03d}"


def _side(r: Round) -> str:
    """What a round's package is in its documents: the US's offer, the partner's counter,
    or, in the round that concludes the deal, the terms agreed (whoever recorded it)."""
    return "agreed" if r.status == "concluded" else r.side


def round_documents(
    portfolio: Portfolio,
    partner: str,
    current: Round,
    previous: Round | None,
    *,
    date: dt.date | None = None,
) -> list[Document]:
    """A round's term sheets (external and internal) and its redline against `previous`.

    `previous` is the earlier US offer for a US offer (redlines external and
    internal), or the US offer a counter answers (internal redline only).
    """
    assert current.package is not None
    day = date or current.data.date
    origin = f"round {current.number} ({_label(current).partition(',')[0]})"
    # Checked with the deals concluded with the others, as the verdict and `history` are:
    # a counter over the risk budget they leave must not read "should accept" beside it.
    beside = _concluded_beside(portfolio, current)
    # The round's side and number are the package's own in its documents: a counter's
    # term sheet is the Partner's proposal, an offer the United States' (the round file
    # holds them beside the package, not in it).
    package = current.package.model_copy(update={"side": current.side, "round": current.number})
    source = source_from_packages(portfolio, [package], origin=origin, date=day, beside=beside)
    if current.status == "concluded":  # the agreement, not a proposal of the side that said yes
        side = _side(current)
        source = dataclasses.replace(source, side=side, label=package_label(side, current.number))
    stem = round_stem(partner, current)
    docs = []
    for audience in _AUDIENCES:
        doc = term_sheet_document(source, partner, audience, day)
        docs.append(dataclasses.replace(doc, path=_sheet_path(stem, audience)))
    if previous is not None and previous.package is not None:
        old = round_stem(partner, previous)
        for audience in _redline_audiences(current.side, previous):
            docs.append(
                redline_document(
                    portfolio,
                    previous.package,
                    current.package,
                    labels=(_label(previous, audience), _label(current, audience)),
                    # what the redline is, whatever words name the rounds
                    names=(old, f"{side_word(_side(current))}-{current.number:03d}"),
                    path=_redline_path(old, _side(current), current.number, audience),
                    audience=audience,
                    date=day,
                    beside=beside,
                    sides=(_side(previous), _side(current)),
                )
            )
    return docs


def round_paths(partner: str, side: str, number: int, previous: Round | None) -> list[str]:
    """The paths, without a format's suffix, of the documents `round_documents` writes for
    round `number` of `side` (`us`, `partner`, or `agreed`: a conclusion, which has no
    redline) answering `previous`: known before the round is recorded, so that a file
    there they may not replace refuses the command before the round is on disk."""
    stem = f"{partner}-{side_word(side)}-{number:03d}"
    paths = [_sheet_path(stem, audience) for audience in _AUDIENCES]
    if side != "agreed" and previous is not None and previous.package is not None:
        old = round_stem(partner, previous)
        paths += [
            _redline_path(old, side, number, audience)
            for audience in _redline_audiences(side, previous)
        ]
    return paths


def _suffix(audience: Audience) -> str:
    return "-internal" if audience == "internal" else ""


def _sheet_path(stem: str, audience: Audience) -> str:
    return f"term-sheets/{stem}{_suffix(audience)}"


def _redline_path(old: str, side: str, number: int, audience: Audience) -> str:
    return f"redlines/{old}-to-{side_word(side)}-{number:03d}{_suffix(audience)}"


def _redline_audiences(side: str, previous: Round) -> tuple[Audience, ...]:
    """Both audiences between two rounds of one side; a counter against our offer is
    redlined for us alone."""
    return _AUDIENCES if side == previous.side else ("internal",)


def _concluded_beside(portfolio: Portfolio, current: Round) -> list[Package]:
    """The packages concluded with the other partners, as the rounds folder of `current`
    holds them now (its partner folder's parent)."""
    from dealbench.negotiate.rounds.read import load_negotiations

    partner = current.path.parent.name
    negotiations = load_negotiations(portfolio, current.path.parent.parent)
    return [
        n.concluded_package
        for code, n in negotiations.items()
        if code != partner and n.concluded_package is not None
    ]


def _label(r: Round, audience: Audience = "internal") -> str:
    """`US offer, round 3`, and internally the round's file (`(003-us.yaml)`): an external
    document carries no file names (docs/documents.md, "Determinism")."""
    who = SIDE_LABELS[side_word(_side(r)) or "counter"]
    label = f"{who}, round {r.number}"
    return label if audience == "external" else f"{label} ({r.name})"


def check_memo_date(portfolio: Portfolio, root: Path, date: dt.date | None) -> None:
    """The status memo's `date`, refused as an argument before the room is planned: one a
    round could have (`check_date`), and none before the last dated round it reports (`room
    --render --date 2020-01-01` wrote a memo dated six years before the rounds it reports)."""
    from dealbench.errors import ArgumentError
    from dealbench.negotiate.rounds.check import check_date
    from dealbench.negotiate.rounds.read import load_negotiations

    check_date(portfolio, date)
    if date is None:
        return
    dated = [
        (r.data.date, r.number, code, r.name)
        for code, n in load_negotiations(portfolio, root).items()
        for r in n.rounds
        if r.data.date is not None
    ]
    if not dated:
        return
    last, number, code, name = max(dated)
    if date < last:
        raise ArgumentError(
            "date",
            f"the memo reports round {number} with {code} ({name}), dated {last}; date it "
            f"{last} or later",
        )


def negotiation_memo_document(
    portfolio: Portfolio, room: Room, *, date: dt.date | None = None
) -> Document:
    """The negotiation status memo for principals (internal): the deal room, in prose and tables."""
    rows = [_memo_row(r) for r in room.rows]
    counts: dict[str, int] = {}
    for r in room.rows:
        counts[r.stage] = counts.get(r.stage, 0) + 1
    context: dict[str, Any] = {
        "doc": doc_meta(
            "negotiation-memo",
            portfolio=portfolio,
            key="",
            digest=room.fingerprint,
            title=f"Negotiation status: {portfolio.title}",
            audience="internal",
            date=date,
        ),
        "portfolio": {"id": portfolio.id, "title": portfolio.title},
        "summary": _summary(room, counts),
        "rows": rows,
        "frontier_notes": room.frontier_notes(),
        # the columns the paragraph under the table explains, said only where a row has one
        "shown": {
            "gap": any(r.us_gap is not None for r in room.rows),
            "gain": any(r.frontier_gain is not None for r in room.rows),
        },
        "moves": [r for r in rows if r["move"] not in ("-",)],
        # each counter that awaits our answer beside what our next offer gives each side
        "answers": [r for r in rows if r["beside"] is not None],
        "concluded": [_agreed(r) for r in room.rows if r.agreed is not None],
        # no negotiation is open: "none yet" would promise a deal that cannot come
        "closed": all(stage in ("concluded", "walked away") for stage in counts),
        # who walked away, and when: a stage of "walked away" does not say which side did
        "ended": [row for row, r in zip(rows, room.rows, strict=True) if r.stage == "walked away"],
        "periods": list(room.periods),
        "supply": [
            {
                "period": t,
                "supply": room.supply[t],
                "left": room.supply_left[t],
                "planned": room.supply_planned[t],
            }
            for t in room.periods
        ],
        "risk": {"budget": room.risk_budget, "left": room.risk_left},
        "overcommitted": room.overcommitted,
        "replan_note": room.replan_note,
        "objective": room.objective,
        # figures given as distributions, which every utility here takes at its mean
        "uncertain": uncertain_listing(portfolio),
        "glossary": glossary(portfolio.policy),
    }
    ident = Identity("negotiation-memo", portfolio.id, "", "", "internal", "deal room")
    return Document(
        "negotiation-memo", f"memos/negotiation-{portfolio.id}", context, identity=ident
    )


def _summary(room: Room, counts: dict[str, int]) -> str:
    """How many negotiations at which stage, and what the portfolio gives: the second
    sentence names only what there is (concluded deals, walk-aways, open talks)."""
    parts = [f"{n} {stage}" for stage, n in counts.items()]
    closed = {"concluded", "walked away"}
    held = [
        words
        for stage, words in (
            ("concluded", "the concluded deals fixed"),
            ("walked away", "the walked-away partners excluded"),
        )
        if counts.get(stage)
    ]
    if all(stage in closed for stage in counts):
        what = (
            "with every negotiation closed, the concluded deals give"
            if counts.get("concluded")
            else "with every negotiation closed without a deal, the portfolio gives"
        )
    elif held:
        what = f"with {' and '.join(held)}, the open negotiations re-planned give"
    else:
        what = "planned together, the open negotiations give"
    return (
        f"{plural(len(room.rows), 'negotiation')}: {', '.join(parts)}. {what[:1].upper()}"
        f"{what[1:]} the United States a portfolio utility of {money(room.objective)}."
    )


def _agreed(r: Any) -> dict[str, Any]:
    a = r.agreed
    return {
        "code": r.partner,
        "name": r.name,
        "round": a.round,
        "file": a.file,
        # the round whose terms were signed: "our offer of round 3", "SA's counter of round 2"
        "on": r.signed_words,
        "us": a.us_utility,
        "partner": a.partner_utility,
        "security": r.plan_package.security if r.plan_package else "",
        "h100e": exact_total(r.plan_package.compute.values()) if r.plan_package else 0.0,
    }


def _memo_row(r: Any) -> dict[str, Any]:
    offer, counter = r.shown()  # a concluded deal: the round signed, in its side's column
    return {
        "code": r.partner,
        "name": r.name,
        "stage": r.stage,
        "rounds": r.rounds,
        "offer_us": offer.us_utility if offer else None,
        "offer_partner": offer.partner_utility if offer else None,
        "counter_us": counter.us_utility if counter else None,
        "counter_partner": counter.partner_utility if counter else None,
        "counter_round": counter.round if counter else None,
        "next_us": r.next_offer_us,
        "next_partner": r.next_offer_partner,
        # the US utility our strategy asks of the deal (the next offer meets or exceeds it)
        # and the portfolio's V with the deal at it, as the move's reason names them
        "next_target": r.next_target,
        "portfolio_next_offer": r.portfolio_next_offer,
        # their counter, our next offer and how far it moves from the counter, for each side,
        # as the memo prints them: the change as printed is the difference as printed
        "beside": _beside(counter, r.next_offer_us, r.next_offer_partner),
        "counter_mark": r.counter_mark,
        # ✓ the terms signed, on our offer (the counter's is `counter_mark`)
        "offer_mark": r.offer_mark,
        "us_gap": r.us_gap,
        # our offer's and the counter's US utility and the gap as the memo prints them: the
        # gap as printed is the difference of the two as printed (`RoomRow.us_said`)
        "us_said": said._asdict() if (said := r.us_said()) else None,
        "frontier_gain": r.frontier_gain,
        "frontier_mark": r.frontier_mark,
        "plan_us": r.plan_us_utility,
        "move": r.next_move,
        "reason": r.reason,
        # our next offer would take back part of our last one (`offer` refuses it as it is)
        "retreat": r.next_offer_retreat,
    }


def _beside(
    counter: Any, next_us: float | None, next_partner: float | None
) -> dict[str, list[str]] | None:
    """Their counter, our next offer and the change from one to the other, for each side,
    in words (`verdict.counter_beside_next`, as `counter` prints them); None without a
    counter or a next offer."""
    if counter is None:
        return None
    said = counter_beside_next(counter.us_utility, counter.partner_utility, next_us, next_partner)
    return None if said is None else {side: list(cells) for side, cells in said.items()}


def history_chart_files(
    portfolio: Portfolio, root: Path, partner: str, *, points: int | Literal["all"] = 15
) -> dict[str, bytes]:
    """The files `history --out` writes: the rounds with `partner` drawn on the frontier of
    the deal, `charts/<CODE>-rounds.svg` and `.png`."""
    from dealbench.negotiate.round_points import history_path

    chart = rounds_chart(history_path(portfolio, root, partner, points=points))
    svg, png = charts.svg_and_png(chart)  # drawn once for both
    return {
        f"charts/{partner}-rounds.svg": (svg + "\n").encode(),
        f"charts/{partner}-rounds.png": png,
    }


def rounds_words(portfolio: Portfolio, found: History) -> str:
    """The rounds chart in words before it is drawn (a page that loads the chart later
    gives these as its `alt`): the chart's own description over the rounds' recorded
    figures (`round_points.recorded_path`), with no solve."""
    from dealbench.negotiate.round_points import recorded_path

    return rounds_chart(recorded_path(portfolio, found)).description


def rounds_chart(data: dict[str, Any]) -> Chart:
    """The rounds of a negotiation drawn on its frontier (data from `round_points.history_path`)."""
    return Chart(
        id=f"{data['partner']}-rounds",
        kind="rounds",
        caption=(
            f"Rounds with {data['name']} on the frontier of the deal: the US utility against "
            "the partner's, each round's package and the path between them."
        ),
        data=data,
    )


def draw_rounds(ax: Axes, data: dict[str, Any]) -> None:
    """The frontier as a step line, the no-deal point, and the rounds joined in order."""
    curve = sorted(data["frontier"], key=lambda p: p[1])
    if curve:
        ax.plot(
            [p[1] / 1e9 for p in curve],
            [p[0] / 1e9 for p in curve],
            color="#999999",
            marker=".",
            linewidth=1,
            drawstyle="steps-pre",  # between two proven points, at least the right one's V
            label="Frontier",
        )
    us_d, partner_d = data["no_deal"]
    ax.scatter([partner_d / 1e9], [us_d / 1e9], color="#111111", marker="x", label="No deal")
    rounds = data["rounds"]
    if rounds:
        ax.plot(
            [r["partner"] / 1e9 for r in rounds],
            [r["us"] / 1e9 for r in rounds],
            color="#cccccc",
            linewidth=0.8,
            linestyle="--",
        )
    agreed = [r for r in rounds if r.get("status") == "concluded"]
    # A US offer is drawn larger than a counter, beneath it: a counter with our offer's very
    # terms (the partner accepting our standing offer) leaves a ring of the offer's colour
    # around its own, where one marker hid the other (qa32-neg's BH, rounds 5 and 2).
    # The sides differ in shape as well as colour (a counter is a diamond): told apart by
    # colour alone, a reader who does not see the two colours could not say whose was which.
    for side, colour, label, size, shapes in (
        ("us", charts.PALETTE[0], "US offer", US_OFFER_SIZE, charts.ROUND_SHAPES["us"]),
        ("partner", charts.PALETTE[5], "Counter", COUNTER_SIZE, charts.ROUND_SHAPES["partner"]),
    ):
        for fitted, marker, extra in ((False, shapes[0], ""), (True, shapes[1], ", cut to fit")):
            mine = [
                r
                for r in rounds
                if r["side"] == side
                and r.get("fitted", False) == fitted
                and r.get("status") != "concluded"
            ]
            if not mine:  # no legend entry for what is not drawn
                continue
            ax.scatter(
                [r["partner"] / 1e9 for r in mine],
                [r["us"] / 1e9 for r in mine],
                color=colour,
                marker=marker,
                s=size,
                zorder=3,
                label=label + extra,
            )
    if agreed:  # the conclusion: the terms signed, whichever side recorded it
        ax.scatter(
            [r["partner"] / 1e9 for r in agreed],
            [r["us"] / 1e9 for r in agreed],
            color="#111111",
            marker="*",
            s=140,
            zorder=4,
            label="Agreed",
        )
    for (x, y), numbers, offset in round_labels(rounds, _spans(data)):
        ax.annotate(
            numbers,
            (x, y),
            textcoords="offset points",
            xytext=offset,
            zorder=5,  # above every marker, on a halo: a star beside it does not hide a digit
            bbox={
                "boxstyle": "square,pad=0.1",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.8,
            },
        )
    ax.set_xlabel("Partner utility (USD bn)")
    ax.set_ylabel("US utility of the deal (USD bn)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


#: Marker areas (points squared) of a US offer and a counter on the rounds chart.
US_OFFER_SIZE, COUNTER_SIZE = 100.0, 36.0

#: The rounds chart's drawing area for its data, in points (the chart is 7 x 3.6 in, its
#: legend to the right, 5% margins), and its labels' size: 9 pt digits.
PLOT_PT = (310.0, 190.0)
DIGIT_PT, LINE_PT, MARKER_PT = 5.4, 12.0, 5.0
#: Rounds drawn closer than this (points) share one label: two labels there would run
#: together ("1" and "8" beside each other read as "18").
SAME_PLACE_PT = 8.0


def _spans(data: dict[str, Any]) -> tuple[float, float]:
    """Points per USD bn of what the rounds chart draws: partner utility, US utility."""
    points = [(p[1], p[0]) for p in data["frontier"]]
    points.append((data["no_deal"][1], data["no_deal"][0]))
    points += [(r["partner"], r["us"]) for r in data["rounds"]]
    xs = [x / 1e9 for x, _ in points]
    ys = [y / 1e9 for _, y in points]
    return (
        PLOT_PT[0] / ((max(xs) - min(xs)) or 1.0),
        PLOT_PT[1] / ((max(ys) - min(ys)) or 1.0),
    )


Box = tuple[float, float, float, float]


def _clear(box: Box, taken: list[Box]) -> bool:
    return all(box[2] <= t[0] or t[2] <= box[0] or box[3] <= t[1] or t[3] <= box[1] for t in taken)


def round_labels(
    rounds: list[dict[str, Any]], scale: tuple[float, float] = (1.0, 1.0)
) -> list[tuple[tuple[float, float], str, tuple[float, float]]]:
    """Each drawn place's label: where (USD bn), the rounds there ("3, 4"), its offset (pt).

    `scale` is points per USD bn on each axis (`_spans`). Rounds within `SAME_PLACE_PT` of
    each other share one label, beside the rightmost and highest of them; a label goes
    above right of its place, else below right, above left or below left, the first that
    covers no other label and no round's marker.
    """
    places: list[tuple[list[tuple[float, float]], list[str]]] = []
    for r in rounds:
        at = (r["partner"] / 1e9 * scale[0], r["us"] / 1e9 * scale[1])  # in points
        for where, numbers in places:
            if any(math.dist(at, other) <= SAME_PLACE_PT for other in where):
                where.append(at)
                numbers.append(str(r["round"]))
                break
        else:
            places.append(([at], [str(r["round"])]))
    taken: list[Box] = [
        (x - MARKER_PT, y - MARKER_PT, x + MARKER_PT, y + MARKER_PT)
        for where, _ in places
        for x, y in where
    ]
    out = []
    for where, numbers in places:
        text = ", ".join(dict.fromkeys(numbers))
        x, y = max(p[0] for p in where), max(p[1] for p in where)
        width = DIGIT_PT * len(text)
        mine = [(x - MARKER_PT, y - MARKER_PT, x + MARKER_PT, y + MARKER_PT) for x, y in where]
        others = [t for t in taken if t not in mine]
        chosen = (5.0, 4.0)
        for dx, dy in (
            (5.0, 4.0),
            (5.0, -4.0 - LINE_PT),
            (-5.0 - width, 4.0),
            (-5.0 - width, -4.0 - LINE_PT),
        ):
            if _clear((x + dx, y + dy, x + dx + width, y + dy + LINE_PT), others):
                chosen = (dx, dy)
                break
        taken.append((x + chosen[0], y + chosen[1], x + chosen[0] + width, y + chosen[1] + LINE_PT))
        out.append(((x / scale[0], y / scale[1]), text, chosen))
    return out


#: How the rounds chart's words name a round by its side.
SIDE_WORDS = {"us": "US offer", "partner": "counter"}


def describe_rounds(data: dict[str, Any]) -> str:
    """The rounds chart in words (its text alternative): each round's two utilities."""
    us_d, partner_d = data["no_deal"]
    said = [
        f"round {r['round']}, {'agreed' if r.get('status') == 'concluded' else SIDE_WORDS[r['side']]}: "
        f"US {money(r['us'])}, partner {money(r['partner'])}"
        for r in data["rounds"]
    ]
    return (
        f"Chart of the US utility against the partner's, with the frontier of the deal. "
        f"No deal: US {money(us_d)}, partner {money(partner_d)}"
        + (f"; {'; '.join(said)}." if said else ".")
    )


# An extension of the chart kinds (render.charts.DRAW) for the rounds chart.
charts.DRAW.setdefault("rounds", draw_rounds)
chart_words.DESCRIBE.setdefault("rounds", describe_rounds)
