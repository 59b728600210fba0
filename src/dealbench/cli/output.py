"""Terminal output: Rich tables for people, JSON for machines."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from dealbench.checker import DealFigures
    from dealbench.optimize.result import SolveResult


def console() -> Console:
    return Console(width=max(Console().width, 120), highlight=False)


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def money(amount: float | None) -> str:
    from dealbench.render.environment import money as fmt

    return fmt(amount)


def concessions_text(concessions: dict[str, str | bool]) -> str:
    return (
        ", ".join(cid if level is True else f"{cid}={level}" for cid, level in concessions.items())
        or "-"
    )


def result_json(result: SolveResult) -> dict[str, Any]:
    return result.model_dump(mode="json")


def print_result(result: SolveResult) -> None:
    out = console()
    title = f"{result.portfolio_title} — {result.policy} regime, {result.mode}"
    table = Table(title=title, title_justify="left")
    table.add_column("Partner")
    table.add_column("Security")
    for t in result.periods:
        table.add_column(f"{t} H100e", justify="right")
    table.add_column("US value", justify="right")
    table.add_column("Partner utility", justify="right")
    table.add_column("Risk", justify="right")
    for deal in result.deals:
        table.add_row(
            deal.partner,
            deal.security,
            *(f"{deal.compute.get(t, 0.0):,.0f}" for t in result.periods),
            money(deal.us_value),
            money(deal.partner_utility),
            f"{deal.risk:,.0f}",
        )
    out.print(table)
    if result.deals:
        out.print("Concessions granted:")
        for deal in result.deals:
            out.print(f"  {deal.partner}: {concessions_text(deal.concessions)}")
    out.print(f"Status: {result.status.value}   US utility V: {money(result.objective)}")
    out.print(schedule_line(result))
    out.print(f"No deal: {', '.join(result.no_deal) or 'none'}")
    used = ", ".join(
        f"{t} {result.supply_used.get(t, 0):,.0f}/{result.supply[t]:,.0f}" for t in result.periods
    )
    out.print(f"Supply used (H100e): {used}")
    budget = "no budget" if result.risk_budget is None else f"budget {result.risk_budget:,.0f}"
    out.print(f"Risk (risk-weighted H100e): {result.risk_total:,.0f} ({budget})")
    for line in result.binding:
        out.print(f"Binding: {line}")
    s = result.solver
    gap = "n/a" if s.gap is None else f"{s.gap:.2g}"
    out.print(f"Solver: {s.name} {s.version}, {s.seconds:.2f} s, gap {gap}")


def schedule_line(result: SolveResult) -> str:
    """The step the amounts are in, what rounding cost, and any note about it."""
    details = result.solver.details
    step = details.get("granularity_h100e")
    if step is None or result.objective is None:
        return "Compute: as the solver left it"
    unrounded = details.get("unrounded_objective", result.objective)
    where = result.message or (
        f"Compute is in steps of {step:,.0f} H100e." if step else "Compute is unrounded."
    )
    return f"{where} V before rounding: {money(unrounded)}."


def print_evaluation(deal: DealFigures, periods: list[str]) -> None:
    out = console()
    table = Table(
        title=f"Package for {deal.partner_name} ({deal.partner}) under {deal.security}",
        title_justify="left",
        show_header=False,
    )
    table.add_column("")
    table.add_column("", justify="right")
    for t in periods:
        table.add_row(f"Compute {t} (H100e)", f"{deal.compute.get(t, 0.0):,.0f}")
    table.add_row("Concessions", concessions_text(deal.concessions))
    table.add_row("US value of concessions", money(deal.us_concession_value))
    table.add_row("US export value", money(deal.export_value))
    table.add_row("Risk (risk-weighted H100e)", f"{deal.risk:,.0f}")
    table.add_row("Risk penalty", money(deal.risk_penalty))
    table.add_row("US utility", money(deal.us_value))
    table.add_row("US utility without a deal", money(deal.us_batna))
    table.add_row("Partner utility", money(deal.partner_utility))
    table.add_row("Partner walk-away + margin", money(deal.acceptance_threshold))
    out.print(table)
    out.print(f"Partner accepts: {'yes' if deal.accepts else 'no'}")
    if deal.violations:
        out.print("Violations:")
        for v in deal.violations:
            out.print(f"  - {v}")
    else:
        out.print("Violations: none")
