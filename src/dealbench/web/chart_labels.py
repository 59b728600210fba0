"""Where the frontier chart writes its named points' labels, and how it draws a named point
a round's mark lies on: so that no label is written over another, nor over a mark, at any
of the widths the chart is drawn at (`SCALES`).

The server does not know the screen's width: a placement is chosen that is clear at every
scale, measured with the lettering's widest letters (`LETTER`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from dealbench.web.chart import Mark

WIDTH, HEIGHT = 720, 420
#: How much larger, in the chart's units, its lettering and marks are drawn at a phone's
#: width at most (app.css's --k): the chart is drawn to the screen's width, 342 px of its
#: 720 units at 390 px, and 12-unit lettering would read at 6 px there.
LARGEST = 1.75
#: How much larger the marks and lettering are drawn (app.css's --k): at a desk, on a screen
#: under 40rem, under 30rem (a phone). The server does not know the screen's width: a label
#: that differs between them is written once a scale, app.css showing the screen's.
SCALES = (1.0, 1.4, LARGEST)
#: A letter's width, as a share of the lettering's size (DejaVu Sans: 0.32-0.64 of it).
LETTER = 0.62
#: The lettering's size at a desk, in the chart's units (app.css: 12px at --k 1).
SIZE = 12.0
#: A named point's square: half its side at a desk; framing a round's mark drawn on it.
SQUARE, FRAMED = 6.0, 12.0
#: A round's mark, half its width at a desk: an offer's circle, a counter's diamond; a
#: frontier point's circle.
CIRCLE, DIAMOND, POINT = 9.0, 11.0, 5.0
#: The room kept around a label at a desk, in the chart's units: labels only touching read
#: as one (AE's "Kalai–Smorodinsky" on "Nash" at 1280 px).
PAD = 2.0

#: Where a named point's label may go, best first: above after its square (where it always
#: was), after it, below after it, then the same before it. Each is (which side; how much
#: further than the square's gap, in ems: level with the square, a wider gap reads; dy, in
#: ems; text-anchor).
PLACES = (
    (1, 0.0, -0.67, "start"),
    (1, 0.25, 0.35, "start"),
    (1, 0.0, 1.4, "start"),
    (-1, 0.0, -0.67, "end"),
    (-1, 0.25, 0.35, "end"),
    (-1, 0.0, 1.4, "end"),
)
Place = tuple[int, float, float, str]


class Box(NamedTuple):
    left: float
    top: float
    right: float
    bottom: float

    def meets(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    def outside(self, pad: float) -> bool:
        """Whether the box, less `pad` each side, runs past the chart's edges."""
        return (
            self.left + pad < 0
            or self.top + pad < 0
            or self.right - pad > WIDTH
            or self.bottom - pad > HEIGHT
        )


def gap(half: float) -> float:
    """How far from a mark's centre its label starts, in ems: past its side, and a quarter
    em (a desk's square of half 6: the .75em it always had)."""
    return half / SIZE + 0.25


def text_box(x: float, y: float, text: str, dx: float, dy: float, anchor: str, k: float) -> Box:
    """Where `text` is drawn from (`x`, `y`) moved by `dx`, `dy` ems, at scale `k`: its
    letters' height (a capital's above the baseline, a descender's below), and `PAD`."""
    size, pad = SIZE * k, PAD * k
    wide = len(text) * LETTER * size
    start = x + dx * size
    left = start if anchor == "start" else start - wide
    base = y + dy * size
    return Box(left - pad, base - 0.75 * size - pad, left + wide + pad, base + 0.22 * size + pad)


def mark_box(x: float, y: float, half: float, k: float) -> Box:
    return Box(x - half * k, y - half * k, x + half * k, y + half * k)


def frame_covered(named: Sequence[Mark], rounds: Sequence[Mark]) -> None:
    """A named point a round's mark is drawn on (its centre under the round's circle: AE's
    round 1, the US-best package) was hidden by it. Its square is drawn twice as large
    behind the round, a frame of its colour around it (`extra["half"]`)."""
    for m in named:
        on = any(abs(r.x - m.x) < CIRCLE and abs(r.y - m.y) < CIRCLE for r in rounds)
        m.extra["half"] = FRAMED if on else SQUARE


def _round_boxes(rounds: Iterable[Mark], scale: int) -> list[Box]:
    """The rounds' marks and the labels written beside them, drawn at `SCALES[scale]`."""
    k = SCALES[scale]
    boxes = []
    for r in rounds:
        boxes.append(mark_box(r.x, r.y, DIAMOND if "partner" in r.kind.split() else CIRCLE, k))
        for lbl in r.extra.get("labels", []):
            if lbl.beside and (not lbl.scales or scale in lbl.scales):
                side = -1.2 if lbl.anchor == "end" else 1.2
                boxes.append(text_box(r.x, r.y, lbl.text, side, -0.67, lbl.anchor, k))
    return boxes


def place_named(named: Sequence[Mark], rounds: Sequence[Mark], points: Sequence[Mark]) -> None:
    """Each named point's label where it meets no other label nor mark (a round's, another
    named point's, a frontier `points`') at any width, the
    first of `PLACES` that does (else the one meeting fewest): `anchor` and `extra["dx"]`,
    `extra["dy"]` (ems). Named points apart are drawn apart: at 390 px AE's "Kalai–
    Smorodinsky" ran over "Nash" beside it, as both were written above after their squares;
    points on one spot are merged before (`merge_close`)."""
    frame_covered(named, rounds)
    taken: list[list[Box]] = [
        [mark_box(m.x, m.y, m.extra["half"], k) for m in named]
        + [mark_box(p.x, p.y, POINT, k) for p in points]
        + _round_boxes(rounds, i)
        for i, k in enumerate(SCALES)
    ]
    for m in named:
        across = gap(m.extra["half"])

        def boxes(place: Place, m: Mark = m, across: float = across) -> list[Box]:
            side, further, dy, anchor = place
            dx = side * (across + further)
            return [text_box(m.x, m.y, m.label, dx, dy, anchor, k) for k in SCALES]

        def faults(place: Place) -> int:
            return sum(
                box.outside(PAD * SCALES[i]) or any(box.meets(o) for o in taken[i])
                for i, box in enumerate(boxes(place))
            )

        place = min(PLACES, key=faults)  # the first of the fewest
        side, further, m.extra["dy"], m.anchor = place
        m.extra["dx"] = side * (across + further)
        for i, box in enumerate(boxes(place)):
            taken[i].append(box)
