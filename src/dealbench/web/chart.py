"""The frontier chart of the negotiation page as plain geometry for an inline SVG.

Drawn by the page's template rather than by matplotlib so that every point is
an element a person can hover or focus (with the keyboard) to see its package.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dealbench.figures import quantity
from dealbench.model import Package
from dealbench.negotiate.frontier import Frontier, FrontierPoint
from dealbench.negotiate.frontier_words import zopa_line
from dealbench.render.filters import money
from dealbench.web.chart_labels import HEIGHT, LARGEST, LETTER, SCALES, WIDTH, place_named

#: The plot's margins: room for the axes' lettering at its largest (the y ticks' money and
#: the axis's name beside them, the x ticks' and the axis's name under them; a last x tick
#: centred on the plot's right edge).
LEFT, RIGHT, TOP, BOTTOM = 140, 56, 20, 60
#: The lettering's size at the largest, in the chart's units.
LETTERING = 12 * LARGEST
TICKS = 5


@dataclass
class Scale:
    low: float
    high: float
    start: float
    end: float
    #: How a tick's value is said: money (utilities), else a risk's risk-weighted H100e.
    label: Callable[[float], str] = money

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return round(self.start + (value - self.low) / span * (self.end - self.start), 1)

    def ticks(self) -> list[tuple[float, str]]:
        step = (self.high - self.low) / (TICKS - 1) if self.high > self.low else 0.0
        return [(self(self.low + i * step), self.label(self.low + i * step)) for i in range(TICKS)]


@dataclass
class Mark:
    x: float
    y: float
    label: str
    detail: str
    kind: str
    extra: dict[str, Any] = field(default_factory=dict)
    #: Which side of the mark its label is written on: "start" (after it), or "end" (before
    #: it, where after it the label would run past the chart's right edge).
    anchor: str = "start"


def label_side(x: float, label: str) -> str:
    """`label` written after a mark at `x` ("start"), unless at the lettering's largest it
    would run past the chart's right edge and fits before the mark ("end"): at 390 px the
    chart fits the screen and "Kalai–Smorodinsky" after its square ran past both."""
    wide = len(label) * LETTER * LETTERING + 0.75 * LETTERING  # and its gap from the mark
    return "end" if x + wide > WIDTH and x - wide >= 0 else "start"


def round_kind(side: str, status: str) -> str:
    """What a round is, in words: an offer, a counter, or one side closing the talks."""
    who = "US" if side == "us" else "Partner"
    if status == "concluded":
        return f"{who} accepts"
    if status == "walked-away":
        return f"{who} walks away"
    return "US offer" if side == "us" else "Counter"


def describe(package: Package | None) -> str:
    """A package in one line, for a tooltip."""
    if package is None:
        return "no deal"
    compute = ", ".join(f"{t}: {quantity(x)}" for t, x in package.compute.items() if x)
    concessions = ", ".join(k if v is True else f"{k} {v}" for k, v in package.concessions.items())
    return f"{package.security}; H100e {compute or 'none'}; concessions: {concessions or 'none'}"


#: What a round drawn `fitted` is (`negotiate.round_points`): its figures there are not those
#: of the rounds table, which are the package's own.
FITTED = (
    "drawn cut to fit: the package does not fit beside the other deals or its caps, so its "
    "compute is cut to what they leave (the rounds table gives the package's own figures)"
)

#: Named points nearer than this (SVG units, both ways) would draw over each other's square
#: and label: they are drawn as one square named by all of them.
CLOSE = 12.0


def merge_close(marks: list[Mark]) -> list[Mark]:
    """`marks`, with those that would overlap (often US-best and Nash, on a short frontier)
    merged into one: "US-best, Nash", each named in the detail."""
    merged: list[list[Mark]] = []
    for m in marks:
        group = next(
            (g for g in merged if abs(g[0].x - m.x) < CLOSE and abs(g[0].y - m.y) < CLOSE), None
        )
        if group is None:
            merged.append([m])
        else:
            group.append(m)
    out = []
    for group in merged:
        first = group[0]
        if len(group) == 1:
            out.append(first)
            continue
        label = ", ".join(m.label for m in group)
        rests = {m.detail.removeprefix(f"{m.label}: ") for m in group}
        detail = (
            f"{label}: {rests.pop()}" if len(rests) == 1 else "; ".join(m.detail for m in group)
        )
        out.append(Mark(first.x, first.y, label, detail, " ".join(m.kind for m in group)))
    return out


#: Rounds nearer than this (SVG units, centre to centre) at a desk's width draw the later
#: mark (a circle of radius 9, a diamond of 11) over the earlier's number (3 units each side
#: of its centre): they share one label. Marks that only touch keep their numbers, which
#: read. On a narrower screen the marks are drawn larger (`SCALES`), and so is the distance.
CLOSE_ROUNDS = 14.0


@dataclass(frozen=True)
class Label:
    """A round's number, or the numbers of the rounds drawn on its spot (`beside` its mark,
    as they do not fit in it), written on the screens of `scales` (indices of `SCALES`)."""

    text: str
    beside: bool
    anchor: str
    scales: tuple[int, ...] = ()

    @property
    def classes(self) -> str:
        """app.css's classes showing it at its scales alone ("at k1 k2"); none at all."""
        if len(self.scales) == len(SCALES):
            return ""
        return " ".join(["at", *(f"k{i}" for i in self.scales)])


def _shared_at(marks: list[Mark], scale: float) -> list[Label]:
    """Each mark's label with the marks drawn `scale` times their size."""
    close = CLOSE_ROUNDS * scale
    groups: list[list[int]] = []
    for i, m in enumerate(marks):
        group = next(
            (g for g in groups if math.hypot(marks[g[0]].x - m.x, marks[g[0]].y - m.y) < close),
            None,
        )
        if group is None:
            groups.append([i])
        else:
            group.append(i)
    labels = [Label(m.label, False, "start") for m in marks]
    for first, *others in groups:
        if others:
            text = ", ".join(marks[i].label for i in (first, *others))
            labels[first] = Label(text, True, label_side(marks[first].x + 12, text))
            for i in others:
                labels[i] = Label("", False, "start")
    return labels


def share_labels(marks: list[Mark]) -> list[Mark]:
    """`marks` (the rounds, in order), those drawn on one spot sharing one label, "3, 4",
    written beside the first (`extra["beside"]`: it does not fit in its mark) and the
    others' left empty; each keeps its mark and its detail. As the CLI's chart does
    (`negotiate.chart._labels`): AE's rounds 3 and 4 lie 0.04bn apart. A mark's `label`
    is a desk's; `extra["labels"]` has one `Label` a text written on some screens (rounds
    two apart at a desk overlap on a phone, where marks are drawn 1.75 times larger)."""
    at_scales = [_shared_at(marks, scale) for scale in SCALES]
    for i, m in enumerate(marks):
        said: dict[Label, list[int]] = {}
        for s, labels in enumerate(at_scales):
            said.setdefault(labels[i], []).append(s)
        desk = at_scales[0][i]
        m.label, m.anchor = desk.text, desk.anchor
        if desk.beside:
            m.extra["beside"] = True
        m.extra["labels"] = [
            Label(lbl.text, lbl.beside, lbl.anchor, tuple(scales))
            for lbl, scales in said.items()
            if lbl.text
        ]
    return marks


def drawn_named(
    curve: Frontier, named: list[tuple[str, str, FrontierPoint | None]]
) -> list[tuple[str, str, FrontierPoint]]:
    """The named points drawn: an end or bargaining point without a package is the no-deal
    point itself (no package beats both walk-away values), and drawn over it it read "No
    deal, US-best, Partner-best" as if three points were one there (the CLI's chart: the
    same)."""
    return [
        (label, kind, p)
        for label, kind, p in named
        if p is not None and (p is curve.no_deal or p.package is not None)
    ]


def chart_words(
    curve: Frontier,
    named: list[tuple[str, str, FrontierPoint | None]],
    rounds: list[dict[str, Any]],
    risk: Callable[[float], str] | None,
) -> str:
    """What the chart shows, in words, for a reader who cannot see it (the SVG's
    description): each point's two figures, left to right, the named points and the rounds.
    `risk` says a risk where the chart is drawn against risk (None: the partner's utility)."""

    def where(x: float, us: float) -> str:
        return f"risk {risk(x)}, US {money(us)}" if risk else f"partner {money(x)}, US {money(us)}"

    def at(p: FrontierPoint) -> float:
        return p.axis_value(curve.axis, curve.jointly)

    points = sorted(curve.points, key=at)
    words = [
        f"{len(points)} point{'' if len(points) == 1 else 's'} of the frontier: "
        + "; ".join(where(at(p), p.us_utility) for p in points)
    ]
    marked = [
        f"{label} at {where(at(p), p.us_utility)}" for label, _, p in drawn_named(curve, named)
    ]
    if marked:
        words.append("Marked: " + "; ".join(marked))
    if rounds:
        said = [
            f"{r['round']}, {round_kind(r['side'], r.get('status', 'open'))}: "
            f"{where(r['partner'], r['us'])}{' (drawn cut to fit)' if r.get('fitted') else ''}"
            for r in rounds
        ]
        words.append("Rounds: " + "; ".join(said))
    text = ". ".join(words) + "."
    if curve.zopa and not curve.zopa.get("exists", True):
        text += " " + zopa_line(curve.zopa)
    return text


def frontier_chart(curve: Frontier, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of the frontier, its named points and the rounds, in SVG user units: V
    against the partner's utility, or against risk on a frontier of the risk axis (as
    `frontier --axis risk` draws it; its rounds, of the partner axis, are not drawn)."""
    named: list[tuple[str, str, FrontierPoint | None]] = [
        ("No deal", "no-deal", curve.no_deal),
        ("US-best", "us-best", curve.us_best),
        ("Partner-best", "partner-best", curve.partner_best),
        ("Nash", "nash", curve.nash),
        ("Kalai–Smorodinsky", "kalai", curve.kalai),
    ]
    on_risk = curve.axis == "risk"
    rounds = [] if on_risk else rounds

    def at(p: FrontierPoint) -> float:
        return p.axis_value(curve.axis, curve.jointly)

    xs = [at(p) for p in curve.points] + [r["partner"] for r in rounds]
    ys = [p.us_utility for p in curve.points] + [r["us"] for r in rounds]
    for _, _, point in named:
        if point is not None:
            xs.append(at(point))
            ys.append(point.us_utility)
    pad_x = (max(xs) - min(xs)) * 0.05 or (1_000.0 if on_risk else 1e9)
    pad_y = (max(ys) - min(ys)) * 0.05 or 1e9
    said = quantity if on_risk else money
    low_x = min(xs) - pad_x
    if on_risk and min(xs) >= 0:  # no risk is below none
        low_x = max(low_x, 0.0)
    x = Scale(low_x, max(xs) + pad_x, LEFT, WIDTH - RIGHT, said)
    y = Scale(min(ys) - pad_y, max(ys) + pad_y, HEIGHT - BOTTOM, TOP)
    whose = "the portfolio's" if curve.jointly else "the partner's"

    def mark(label: str, kind: str, p: FrontierPoint) -> Mark:
        detail = (
            f"{label}: US utility {money(p.us_utility)}, partner utility "
            f"{money(p.partner_utility)}"
            + (f", {whose} risk {quantity(at(p))} risk-weighted H100e" if on_risk else "")
            + f"; {describe(p.package)}"
        )
        return Mark(x(at(p)), y(p.us_utility), label, detail, kind)

    points = [mark(f"Point {i + 1}", "point", p) for i, p in enumerate(curve.points)]
    special = merge_close([mark(lbl, kind, p) for lbl, kind, p in drawn_named(curve, named)])
    marks = share_labels(
        [
            Mark(
                x(r["partner"]),
                y(r["us"]),
                f"{r['round']}",
                f"Round {r['round']} ({round_kind(r['side'], r.get('status', 'open'))}): US utility "
                f"{money(r['us'])}, partner utility {money(r['partner'])}"
                + (f"; {FITTED}" if r.get("fitted") else ""),
                f"{r['side']} fitted" if r.get("fitted") else r["side"],
            )
            for r in rounds
        ]
    )
    place_named(special, marks, points)  # each label clear of the others and of every mark
    return {
        "words": chart_words(curve, named, rounds, said if on_risk else None),
        "width": WIDTH,
        "height": HEIGHT,
        "plot": {"left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": HEIGHT - BOTTOM},
        # The frontier as the other charts draw it: steps between proven points (the
        # frontier is at least the step there), pieces where an exact one has them.
        "line": " ".join(f"{x(u)},{y(v)}" for u, v in curve.axis_line()),
        "path": " ".join(f"{m.x},{m.y}" for m in marks),
        "points": points,
        "special": special,
        "rounds": marks,
        "xticks": x.ticks(),
        "xlabel": f"Risk of {whose[:-2]} (risk-weighted H100e)" if on_risk else "Partner utility",
        "against": "risk" if on_risk else "the partner's utility",
        "yticks": y.ticks(),
        # The table's ZOPA line where the zone is empty (`frontier_words.zopa_line`, as the
        # CLI's chart carries it): a chart of a lone no-deal point says why it is alone.
        "zopa": zopa_line(curve.zopa)
        if curve.zopa and not curve.zopa.get("exists", True)
        else None,
    }
