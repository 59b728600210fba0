"""Session 44 (qa44-tables): which column a narrow terminal wraps."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table

from dealbench.cli.output import print_table
from helpers import REPO, invoke

DEALS = REPO / "deals"


def _lines(out: str) -> list[str]:
    return [line.rstrip() for line in out.splitlines()]


def _printed(table: Table, width: int) -> str:
    out = Console(width=width, file=StringIO(), highlight=False, soft_wrap=False)
    print_table(out, table)
    return out.file.getvalue()  # type: ignore[attr-defined]


def test_the_deal_room_keeps_not_started_on_one_line_at_80_columns(
    rounds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an offer, AE's counter and our next offer (Gap `+$43.726bn`), `room` at 80
    columns printed every "not started" on two lines ("not" / "started", 7 rows): the
    widest column, "Next move", was narrowed first though its "await counter" could wrap
    in AE's row, two lines anyway. The table now takes one line a row, as at 100."""
    portfolio = DEALS / "portfolios/gulf-asia.yaml"
    common = ["--partner", "AE", "--rounds", rounds, "--no-documents"]
    for args in (
        ["offer", portfolio, *common],
        ["counter", portfolio, DEALS / "packages/ae-counter.yaml", *common],
        ["offer", portfolio, *common],
    ):
        done = invoke(args)
        assert done.exit_code == 0, done.stdout + done.stderr + done.traceback
    monkeypatch.setenv("COLUMNS", "80")
    run = invoke(["room", portfolio, "--rounds", rounds])
    assert run.exit_code == 0, run.stdout + run.stderr + run.traceback
    lines = _lines(run.stdout)
    assert "+$43.726bn" in run.stdout and "await" in run.stdout
    table = lines[: next(i for i, line in enumerate(lines) if line.startswith("Portfolio "))]
    assert max(len(line) for line in table) <= 80
    starts = [line for line in table if line[:2] in {"QA", "BH", "IN", "SG", "MY", "KZ", "AM"}]
    assert len(starts) == 7 and all("not started" in line for line in starts)
    # Each row of a partner not yet offered anything is one line: the next begins a row.
    for line in starts:
        after = table[table.index(line) + 1 :]
        assert not after or after[0][:2].strip(), after[0]


def _who_gets_what() -> Table:
    """A table as `compare` prints who gets what: short labels beside long limits."""
    table = Table(title="Who gets what")
    table.add_column("Partner")
    for regime in ("tiered", "monopoly", "repeal", "bilateral"):
        table.add_column(regime, justify="right")
    for code in ("AE", "SA", "QA", "BH"):
        table.add_row(
            f"{code} (tier 2)",
            "479.0k veu\nacceptance (2026), cap (veu) (2027–2028)",
            "no deal\ncap below what it accepts",
            "1,685.0k veu\nsupply (2026–2027), full ask (2028)",
            "no deal\nsupply goes to others",
        )
    return table


def test_a_narrow_table_wraps_long_limits_before_short_labels() -> None:
    """At 80 columns `compare`'s who-gets-what wrapped every limit over three to five
    lines ("cap below" / "what it" / "accepts") beside partner labels at their full
    width: the widest column was narrowed first, whatever it cost in lines. Short labels
    ("AE (tier 2)", "no deal", "1,685.0k veu") stay whole, and the table takes the
    fewest lines it can in 80 columns."""
    said = _printed(_who_gets_what(), 80)
    lines = _lines(said)
    assert max(len(line) for line in lines) <= 80
    cells = [part.strip() for line in lines for part in line.split("│")]
    for label in ("AE (tier 2)", "no deal", "1,685.0k veu", "479.0k veu"):
        assert label in cells
    # Four partners of four lines each, where narrowing the widest column first took five.
    body = [line for line in lines if line.startswith("│")]
    assert len(body) == 4 * 4, said


def test_a_table_that_fits_is_printed_as_it_was() -> None:
    """Narrowing is only for a table wider than the terminal: at 160 columns each cell of
    the who-gets-what table takes its own line, as written."""
    lines = _lines(_printed(_who_gets_what(), 160))
    assert any("│ acceptance (2026), cap (veu) (2027–2028) │" in line for line in lines)
    assert sum(line.startswith("│") for line in lines) == 4 * 2
