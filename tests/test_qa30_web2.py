"""What the browser pass left, as a user meets it (qa30-web2): the joint frontier as a
job, pages that do not solve answering beside a long solve, and a solve's page saying
what `solve` says of its step and rounding.

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
from helpers import REPO, WEB_TOKEN, invoke, job_done, web_client, words


@pytest.fixture
def shipped_client(tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    """A web client on a plain copy of the shipped deals/, and that copy."""
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as client:
        yield client, deals


def _said(html: str, element: str) -> str:
    """The words of the element of id `element` on a page ("" if it has none)."""
    found = re.search(rf'(?s)<p id="{element}">(.*?)</p>', html)
    return words(found.group(1)).strip() if found else ""


# --- what `solve` says of its step and rounding ---------------------------------------------


@pytest.mark.parametrize("mode", ["us-best", "nash"])
def test_a_solves_page_says_what_solve_says_of_its_step_and_rounding(
    shipped_client: tuple[Any, Path], mode: str
) -> None:
    """`solve` says "... V before rounding: $174.04bn." (us-best) and, for a bargaining
    point, "A bargaining point keeps the optimizer's amounts, each put on the grid as solved
    (not smoothed). V before rounding: $67.97bn." then its bound; the solve's page showed
    neither line (only a us-best result's message). It now says both, in `solve`'s words."""
    client, deals = shipped_client
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "mode": mode}
    sent = client.post("/p/gulf-asia/solve", data=form, follow_redirects=False)
    html = client.get(job_done(client, sent)).text
    cli = " ".join(
        invoke(["solve", deals / "portfolios/gulf-asia.yaml", "--mode", mode]).stdout.split()
    )
    schedule = _said(html, "schedule")
    assert "V before rounding: $" in schedule
    assert schedule in cli
    if mode == "nash":
        assert schedule.startswith("A bargaining point keeps the optimizer's amounts")
        after = _said(html, "solve-message")
        assert after.startswith("nash: the Nash product is within a factor")
        assert after in cli
