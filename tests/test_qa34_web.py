"""A negotiator managing several partners' talks at once in the browser (qa34-web): what
the pages say beside what the CLI prints for the same files.

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
from helpers import REPO, WEB_TOKEN, invoke, web_client, words


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A copy of the shipped deals/, as `make serve` serves it."""
    return Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))


@pytest.fixture
def served(shipped_copy: Path) -> Iterator[Any]:
    """A web test client serving `shipped_copy`."""
    with web_client(shipped_copy, WEB_TOKEN) as c:
        yield c


#: Malaysia's counter from the Kuala Lumpur session: every concession, 50,000 H100e a
#: year under veu, which gives Malaysia less than its walk-away value.
MY_COUNTER = b"""partner: MY
security: veu
compute: {2026: 50000, 2027: 50000, 2028: 50000}
concessions: {strategic-trade-permit: true, align-all-controls: true,
  entity-list-enforcement: true, us-hq-operators: true, accept-tariff: true}
"""


def _send_counter(client: Any, code: str, data: bytes) -> Any:
    """`data` recorded as `code`'s counter by the negotiation page's form."""
    page = client.get(f"/p/gulf-asia/n/{code}").text
    expect = re.search(r'name="expect" value="(\d+)"', page)
    assert expect is not None
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": expect[1]}
    files = {"file": ("counter.yaml", data, "application/x-yaml")}
    return client.post(f"/p/gulf-asia/n/{code}/counter", data=form, files=files)


def test_a_counters_verdict_row_says_where_the_frontier_is_as_counter_does(
    served: Any, tmp_path: Path
) -> None:
    """MY's counter gives Malaysia -$3.20bn, below its walk-away value plus margin of
    $3.05bn. `dealbench counter` says "Frontier: giving the partner at least $3.05bn, the
    US could get $7.49bn ($9.0m less than the counter)". The page's verdict table said
    "The US could get at the same partner utility: $7.49bn (gain -$9.0m; ...)": the point
    is not at the counter's partner utility, and a negative gain is a loss. The row now
    says the floor the point gives the partner and the CLI's words for the difference."""
    response = _send_counter(served, "MY", MY_COUNTER)
    assert response.status_code == 200, words(response.text)
    row = re.search(r'(?s)<tr><th scope="row" id="frontier-row">.*?</tr>', response.text)
    assert row is not None, "the verdict has no frontier row"
    said = words(row[0])
    assert "giving the partner at least $3.05bn" in said, said
    assert "$9.0m less than the counter" in said, said
    assert "same partner utility" not in said and "gain -" not in said, said

    cli = Path(shutil.copytree(REPO / "deals", tmp_path / "cli"))
    counter = tmp_path / "my-counter.yaml"
    counter.write_bytes(MY_COUNTER)
    out = tmp_path / "out"
    run = invoke(["counter", cli / "portfolios/gulf-asia.yaml", counter, "--out", out])
    assert run.exit_code == 0, run.output
    printed = " ".join(run.output.split())
    assert "giving the partner at least $3.05bn, the US could get $7.49bn ($9.0m less" in printed
