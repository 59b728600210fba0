"""The portfolio memo's allocation of compute: its table (cut into blocks of periods a
page can hold) and its charts (allocation by partner and period, value against risk)."""

from __future__ import annotations

from typing import Any

from dealbench.checker import DealFigures
from dealbench.render.charts import PALETTE, Chart
from dealbench.render.filters import and_list, exact_total, h100e, rows_sum
from dealbench.render.limits import COMPUTE_TOL, allocated_in_full, supply_left
from dealbench.render.sources import Source


def allocation(source: Source) -> dict[str, Any]:
    """The allocation table as printed: what is allocated in a period is the deals' exact
    sum, rounded (`exact_total`, as `solve`, `compare` and the options memo print it; the
    supply itself where the deals use it in full), so it never reads above the supply;
    what is allocated and what is not add up to the supply.

    Rows rounded one by one may add up to a unit or two more than a supply they use in
    full (deals of 136,432.5, 68,216.3, 45,477.5 and 22,738.8 H100e in B200 chips print
    136,433, 68,216, 45,478 and 22,739: 272,866 of 272,865), or less, or another figure
    than what is allocated; a note then says so once."""
    checked, periods = source.checked, source.portfolio.periods
    supply = [exact_total([checked.supply.get(t, 0.0)]) for t in periods]
    used = [
        s
        if allocated_in_full(checked, t)
        else exact_total(d.compute.get(t, 0.0) for d in checked.deals)
        for t, s in zip(periods, supply, strict=True)
    ]
    printed = [rows_sum(d.compute.get(t, 0.0) for d in checked.deals) for t in periods]
    missed = [(t, p) for t, p, u in zip(periods, printed, used, strict=True) if p != u]
    full = [t for t, _ in missed if allocated_in_full(checked, t)]
    note = (
        "Each amount is rounded to the H100e on its own, so the rows add up to "
        + and_list(f"{h100e(p)} in {t}" for t, p in missed)
        + ", where Allocated is their exact sum, rounded"
        + (
            f"; unrounded, {'that supply is' if len(full) == 1 else 'those supplies are'} "
            "allocated in full."
            if full
            else "."
        )
        if missed
        else ""
    )
    table = {
        "rows": [
            {"code": d.partner, "amounts": [d.compute.get(t, 0.0) for t in periods]}
            for d in checked.deals
        ],
        "used": used,
        "supply": supply,
        "free": [supply_left(checked, t) for t in periods],
    }
    return {**table, "blocks": column_blocks(list(periods), table), "note": note}


#: The most period columns one allocation table holds: beyond it, a quarterly portfolio's
#: twelve columns of seven-digit amounts ran off the right edge of an A4 page (PDF).
MAX_PERIOD_COLUMNS = 6


def column_blocks(periods: list[str], table: dict[str, Any]) -> list[dict[str, Any]]:
    """The allocation table cut into tables of at most `MAX_PERIOD_COLUMNS` periods each,
    as even as can be (twelve quarters: two of six; eight: two of four), each with the
    partner column and the totals' rows; three years stay one table."""
    count = -(-len(periods) // MAX_PERIOD_COLUMNS) or 1
    size = -(-len(periods) // count) or 1
    blocks = []
    for start in range(0, max(len(periods), 1), size):
        cut = slice(start, start + size)
        blocks.append(
            {
                "periods": periods[cut],
                "rows": [{**r, "amounts": r["amounts"][cut]} for r in table["rows"]],
                "used": table["used"][cut],
                "supply": table["supply"][cut],
                "free": table["free"][cut],
            }
        )
    return blocks


#: The allocation chart shows this many deals apart, one colour of the palette each; the
#: others are one series in its last colour (grey). With a colour per deal at 36 deals,
#: colours repeated every eight deals and the legend ran off the chart.
ALLOCATION_SHOWN = len(PALETTE) - 1


def allocation_series(deals: list[DealFigures], periods: list[str]) -> list[dict[str, Any]]:
    """The allocation chart's stacked series: every deal, or the ALLOCATION_SHOWN largest
    by compute (in the deals' order) and the others together, last."""
    shown = deals
    if len(deals) > len(PALETTE):
        largest = {
            d.partner for d in sorted(deals, key=lambda d: -d.total_compute)[:ALLOCATION_SHOWN]
        }
        shown = [d for d in deals if d.partner in largest]
    series = [
        {"label": d.partner, "amounts": [d.compute.get(t, 0.0) for t in periods]} for d in shown
    ]
    rest = [d for d in deals if d.partner not in {s.partner for s in shown}]
    if rest:
        amounts = [sum(d.compute.get(t, 0.0) for d in rest) for t in periods]
        series.append({"label": f"{len(rest)} others", "amounts": amounts})
    return series


def portfolio_charts(source: Source) -> list[Chart]:
    checked, periods = source.checked, source.portfolio.periods
    series = allocation_series(list(checked.deals), list(periods))
    caption = "Allocation of compute by partner and period (H100e), against supply."
    if len(series) < len(checked.deals):
        caption = (
            f"Allocation of compute by period (H100e), against supply: the "
            f"{ALLOCATION_SHOWN} largest deals by compute apart, the other "
            f"{len(checked.deals) - ALLOCATION_SHOWN} together."
        )
    points = [
        {"label": d.partner, "risk": d.risk, "value_bn": d.us_value / 1e9, "h100e": d.total_compute}
        for d in checked.deals
    ]
    if not any(d.total_compute > COMPUTE_TOL for d in checked.deals):
        return []  # an empty chart is not drawn
    return [
        Chart(
            id="allocation",
            kind="allocation",
            caption=caption,
            data={
                "periods": list(periods),
                "series": series,
                "supply": [checked.supply[t] for t in periods],
            },
        ),
        Chart(
            id="value-risk",
            kind="value-risk",
            caption="US utility of each deal against its risk; marker area shows the compute.",
            data={"points": points},
        ),
    ]
