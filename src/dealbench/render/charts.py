"""Charts for memos, drawn with matplotlib: SVG for HTML, PNG for DOCX and PDF.

Deterministic: no pyplot state, the Agg and SVG canvases only, the bundled
DejaVu Sans font, a fixed SVG hash salt and id per chart, and no dates or
software versions in the files. A chart is plain data (`Chart`); drawing
happens only when a format needs it, and matplotlib is imported only then.
"""

from __future__ import annotations

import copy
import io
import itertools
import math
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from dealbench.figures import quantity, usd_column
from dealbench.render.chart_words import describe, money_axis

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PNG_DPI = 200
#: A schedule chart draws the cap when it is at most this many times the largest bar.
CAP_SHOWN = 3.0
WIDTH_IN, HEIGHT_IN = 7.0, 3.6
#: Colour-blind-safe palette (Okabe-Ito), in a fixed order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
#: The edge of each stacked segment (12.6:1 on white).
EDGE = "#333333"
#: A negotiation's round markers by side (matplotlib's), as drawn and as cut to fit: an offer
#: a circle (a square), a counter a diamond (a pentagon), as the web's frontier draws them.
#: Told apart by colour alone, the sides were one to a reader who does not see the colours.
ROUND_SHAPES = {"us": ("o", "s"), "partner": ("D", "p")}


@dataclass(frozen=True)
class Chart:
    """One chart: an id (unique in its document), a caption, and the data to draw."""

    id: str
    kind: str
    caption: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def description(self) -> str:
        """What the chart shows, in words: its text alternative (`chart_words`)."""
        return describe(self.kind, self.data, self.caption)


#: matplotlib's settings are global: one chart is drawn at a time in a process, whichever
#: thread draws it (a document rendered in one of the web's threads, a chart in another).
_STYLING = threading.RLock()


@contextmanager
def style(chart_id: str) -> Iterator[None]:
    """The house style of every chart, and what makes its files the same bytes each time.

    Drawn from matplotlib's own defaults, not from the settings it read at import: a
    user's matplotlibrc (its `lines.linewidth`, `axes.facecolor`, `text.usetex`, found
    through MPLCONFIGDIR or the home folder) changed every chart, so one result gave
    other documents on another account, and `text.usetex` without LaTeX installed
    ended `render` in a traceback."""
    matplotlib = _matplotlib()
    rc: Any = {
        "svg.hashsalt": f"dealbench-{chart_id}",
        "svg.id": f"chart-{chart_id}",
        "svg.fonttype": "none",
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "text.parse_math": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "path.simplify": False,
    }
    with _STYLING, matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(rc)
        yield


def _matplotlib() -> Any:
    """matplotlib, imported without reading MPLBACKEND: charts are drawn on a `Figure` and
    saved by format, never shown in a window, and a backend matplotlib does not know
    there (`MPLBACKEND=nonsense`) ended every chart in a traceback at the import."""
    if "matplotlib" not in sys.modules:
        backend = os.environ.pop("MPLBACKEND", None)
        try:
            import matplotlib  # noqa: F401
        finally:
            if backend is not None:
                os.environ["MPLBACKEND"] = backend
    return sys.modules["matplotlib"]


def svg(chart: Chart) -> str:
    """The chart as an inline `<svg>` element (no XML prolog, no metadata), an image
    (`role="img"`) labelled by its `<title>`: what it shows, in words."""
    with style(chart.id):
        return _svg_of(_draw(chart), chart)


def png(chart: Chart) -> bytes:
    with style(chart.id):
        return _png_of(_draw(chart))


def svg_and_png(chart: Chart) -> tuple[str, bytes]:
    """`svg(chart)` and `png(chart)`, the same bytes, the chart drawn once: a document in
    HTML and PDF drew each chart twice, its layout (label placement, the constrained
    layout) a third of a chart's time each. Saving a figure changes its state (a PNG saved
    after the SVG had other bytes than one drawn afresh), so each format is saved from
    its own copy of the figure as drawn."""
    with style(chart.id):
        fig = _draw(chart)
        try:
            twin = copy.deepcopy(fig)
        except Exception:  # a matplotlib whose figures do not copy: drawn again
            twin = _draw(chart)
        return _svg_of(fig, chart), _png_of(twin)


def _svg_of(fig: Figure, chart: Chart) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :].strip()
    title = f"chart-{chart.id}-title"
    end = text.index(">")
    return (
        f'{text[:end]} role="img" aria-labelledby={quoteattr(title)}>\n'
        f" <title id={quoteattr(title)}>{escape(chart.description)}</title>{text[end + 1 :]}"
    )


def _png_of(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _draw(chart: Chart) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
    ax = fig.add_subplot()
    DRAW[chart.kind](ax, chart.data)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def _thousands(ax: Axes, axis: str = "y") -> None:
    """H100e ticks: 200k, 400k; plain where the ticks are not whole thousands apart
    (1,200, 1,400: in thousands both would print as 1k)."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(_tick_formatter("thousands"))


def _billions(ax: Axes, axis: str = "y") -> None:
    """USD billions on a value axis: $1.0bn, or $7.25bn where ticks are 0.25bn apart."""
    _money_axis(ax, axis, "billions")


def _usd(ax: Axes, axis: str = "x") -> None:
    """USD (not billions) on an axis, as the tables write money: a sweep of a walk-away
    value from $0 to $750m read "$0.0bn ... $0.8bn" (qa36-true left)."""
    _money_axis(ax, axis, "usd")


#: A tick label's width per character, in ems of its size (DejaVu Sans digits, "$" and
#: letters are 0.64 em; rounded up), and the room between two labels, in ems.
LABEL_EM, LABEL_GAP_EM = 0.64, 1.0


def _money_axis(ax: Axes, axis: str, kind: str) -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(_tick_formatter(kind))
    if axis == "x":
        target.set_major_locator(_spaced_locator(kind))


def _spaced_locator(kind: str) -> Any:
    """Ticks of a horizontal money axis as far apart as their labels need: matplotlib
    spaces ticks for labels three characters wide, and nine ticks of "$150.00bn" ran into
    one another ("$10.00bn$15.00bn" in a deal memo's value chart). From matplotlib's
    own count (9 at most), one interval fewer at a time until the labels, as written
    (`money_ticks`), each with an em between, fit the axis's length."""
    from matplotlib.ticker import MaxNLocator

    class Spaced(MaxNLocator):
        def tick_values(self, vmin: float, vmax: float) -> Any:
            most = self.axis.get_tick_space() if self.axis is not None else 9
            low, high = sorted((vmin, vmax))
            for bins in range(max(2, min(most, 9)), 0, -1):
                self.set_params(nbins=bins)
                ticks = super().tick_values(vmin, vmax)
                if self.axis is None:
                    break
                shown = [float(t) for t in ticks if low <= t <= high]
                labels = money_ticks([t * _IN_BILLIONS[kind] for t in shown])
                size = _label_points()
                widest = max((len(label) for label in labels), default=0) * LABEL_EM
                if len(shown) * (widest + LABEL_GAP_EM) * size <= _axis_points(self.axis):
                    break
            return ticks

    return Spaced(nbins="auto", steps=[1, 2, 2.5, 5, 10])


def _label_points() -> float:
    """The size of a tick's label in points (the house style's, `style`)."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    return float(FontProperties(size=rcParams["xtick.labelsize"]).get_size_in_points())


def _axis_points(axis: Any) -> float:
    """A horizontal axis's length in points, as matplotlib measures it for its ticks."""
    ends = axis.axes.transAxes.transform([[0, 0], [1, 0]])
    return float((ends[1][0] - ends[0][0]) / axis.axes.get_figure().dpi * 72)


#: Money tick kinds, and what one unit of the axis is in USD billions.
_IN_BILLIONS = {"billions": 1.0, "usd": 1e-9}


def _tick_format_class() -> type:
    from matplotlib.ticker import Formatter

    class TickFormat(Formatter):
        """Tick labels with the digits their spacing needs, so no two ticks read the same."""

        def __init__(self, kind: str) -> None:
            self.kind = kind
            self.spacing = 0.0
            self.scale = 0.0
            self.money: dict[float, str] = {}

        def set_locs(self, locs: Any) -> None:
            super().set_locs(locs)
            ordered = sorted(float(v) for v in locs)
            gaps = [b - a for a, b in itertools.pairwise(ordered) if b - a > 0]
            self.spacing = min(gaps, default=0.0)
            self.scale = max((abs(v) for v in ordered), default=0.0)
            if self.kind in _IN_BILLIONS:
                per_bn = _IN_BILLIONS[self.kind]
                self.money = dict(
                    zip(ordered, money_ticks([v * per_bn for v in ordered]), strict=True)
                )

        def __call__(self, x: float, pos: int | None = None) -> str:
            if x in self.money:
                return self.money[x]
            return tick_label(self.kind, x, self.spacing, self.scale)

    return TickFormat


def tick_label(kind: str, value: float, spacing: float, scale: float = 0.0) -> str:
    """One tick's label on an axis whose ticks are `spacing` apart (0: unknown) and reach
    `scale` at most (0: unknown, the value's own)."""
    if kind in _IN_BILLIONS:  # the documents' form, sign first: -$1.0bn, never $-1bn
        return money_ticks([value * _IN_BILLIONS[kind]])[0]
    thousands = spacing <= 0 or abs(spacing / 1000 - round(spacing / 1000)) < 1e-9
    if abs(value) >= 1000 and thousands:
        return f"{quantity(value / 1000)}k"
    return f"{value:,.{max(0, _digits(spacing)) if spacing > 0 else 0}f}"


def money_ticks(values_bn: Sequence[float]) -> list[str]:
    """The ticks of a money axis (USD billions) as the tables write each amount
    (`figures.usd_column`): $737.6m is ticked $750.0m, never $0.75bn, $2.5tn $2.50tn, and
    neighbours that would read alike get the decimals that tell them apart."""
    return usd_column([v * 1e9 for v in values_bn])


def _digits(spacing: float) -> int:
    """Decimals that show a multiple of `spacing` exactly (0.25 -> 2, 0.5 -> 1, 200 -> 0)."""
    for digits in range(0, 7):
        if abs(spacing * 10**digits - round(spacing * 10**digits)) < 1e-6 * 10**digits:
            return digits
    return 6


def _tick_formatter(kind: str) -> Any:
    """A matplotlib formatter of `kind` (its class is built once matplotlib is loaded)."""
    return _tick_format_class()(kind)


#: Above this many periods their labels are slanted: twelve quarters side by side ran into
#: each other ("2026Q12026Q2").
SLANTED_AFTER = 8


def _period_ticks(ax: Axes, xs: list[int], periods: list[str]) -> None:
    if len(periods) > SLANTED_AFTER:
        ax.set_xticks(xs, periods, rotation=45, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticks(xs, periods)


def draw_allocation(ax: Axes, data: dict[str, Any]) -> None:
    """Stacked bars: H100e by partner in each period, with the supply marked."""
    periods: list[str] = data["periods"]
    xs = list(range(len(periods)))
    bottom = [0.0] * len(periods)
    for i, series in enumerate(data["series"]):
        values = series["amounts"]
        ax.bar(
            xs,
            values,
            0.6,
            bottom=bottom,
            label=series["label"],
            color=PALETTE[i % 8],
            # A dark edge marks each segment's bounds, where its colour alone is faint on
            # white (the yellow's contrast is 1.3:1, the sky blue's and orange's about 2).
            edgecolor=EDGE,
            linewidth=0.5,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if data.get("supply"):
        ax.hlines(data["supply"], [x - 0.4 for x in xs], [x + 0.4 for x in xs], colors="#111111")
        ax.plot([], [], color="#111111", label="Supply")
    _period_ticks(ax, xs, periods)
    ax.set_ylabel("H100e")
    _thousands(ax)
    handles, labels = ax.get_legend_handles_labels()  # legend top-down, as the bars stack
    ax.legend(
        handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False
    )


#: Points closer than this share of each axis's span are drawn as one marker.
SAME_POINT = 0.005


def _one_marker_each(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`points`, those at one place on the chart (two regimes that tie, to a share of
    each axis's span) merged into one, its labels joined: drawn apart, the second
    marker hid the first and their labels were written over each other."""
    spans = {
        key: (
            max((p[key] for p in points), default=0.0) - min((p[key] for p in points), default=0.0)
        )
        or 1.0
        for key in ("risk", "value_bn")
    }
    merged: list[dict[str, Any]] = []
    for p in points:
        same = next(
            (
                m
                for m in merged
                if all(abs(m[key] - p[key]) <= SAME_POINT * spans[key] for key in spans)
            ),
            None,
        )
        if same is None:
            merged.append(dict(p))
            continue
        same["label"] = f"{same['label']}, {p['label']}"
        same["h100e"] = max(same["h100e"], p["h100e"])
        same["highlight"] = bool(same.get("highlight") or p.get("highlight"))
    return merged


#: Room above the highest value marker (below the lowest), a share of the value axis.
VALUE_MARGIN = 0.12


def draw_value_risk(ax: Axes, data: dict[str, Any]) -> None:
    """Each deal: US utility against risk, the marker sized by compute, each label where it
    overlaps no other label nor marker (`_place_labels`)."""
    points = sorted(_one_marker_each(data["points"]), key=lambda q: (q["risk"], q["label"]))
    largest = max((p["h100e"] for p in points), default=1.0) or 1.0
    sizes = []
    for p in points:
        colour = "#D55E00" if p.get("highlight") else "#0072B2"
        sizes.append(30 + 400 * p["h100e"] / largest)
        ax.scatter([p["risk"]], [p["value_bn"]], s=sizes[-1], color=colour, alpha=0.75)
    ax.set_xlabel("Risk (risk-weighted H100e)")
    ax.set_ylabel(data.get("ylabel", "US utility of the deal"))
    top = max((p["risk"] for p in points), default=0.0)
    if top > 0:  # room right of the riskiest marker for the marker and its label
        ax.set_xlim(0, top * 1.15)
    else:
        ax.set_xlim(left=0)
    ax.margins(y=VALUE_MARGIN)
    values = [p["value_bn"] for p in points]
    if values and min(values) > 0:  # from $0, as the risk axis is from 0: heights compare
        ax.set_ylim(0, max(values) * (1 + VALUE_MARGIN))
    elif values and max(values) < 0:
        ax.set_ylim(min(values) * (1 + VALUE_MARGIN), 0)
    _thousands(ax, "x")
    _billions(ax)
    _room_left_of_zero(ax, points, sizes)
    _place_labels(ax, points, sizes)


def _room_left_of_zero(ax: Axes, points: list[dict[str, Any]], sizes: list[float]) -> None:
    """Room left of risk 0 for the markers near it, the risk axis's ticks kept at 0 and
    above: a regime exporting nothing (monopoly, risk 0) was drawn half hidden by the axis
    (qa31-fresh)."""
    fig = ax.get_figure(root=True)
    assert fig is not None
    fig.draw_without_rendering()  # the layout: the axes' width in pixels
    low, high = ax.get_xlim()
    width = ax.get_window_extent().width
    if width <= 0 or high <= low:
        return
    to_px = fig.dpi / 72
    # How far each marker reaches left of the axes' edge, in pixels (2 of air).
    reach = max(
        (
            math.sqrt(size) / 2 * to_px + 2 - (p["risk"] - low) / (high - low) * width
            for p, size in zip(points, sizes, strict=True)
        ),
        default=0.0,
    )
    if reach <= 0:
        return
    ticks = [t for t in ax.get_xticks() if low - 1e-9 <= t <= high + 1e-9]
    ax.set_xlim(low - reach / width * (high - low) / (1 - reach / width), high)
    ax.set_xticks(ticks)  # the same ticks, none below 0


def _place_labels(ax: Axes, points: list[dict[str, Any]], sizes: list[float]) -> None:
    """Each point's label beside its marker, clear of it: right of it, above and below in
    turn for neighbours in risk (so small deals stay legible); where that spot overlaps a
    label already placed or another marker (two regimes close on the chart: "repeal,
    bilateral" was written into "corridor"), the first of the other spots around the marker
    that overlaps nothing and stays inside the axes. Measured on the laid-out figure, in
    points, so the SVG and the PNG agree."""
    from matplotlib.transforms import Bbox

    fig = ax.get_figure(root=True)
    assert fig is not None  # drawn on a `Figure` (`_draw`)
    fig.draw_without_rendering()  # the layout, so data map to their final place
    to_px = fig.dpi / 72
    frame = ax.get_window_extent()
    markers = []
    for p, size in zip(points, sizes, strict=True):
        x, y = ax.transData.transform((p["risk"], p["value_bn"]))
        r = math.sqrt(size) / 2 * to_px  # the marker's area is `size` square points
        markers.append(Bbox.from_extents(x - r, y - r, x + r, y + r))
    taken: list[Any] = []
    for i, (p, size) in enumerate(zip(points, sizes, strict=True)):
        gap = math.sqrt(size) / 2 + 3  # clear of the marker, in points
        above: tuple[float, float, str] = (gap, 4, "left")
        below: tuple[float, float, str] = (gap, -11, "left")
        spots = [above, below] if i % 2 == 0 else [below, above]
        spots += [(-gap, 4, "right"), (-gap, -11, "right"), (0, gap, "center")]
        spots += [(0, -gap - 9, "center")]
        others = [m for j, m in enumerate(markers) if j != i]

        def label(spot: tuple[float, float, str], p: dict[str, Any] = p) -> Any:
            dx, dy, align = spot
            xy = (p["risk"], p["value_bn"])
            return ax.annotate(
                p["label"], xy, textcoords="offset points", xytext=(dx, dy), ha=align
            )

        chosen = None
        for spot in spots:
            text = label(spot)
            box = text.get_window_extent()
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
            clear = inside and box.y1 <= frame.y1
            if clear and not any(box.overlaps(o) for o in [*taken, *others]):
                chosen = text
                break
            text.remove()
        if chosen is None:  # nowhere clear: where it went before, right of the marker
            chosen = label(spots[0])
        taken.append(chosen.get_window_extent())


def draw_schedule(ax: Axes, data: dict[str, Any]) -> None:
    """One deal's compute by period against its ask and the cap of its security level."""
    periods: list[str] = data["periods"]
    xs = list(range(len(periods)))
    ax.bar(xs, data["ask"], 0.6, color="none", edgecolor="#999999", hatch="//", label="Ask")
    ax.bar(xs, data["offered"], 0.6, color=PALETTE[0], label="In the package")
    cap = data.get("cap")
    top = max([*data["ask"], *data["offered"]], default=0.0)
    if cap is not None and top > 0 and cap > CAP_SHOWN * top:
        # A cap far above the ask would flatten the bars to nothing: the axis stops above
        # them and the legend gives the cap.
        ax.set_ylim(0, top * 1.15)
        ax.plot(
            [], [], color="#D55E00", linestyle="--", linewidth=1, label=f"Cap: {quantity(cap)},"
        )
        ax.plot([], [], color="none", label="above the chart")
    elif cap is not None:
        ax.axhline(cap, color="#D55E00", linestyle="--", linewidth=1, label="Cap")
    _period_ticks(ax, xs, periods)
    ax.set_ylabel("H100e")
    _thousands(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def draw_value_build(ax: Axes, data: dict[str, Any]) -> None:
    """US value of one deal: what it earns, what its risk costs, what is left."""
    labels = [row["label"] for row in data["rows"]]
    values = [row["value_bn"] for row in data["rows"]]
    colours = [PALETTE[2] if v >= 0 else PALETTE[5] for v in values]
    colours[-1] = PALETTE[0]
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, values, 0.6, color=colours)
    ax.set_yticks(ys, labels)
    ax.axvline(0, color="#111111", linewidth=0.8)
    _billions(ax, "x")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)


def draw_sweep(ax: Axes, data: dict[str, Any]) -> None:
    """US utility against a swept figure, with the values where the package changes."""
    # Runs of the same package joined, broken where it changes (`sweep_chart.segments`):
    # US utility may jump there, and a line across would show values no solve gave.
    runs = data.get("segments") or [list(zip(data["x"], data["value_bn"], strict=True))]
    for run in runs:
        xs, ys = [p[0] for p in run], [p[1] for p in run]
        ax.plot(xs, ys, marker="o", markersize=3, color=PALETTE[0])
    for i, x in enumerate(data.get("changes", [])):
        label = "Package changes" if i == 0 else None
        ax.axvline(x, color=PALETTE[5], linestyle=":", linewidth=1, label=label)
    ax.set_xlabel(data["xlabel"])
    ax.set_ylabel("US utility")
    _billions(ax)
    if money_axis(data["x"]):  # USD
        _usd(ax)
    elif max((abs(x) for x in data["x"]), default=0.0) >= 1e3:
        _thousands(ax, "x")
    if data.get("changes"):
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def draw_scenarios(ax: Axes, data: dict[str, Any]) -> None:
    """US utility under each named scenario, one bar each, in the file's order."""
    labels = [row["label"] for row in data["rows"]]
    values = [row["value_bn"] for row in data["rows"]]
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, values, 0.6, color=[PALETTE[0] if v >= 0 else PALETTE[5] for v in values])
    ax.set_yticks(ys, labels)
    ax.axvline(0, color="#111111", linewidth=0.8)
    _billions(ax, "x")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)


DRAW: dict[str, Callable[[Axes, dict[str, Any]], None]] = {
    "sweep": draw_sweep,
    "scenarios": draw_scenarios,
    "allocation": draw_allocation,
    "value-risk": draw_value_risk,
    "schedule": draw_schedule,
    "value-build": draw_value_build,
}
