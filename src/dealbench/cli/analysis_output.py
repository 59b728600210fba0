"""Terminal output of shadow prices, robustness and risk (tables and plain words)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from dealbench.cli.output import console, money, paragraph, print_table, say
from dealbench.figures import quantity
from dealbench.list_words import plural

if TYPE_CHECKING:
    from dealbench.analyze.prices import Prices
    from dealbench.analyze.robust import Robustness
    from dealbench.analyze.uncertainty import RiskReport, Summary
    from dealbench.model import Portfolio

BAR = 30  # characters of the longest histogram bar


def note_uncertainty(portfolio: Portfolio, *others: Portfolio) -> None:
    """Say on stderr that a deterministic command used the means of distributions, and
    what its inputs give that is valid but likely not meant (`note_inputs`); `others`: the
    same partners under other regimes (`compare`) or scenarios (`sweep`), whose policies
    and overrides are inputs too."""
    from dealbench.analyze.uncertainty import uncertainty_notes

    for line in uncertainty_notes(portfolio, *others):
        typer.echo(f"note: {line}", err=True)
    note_inputs(portfolio, *others)


def note_inputs(*portfolios: Portfolio) -> None:
    """Say on stderr what the portfolios' inputs give that is valid but likely not meant
    (`notes.input_notes`: an ask without a figure for some of the periods, money without its
    unit in a file or a `--set`), as `validate` says it, each once; the web's pages show the
    same."""
    from dealbench.model.notes import input_notes

    for issue in dict.fromkeys(i for pf in portfolios for i in input_notes(pf)):
        typer.echo(f"note: {issue}", err=True)


def note_nothing_uncertain(portfolio: Portfolio) -> None:
    """Say on stderr that a robust solve has nothing to draw: no figure is a distribution,
    so every sample is the same and the packages are the mean-value optimum's; and the
    files' notes (`note_inputs`)."""
    from dealbench.analyze.analysed import nothing_uncertain

    note = nothing_uncertain(portfolio)
    if note:
        typer.echo(f"note: {note}", err=True)
    note_inputs(portfolio)  # the files' notes are of the input, robust or not


def print_prices(prices: Prices) -> None:
    """Each price as a paragraph, wrapped to the terminal."""
    typer.echo("Shadow prices (the optimum's deals, security levels and concessions fixed):")
    for line in prices.lines():
        typer.echo(paragraph(line, first="- "))


def print_robustness(rob: Robustness) -> None:
    from dealbench.units import share_percent

    out = console()
    table = Table(
        title=f"Acceptance in {plural(rob.samples, 'sample')} (seed {rob.seed})",
        title_justify="left",
    )
    robust = f"Robust ({share_percent(rob.level)})"
    for name in ("Partner", "Mean-value optimum", robust, "BATNA raised by"):
        table.add_column(name, justify="left" if name == "Partner" else "right")
    for p in rob.partners:
        table.add_row(
            p.partner,
            _share(p.deterministic.estimate if p.deterministic else None),
            _share(p.robust.estimate if p.robust else None),
            money(p.batna_raised_by) if p.batna_raised_by else "-",
        )
    print_table(out, table)
    for line in rob.sentences():
        say(out, line)


def print_risk(report: RiskReport) -> None:
    from dealbench.analyze.uncertainty import accept_said

    out = console()
    p = report.accept_probability
    out.print(
        f"{report.partner} under {report.security}, {plural(report.samples, 'sample')} "
        f"(seed {report.seed})"
    )
    share, aside = accept_said(report.partner, p)
    out.print(f"Accept probability: {share} {aside}")
    means = report.at_means
    say(
        out,
        f"At the means: {'accepts' if means['accepts'] else 'refuses'}, margin "
        f"{money(float(means['partner_margin']))}, US value {money(float(means['us_value']))}, "
        f"risk {quantity(float(means['risk']))}",
    )
    if report.violations:
        out.print("Breaks limits, whatever the samples:")
        for line in report.violations:
            say(out, f"  - {line}", indent=4)
    for limit in report.sampled_limits:
        say(out, limit.sentence())
    out.print("Uncertain figures:")
    for f in report.uncertain or []:
        say(out, f"  {f.field}: {f.distribution}", indent=4)
    if not report.uncertain:
        out.print("  none: every figure is a plain number")
    say(
        out,
        f"Expected US value: {money(report.expected_us_value)} (a refusal at the no-deal value); "
        f"expected risk {quantity(report.expected_risk)}",
    )
    if report.us_value is not None and report.risk is not None:
        _summary("US value when the partner accepts", report.us_value, lambda v: money(v))
        _summary("Risk when the partner accepts (risk-weighted H100e)", report.risk, _count)


def _summary(title: str, summary: Summary, fmt: object) -> None:
    out = console()
    show = fmt if callable(fmt) else str
    edges, counts = summary.histogram.edges, summary.histogram.counts
    filled = [i for i, count in enumerate(counts) if count]
    if len(filled) == 1 and show(edges[filled[0]]) == show(edges[filled[0] + 1]):
        # every sample is one value as printed: no spread to draw
        out.print(f"{title}: {show(summary.mean)} in every sample")
        return
    quantiles = "  ".join(f"{q} {show(v)}" for q, v in summary.quantiles.items())
    out.print(f"{title}: mean {show(summary.mean)}")
    out.print(f"  quantiles: {quantiles}")
    top = max(summary.histogram.counts) or 1
    for i, count in enumerate(summary.histogram.counts):
        bar = "█" * round(BAR * count / top)
        out.print(f"  {show(edges[i]):>10} – {show(edges[i + 1]):>10} {bar} {count:,}")


def _share(value: float | None) -> str:
    return "no deal" if value is None else f"{value:.1%}"


def _count(value: float) -> str:
    return f"{quantity(value)}"
