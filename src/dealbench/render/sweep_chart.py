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
            caption=f"US utility as {data['param']} moves; dotted lines: the package changes.",
            data={
                "x": [r["value"] for r in rows],
                "value_bn": [r["us_value"] / 1e9 for r in rows],
                "changes": [(p["low"] + p["high"]) / 2 for p in data["change_points"]],
                "xlabel": data["param"],
            },
        )
    return Chart(
        id="sweep",
        kind="scenarios",
        caption="US utility under each scenario.",
        data={"rows": [{"label": r["id"], "value_bn": r["us_value"] / 1e9} for r in rows]},
    )
