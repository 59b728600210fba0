"""A negotiator who only uses the web app (qa32-web): every page in headless Chromium
beside the CLI's output for the same thing.

Each test failed before its fix.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, job_done, web_client, words


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A copy of the shipped deals/, as `make serve` serves it."""
    return Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))


@pytest.fixture
def served(shipped_copy: Path) -> Iterator[Any]:
    """A web test client serving `shipped_copy`."""
    with web_client(shipped_copy, WEB_TOKEN) as c:
        yield c

# --- the solve page's rows note ------------------------------------------------------------------


def _cells(table: str, column: int) -> list[str]:
    """The text of column `column` of each body row of `table` (HTML)."""
    rows = re.findall(r"(?s)<tr data-partner=.*?</tr>", table)
    return [words(re.findall(r"(?s)<td[^>]*>(.*?)</td>", row)[column]) for row in rows]


def test_the_solve_pages_rows_note_speaks_of_rows_the_page_shows(
    served: Any, run: Any, shipped_copy: Path
) -> None:
    """A solve of gulf-asia in the browser said "Each total is the exact sum, rounded; each
    row is rounded on its own, and as printed the rows add up to 161,302 risk-weighted
    H100e." above a deals table with no risk column: a reader had no rows to add up, and
    nowhere to read a deal's risk, which `solve`'s table prints. The page's table now has
    `solve`'s risk column, each deal's figure as `solve` prints it, and the note follows
    the table whose rows it speaks of."""
    said = run("solve", shipped_copy / "portfolios" / "gulf-asia.yaml").stdout
    cli_risk = {
        m[1]: m[2] for m in re.finditer(r"(?m)^ ([A-Z]{2}) +\w+ .* ([\d,]+) $", said)
    }  # the last column of `solve`'s table, by partner
    assert len(cli_risk) == 7, said
    answer = served.post(
        "/p/gulf-asia/solve",
        data={CSRF_FIELD: csrf_for(WEB_TOKEN), "mode": "us-best"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = served.get(job_done(served, answer)).text
    table = re.search(r'(?s)<table class="grid" id="deals">.*?</table>', page)
    assert table is not None
    head = [words(h) for h in re.findall(r"(?s)<th scope=\"col\"[^>]*>(.*?)</th>", table[0])]
    assert head[-1] == "Risk (risk-weighted H100e)", head
    codes = re.findall(r'<tr data-partner="(\w+)"', table[0])
    page_risk = dict(zip(codes, _cells(table[0], len(head) - 1), strict=True))
    assert page_risk == cli_risk
    printed = sum(int(x.replace(",", "")) for x in page_risk.values())
    note = re.search(r'(?s)<p id="rows-note"[^>]*>(.*?)</p>', page)
    assert note is not None
    assert f"as printed the rows add up to {printed:,} risk-weighted H100e" in words(note[1])
    assert page.index('id="rows-note"') > table.end(), "the note comes after the rows"
