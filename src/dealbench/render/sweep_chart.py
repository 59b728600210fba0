"""The chart of a sweep, from its plain data (a `SweepResult` dumped to a dict)."""

from __future__ import annotations

from typing import Any

from dealbench.render.charts import Chart

__all__ = ["sweep_chart"]


def sweep_chart(data: dict[str, Any]) -> Chart:
    """Scenarios: US utility per scenario. A parameter: US utility against its value,
    with the values where the optimal package changes marked."""
    rows = [r for r in data["rows"] if r["us_value"] is not None]
    if data.get("param"):
        return Chart(
            id="sweep",
            kind="sweep",
            caption=(
                f"US utility as {data['param']} moves; dotted lines: the package changes, "
                "where the line breaks (US utility may jump there)."
            ),
            data={
                "x": [r["value"] for r in rows],
                "value_bn": [r["us_value"] / 1e9 for r in rows],
                "changes": [(p["low"] + p["high"]) / 2 for p in data["change_points"]],
                "segments": segments(data["rows"], data["change_points"]),
                "xlabel": data["param"],
            },
        )
    return Chart(
        id="sweep",
        kind="scenarios",
        caption="US utility under each scenario.",
        data={"rows": [{"label": r["id"], "value_bn": r["us_value"] / 1e9} for r in rows]},
    )


def segments(rows: list[dict[str, Any]], changes: list[dict[str, Any]]) -> list[list[list[float]]]:
    """The solved points, [value, US utility in USD bn], in runs the chart may join.

    Between two values where the package is the same, US utility moves continuously (the
    same terms, the limits or prices moved a little); where the package changes it may
    jump (a walk-away value raised past a deal's margin drops the deal). So a run ends at
    the last value a change point's bisection found with the old package (`low`) and the
    next starts at the first with the new one (`high`); where a change was not narrowed
    (the package changes again before the next value, or had already changed since the
    one before), the run ends without a line across it."""
    out: list[list[list[float]]] = []
    run: list[list[float]] = []

    def point(x: float | None, v: float | None) -> None:
        nonlocal run
        if x is None or v is None:  # no package solved here: nothing to join across
            end()
            return
        run.append([x, v / 1e9])

    def end() -> None:
        nonlocal run
        if run:
            out.append(run)
        run = []

    solved = [r for r in rows if r.get("value") is not None]
    for i, row in enumerate(solved):
        if i > 0:
            # `low` is on the side of the grid's value before (a grid may run downwards).
            before = solved[i - 1]["value"]
            ends = min(before, row["value"]), max(before, row["value"])
            between = sorted(
                (c for c in changes if all(ends[0] <= c[k] <= ends[1] for k in ("low", "high"))),
                key=lambda c: abs(c["low"] - before),
            )
            for change in between:
                if change.get("changed_since") is None:
                    point(change["low"], change["us_value_low"])
                end()
                point(change["high"], change["us_value_high"])
                if change.get("again_before") is not None:
                    end()
        point(row["value"], row["us_value"])
    end()
    return out
