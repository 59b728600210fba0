"""The frontier chart (matplotlib): SVG and PNG, the same bytes for the same frontier.

It marks the no-deal point, both ends (US-best, partner-best), the Nash and
Kalai–Smorodinsky points and, when rounds are given, every round of both
sides with the path between them. Deterministic: no pyplot state, a fixed SVG
hash salt and id, no dates or software versions in the files.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from dealbench.negotiate.frontier_words import held_said, zopa_line
from dealbench.negotiate.round_points import ChartRound

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox

    from dealbench.negotiate.frontier import Frontier, FrontierPoint

__all__ = ["Round", "chart_files", "chart_stem", "frontier_png", "frontier_svg", "out_files"]

#: A round to draw, on the curve's basis (see `round_points.chart_rounds`).
Round = ChartRound


class Named(NamedTuple):
    """A named point as drawn (no deal, an end, Nash, Kalai): where (USD bn or risk, USD
    bn), its marker's area (points squared), colour, shape and name (the legend's)."""

    at: tuple[float, float]
    size: float
    colour: str
    marker: str
    label: str = ""


BN = 1e9
PNG_DPI = 150
#: Marker areas (points squared): a named point's (a star's larger, its arms being thin)
#: and a round's.
NAMED_SIZE, STAR_SIZE, ROUND_SIZE = 40.0, 70.0, 30.0
#: How much larger in area a named point is drawn when a round's marker lies on it: a frame
#: of its colour around the round's (as the web's frontier frames it, `chart_labels`).
FRAMED = 4.0
BLUE, ORANGE, GREEN, PURPLE, GREY, RED = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#999999",
    "#D55E00",
)


def frontier_svg(frontier: Frontier, rounds: Sequence[Round] = ()) -> str:
    from dealbench.render.charts import style

    chart_id = f"frontier-{frontier.partner}"
    with style(chart_id):
        fig = _draw(frontier, rounds)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def frontier_png(frontier: Frontier, rounds: Sequence[Round] = ()) -> bytes:
    from dealbench.render.charts import style

    with style(f"frontier-{frontier.partner}"):
        fig = _draw(frontier, rounds)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buffer.getvalue()


def chart_stem(partner: str, axis: str) -> str:
    """`frontier-<CODE>`, or `frontier-<CODE>-risk` for the risk axis."""
    return f"frontier-{partner}" + ("-risk" if axis == "risk" else "")


def chart_files(frontier: Frontier, rounds: Sequence[Round] = ()) -> dict[str, bytes]:
    """frontier-<CODE>.svg and .png, by file name, for an output folder to publish."""
    stem = chart_stem(frontier.partner, frontier.axis)
    return {
        f"{stem}.svg": frontier_svg(frontier, rounds).encode("utf-8"),
        f"{stem}.png": frontier_png(frontier, rounds),
    }


def out_files(
    frontier: Frontier, drawn: Frontier | None = None, rounds: Sequence[Round] = ()
) -> dict[str, bytes]:
    """The files `frontier --out` writes, by name: frontier-<CODE>.json (`frontier` as
    computed, as `--json` prints it) and its chart's .svg and .png (`drawn`, the curve with
    a proven point at each round's U, and the `rounds`: `round_points.rounds_on_frontier`;
    by default the frontier itself, no round drawn, as for a joint frontier). The CLI and
    the web's frontier pages both download these."""
    from dealbench.jsontext import to_json

    stem = chart_stem(frontier.partner, frontier.axis)
    data = {f"{stem}.json": (to_json(frontier.to_json()) + "\n").encode()}
    return {**data, **chart_files(drawn if drawn is not None else frontier, rounds)}


def _x(frontier: Frontier, p: FrontierPoint) -> float:
    if frontier.axis == "partner":
        return p.partner_utility / BN
    return p.portfolio_risk if frontier.jointly else p.risk


def _line(frontier: Frontier) -> tuple[list[float], list[float]]:
    """The frontier's line (`Frontier.axis_line`), money in USD bn."""
    line = frontier.axis_line()
    scale = BN if frontier.axis == "partner" else 1.0
    return [x / scale for x, _ in line], [v / BN for _, v in line]


def _draw(frontier: Frontier, rounds: Sequence[Round]) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(7.0, 4.6), layout="constrained")
    ax = fig.add_subplot()
    pts = frontier.points
    xs, ys = _line(frontier)
    exact = frontier.method == "exact"
    ax.plot(
        xs,
        ys,
        color=BLUE,
        linewidth=1.2,
        # No package on the curve (only the no-deal point): no line, nor one in the legend.
        label="_nolegend_"
        if all(p.package is None for p in pts)
        else "Frontier (exact)"
        if exact
        else "Frontier (points proven; between them, at least the step)",
    )
    ax.plot(
        [_x(frontier, p) for p in pts],
        [p.us_utility / BN for p in pts],
        color=BLUE,
        marker="o",
        markersize=3,
        linestyle="none",
    )
    marks = [
        (frontier.no_deal, "No deal", GREY, "X"),
        (frontier.us_best, "US-best", BLUE, "s"),
        (frontier.partner_best, "Partner-best", ORANGE, "^"),
        (frontier.nash, "Nash", GREEN, "*"),
        (frontier.kalai, "Kalai–Smorodinsky", PURPLE, "D"),
    ]
    named: list[Named] = []
    for point, label, colour, marker in marks:
        # An end or bargaining point without a package is the no-deal point itself (no
        # package beats both walk-away values): drawn over it, it would hide its mark.
        if point is not None and (point is frontier.no_deal or point.package is not None):
            at = (_x(frontier, point), point.us_utility / BN)
            size = STAR_SIZE if marker == "*" else NAMED_SIZE
            named.append(Named(at, size, colour, marker, label))
            ax.scatter([at[0]], [at[1]], s=size, color=colour, marker=marker, zorder=3, label=label)
    if frontier.axis == "partner":
        nd = frontier.no_deal
        ax.axhline(nd.us_utility / BN, color=GREY, linewidth=0.7, linestyle="--")
        ax.axvline(nd.partner_utility / BN, color=GREY, linewidth=0.7, linestyle="--")
    if not frontier.zopa.get("exists", True):
        # The table's ZOPA line: a chart of a lone no-deal point says why it is alone.
        ax.text(
            0.02,
            0.03,
            zopa_line(frontier.zopa),
            transform=ax.transAxes,
            fontsize=8,
            ha="left",
            va="bottom",
            wrap=True,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
    partner = frontier.partner
    ax.set_ylabel("US utility V, whole portfolio (USD bn)")
    if frontier.axis == "partner":
        ax.set_xlabel(f"{partner} utility U (USD bn)")
    else:
        what = "portfolio" if frontier.jointly else partner
        ax.set_xlabel(f"Risk of {what} (risk-weighted H100e)")
        # Grouped by thousands, as the table prints risk ("79,195", not "80000").
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    held = "others re-optimized" if frontier.jointly else "others held at the optimum"
    if frontier.rounds is None:
        ax.set_title(f"{frontier.portfolio}: frontier for {partner} ({held})", loc="left")
    else:  # re-planned from the rounds: what is held, under the title
        held = "others re-optimized" if frontier.jointly else "others held at the re-plan"
        said = held_said(frontier.rounds)
        ax.set_title(
            f"{frontier.portfolio}: frontier for {partner} (re-plan from the rounds, {held})\n"
            f"{said[0].upper()}{said[1:]}",
            loc="left",
            fontsize=9,
        )
    ax.grid(color="#dddddd", linewidth=0.6)
    # Once the title and axis labels are set: the labels' room is measured.
    together = _nest_coinciding(ax, named)
    if rounds:
        _rounds(ax, rounds, named)
    # Named where they coincide (as the web's chart names "Nash, Kalai–Smorodinsky" at one
    # square), clear of every marker and of the rounds' numbers.
    if together:
        _place_numbers(ax, {g[0].at: ", ".join(m.label for m in g) for g in together})
    ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


def _nest_coinciding(ax: Axes, named: Sequence[Named]) -> list[list[Named]]:
    """Named points drawn on one spot (Nash and Kalai–Smorodinsky on a short frontier, or
    Nash at US-best), in the order drawn: the last drawn shows at its size and each earlier
    one is drawn again beneath it, `FRAMED` times the area of the one above, a frame of its
    colour around it. The Kalai diamond covered the Nash star whole: the chart showed no
    Nash, and its legend named a point that was not to be seen."""
    fig = ax.get_figure(root=True)
    assert fig is not None
    fig.draw_without_rendering()  # the layout, so data map to their final place
    to_pt = 72 / fig.dpi
    groups: list[list[Named]] = []
    for mark in named:
        x, y = ax.transData.transform(mark.at) * to_pt
        group = next(
            (
                g
                for g in groups
                if all(
                    abs(gx - x) < reach and abs(gy - y) < reach
                    for gx, gy in [ax.transData.transform(g[0].at) * to_pt]
                    for reach in [max(_half(g[0].size), _half(mark.size))]
                )
            ),
            None,
        )
        if group is None:
            groups.append([mark])
        else:
            group.append(mark)
    together = [g for g in groups if len(g) > 1]
    for group in together:
        above = group[-1].size
        for below, mark in enumerate(reversed(group[:-1]), start=1):
            above = max(mark.size, above * FRAMED)
            ax.scatter(
                [mark.at[0]],
                [mark.at[1]],
                s=above,
                color=mark.colour,
                marker=mark.marker,
                zorder=3 - 0.01 * below,  # beneath the marks drawn at their size, and larger lower
                label="_nolegend_",
            )
    return together


def _rounds(ax: Axes, rounds: Sequence[Round], named: Sequence[Named] = ()) -> None:
    """The rounds, each side's in its shape, the path between them and their numbers; a
    `named` point a round lies on framed around it (`_frame_covered`), each number placed
    clear of every marker and of the other numbers (`_place_numbers`)."""
    from dealbench.render.charts import ROUND_SHAPES

    xs = [r.partner_utility / BN for r in rounds]
    ys = [r.us_utility / BN for r in rounds]
    ax.plot(xs, ys, color="#444444", linewidth=0.8, linestyle=":", zorder=2)
    for side, colour, label in (("us", BLUE, "US rounds"), ("partner", RED, "Partner rounds")):
        shapes = ROUND_SHAPES[side]  # the sides differ in shape, not in colour alone
        for fitted, marker, extra in (
            (False, shapes[0], ""),
            (True, shapes[1], ", cut to fit the held deals"),
        ):
            chosen = [
                (r.round, x, y)
                for r, x, y in zip(rounds, xs, ys, strict=True)
                if r.side == side and r.fitted == fitted
            ]
            if not chosen:
                continue
            ax.scatter(
                [x for _, x, _ in chosen],
                [y for _, _, y in chosen],
                s=ROUND_SIZE,
                facecolors="white",
                edgecolors=colour,
                marker=marker,
                zorder=4,
                label=label + extra,
            )
    _frame_covered(ax, named, list(zip(xs, ys, strict=True)))
    # The axes' extent once every point is drawn, to tell which rounds share a spot.
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    _place_numbers(ax, _labels(rounds, x1 - x0, y1 - y0))


def _half(size: float) -> float:
    """Half a scatter marker's width, in points, of its area `size` (points squared)."""
    return math.sqrt(size) / 2


def _frame_covered(ax: Axes, named: Sequence[Named], at: Sequence[tuple[float, float]]) -> None:
    """A named point a round's marker lies on, drawn `FRAMED` times as large beneath it:
    round 1 is often the US-best package, and its white square hid the US-best square
    whole (AE's `frontier --out`), so the chart showed no US-best."""
    fig = ax.get_figure(root=True)
    assert fig is not None
    fig.draw_without_rendering()  # the layout, so data map to their final place
    to_pt = 72 / fig.dpi
    rounds = [ax.transData.transform(xy) * to_pt for xy in at]
    for mark in named:
        x, y = ax.transData.transform(mark.at) * to_pt
        reach = _half(mark.size) + _half(ROUND_SIZE)
        if any(abs(rx - x) < reach and abs(ry - y) < reach for rx, ry in rounds):
            # A second, larger mark beneath: the legend keeps the mark's own size.
            ax.scatter(
                [mark.at[0]],
                [mark.at[1]],
                s=mark.size * FRAMED,
                color=mark.colour,
                marker=mark.marker,
                zorder=3,
                label="_nolegend_",
            )


#: Room between a round's number and the marker it labels, in points.
NUMBER_GAP = 1.5


def _place_numbers(ax: Axes, labels: dict[tuple[float, float], str]) -> None:
    """Each spot's round numbers beside its markers, at the first place around them that
    covers no marker (a round's, a named point's, a frontier point's), no number placed
    before and stays inside the axes: right above, right below, left above, left below,
    above, below; where none is clear, right above. A number always went right above,
    over the US-best square framed there or a Nash star beside the round."""
    fig = ax.get_figure(root=True)
    assert fig is not None
    fig.draw_without_rendering()
    to_px = fig.dpi / 72
    frame = ax.get_window_extent()
    markers = _marker_boxes(ax)
    # The texts written already (the rounds' numbers, when these are named points'): none
    # is written over.
    taken: list[Bbox] = [t.get_window_extent() for t in ax.texts if t.get_text()]
    for (x, y), numbers in labels.items():
        cx, cy = ax.transData.transform((x, y))
        # Clear of the largest marker on the spot (a framed named point's, a round's).
        half = max(
            (
                max(b.width, b.height) / 2 / to_px
                for b in markers
                if b.x0 <= cx <= b.x1 and b.y0 <= cy <= b.y1
            ),
            default=_half(ROUND_SIZE),
        )
        side = half + NUMBER_GAP
        spots = [
            (side, NUMBER_GAP, "left", "bottom"),
            (side, -NUMBER_GAP, "left", "top"),
            (-side, NUMBER_GAP, "right", "bottom"),
            (-side, -NUMBER_GAP, "right", "top"),
            (0.0, side, "center", "bottom"),
            (0.0, -side, "center", "top"),
        ]

        def number(
            spot: tuple[float, float, str, str],
            at: tuple[float, float] = (x, y),
            said: str = numbers,
        ) -> Any:
            dx, dy, ha, va = spot
            return ax.annotate(
                said,
                at,
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=7,
                zorder=5,
                # On a halo: the frontier's step or the rounds' path through a number.
                bbox={
                    "boxstyle": "square,pad=0.1",
                    "facecolor": "white",
                    "edgecolor": "none",
                    "alpha": 0.8,
                },
            )

        chosen = None
        for spot in spots:
            text = number(spot)
            box = text.get_window_extent()
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1
            inside = inside and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(o) for o in [*markers, *taken]):
                chosen = text
                break
            text.remove()
        if chosen is None:  # nowhere clear: right above, where it always went
            chosen = number(spots[0])
        taken.append(chosen.get_window_extent())


def _marker_boxes(ax: Axes) -> list[Bbox]:
    """Where every marker on the axes is drawn, in pixels: the scatters' and the markers
    of the lines drawn with them (the frontier's points)."""
    from matplotlib.transforms import Bbox

    fig = ax.get_figure(root=True)
    assert fig is not None
    to_px = fig.dpi / 72
    boxes = []
    for collection in ax.collections:
        sizes: Any = collection.get_sizes()  # type: ignore[attr-defined]  # a scatter's
        offsets: Any = collection.get_offsets()
        for i, xy in enumerate(offsets):
            half = _half(float(sizes[i % len(sizes)])) * to_px
            x, y = ax.transData.transform(xy)
            boxes.append(Bbox.from_extents(x - half, y - half, x + half, y + half))
    for line in ax.lines:
        if line.get_marker() in (None, "None", "", " "):
            continue
        half = float(line.get_markersize()) / 2 * to_px
        xydata: Any = line.get_xydata()
        for xy in xydata:
            x, y = ax.transData.transform(xy)
            boxes.append(Bbox.from_extents(x - half, y - half, x + half, y + half))
    return boxes


#: Rounds closer than these fractions of the axes' width and height share one label: their
#: markers overlap on the chart, and two labels there would print over each other.
NEAR_X, NEAR_Y = 0.03, 0.04


def _labels(
    rounds: Sequence[Round], width: float = 0.0, height: float = 0.0
) -> dict[tuple[float, float], str]:
    """One label per drawn spot (USD bn): the numbers of the rounds there ("3, 4"), at
    the first round's position; a round within `NEAR_X` of the axes' `width` and `NEAR_Y`
    of their `height` of a labelled one shares its label."""
    out: dict[tuple[float, float], list[str]] = {}
    for r in rounds:
        x, y = r.partner_utility / BN, r.us_utility / BN
        key = next(
            (
                (kx, ky)
                for kx, ky in out
                if abs(kx - x) <= NEAR_X * width + 5e-3 and abs(ky - y) <= NEAR_Y * height + 5e-3
            ),
            (x, y),
        )
        out.setdefault(key, []).append(str(r.round))
    return {key: ", ".join(numbers) for key, numbers in out.items()}
