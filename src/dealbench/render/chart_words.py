"""Each chart in words: its text alternative, written from the numbers it draws.

A reader who cannot see a chart (a screen reader, a Word or PDF accessibility
checker) gets what the chart shows, not only its caption: the SVG's `<title>`, the
PNG's `alt` in the print HTML (the PDF's /Alt of its Figure) and the DOCX picture's
description (`wp:docPr descr`), and the Markdown image's text. One function per
chart kind, as `charts.DRAW` has one drawing each; a kind without one (an
extension's) is described by its caption.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dealbench.figures import h100e, shown, usd
from dealbench.list_words import and_list
from dealbench.model.periods import each as each_period

#: A line or scatter chart with more points than this is summed up, not read point by point.
POINTS_READ = 12


def describe(kind: str, data: dict[str, Any], caption: str) -> str:
    """What a chart of `kind` drawing `data` shows, in sentences."""
    words = DESCRIBE.get(kind)
    return words(data) if words is not None else caption


def _bn(value_bn: float) -> str:
    return usd(value_bn * 1e9)


def allocation(data: dict[str, Any]) -> str:
    periods: Sequence[str] = data["periods"]
    supply: Sequence[float] = data.get("supply") or []
    said = []
    for i, period in enumerate(periods):
        parts = [
            f"{s['label']} {h100e(s['amounts'][i])}"
            for s in data["series"]
            if shown(s["amounts"][i])
        ]
        total = sum(s["amounts"][i] for s in data["series"])
        line = f"{period}: {', '.join(parts) if parts else 'none'}; {h100e(total)} in all"
        said.append(line + (f" of a supply of {h100e(supply[i])}" if supply else ""))
    return "Stacked bar chart of H100e by partner and period. " + ". ".join(said) + "."


def value_risk(data: dict[str, Any]) -> str:
    points = sorted(data["points"], key=lambda p: (-p["value_bn"], p["label"]))
    said = [
        f"{p['label']}: {_bn(p['value_bn'])} at a risk of {h100e(p['risk'])}, "
        f"{h100e(p['h100e'])} H100e"
        for p in points
    ]
    shown = f". {'; '.join(said)}." if said else ": none."  # never ". ." (qa48-web2)
    return (
        "Scatter chart of US utility against risk (risk-weighted H100e), one marker each, "
        f"its area the compute{shown}"
    )


def schedule(data: dict[str, Any]) -> str:
    said = [
        f"{period}: {h100e(offered)} in the package of {h100e(ask)} asked"
        for period, offered, ask in zip(data["periods"], data["offered"], data["ask"], strict=True)
    ]
    cap = data.get("cap")
    limit = "no cap" if cap is None else f"a cap of {h100e(cap)} {each_period(data['periods'])}"
    return f"Bar chart of H100e by period, against the ask and {limit}. {'; '.join(said)}."


def value_build(data: dict[str, Any]) -> str:
    said = [f"{row['label']} {_bn(row['value_bn'])}" for row in data["rows"]]
    return f"Bar chart of the deal's US utility and its parts: {and_list(said)}."


def scenarios(data: dict[str, Any]) -> str:
    said = [f"{row['label']} {_bn(row['value_bn'])}" for row in data["rows"]]
    return f"Bar chart of US utility under each: {and_list(said) if said else 'none'}."


def _x(value: float, money: bool) -> str:
    return usd(value) if money else f"{value:,.6g}"


def money_axis(xs: Sequence[float]) -> bool:
    """Whether a sweep's values are money (USD billions on its axis, in its words)."""
    return max((abs(x) for x in xs), default=0.0) >= 1e8


def sweep(data: dict[str, Any]) -> str:
    xs: Sequence[float] = data["x"]
    ys: Sequence[float] = data["value_bn"]
    money = money_axis(xs)
    pairs = list(zip(xs, ys, strict=True))
    head = f"Line chart of US utility as {data['xlabel']} moves"
    if not pairs:
        return f"{head}: no point solved."
    if len(pairs) <= POINTS_READ:
        said = "; ".join(f"at {_x(x, money)}, {_bn(y)}" for x, y in pairs)
    else:
        high = max(pairs, key=lambda p: p[1])
        low = min(pairs, key=lambda p: p[1])
        said = (
            f"{len(pairs)} points from {_x(pairs[0][0], money)} ({_bn(pairs[0][1])}) to "
            f"{_x(pairs[-1][0], money)} ({_bn(pairs[-1][1])}); highest {_bn(high[1])} at "
            f"{_x(high[0], money)}, lowest {_bn(low[1])} at {_x(low[0], money)}"
        )
    changes = [_x(x, money) for x in data.get("changes", [])]
    moved = f" The package changes near {and_list(changes)}." if changes else ""
    return f"{head}: {said}.{moved}"


DESCRIBE: dict[str, Callable[[dict[str, Any]], str]] = {
    "allocation": allocation,
    "value-risk": value_risk,
    "schedule": schedule,
    "value-build": value_build,
    "scenarios": scenarios,
    "sweep": sweep,
}
