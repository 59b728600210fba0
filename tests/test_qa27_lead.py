"""Session 27's own items: the risk page's package in the portfolio's unit.

tests/data/qa26fresh/ decides compute in steps of 512 B200 chips; each test failed
before its fix.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dealbench.model.schema import CHIP_TPP, H100_TPP
from dealbench.units import h100e
from helpers import DATA, WEB_TOKEN, web_client, words

FRESH = DATA / "qa26fresh"
PORTFOLIO = "/p/americas-europe"


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FRESH, tmp_path / "deals"))


def test_the_risk_page_names_compute_in_the_chips_the_portfolio_decides_it_in(
    deals: Path,
) -> None:
    """The editor shows am-eu's compute in B200 chips; the risk page it links to listed the
    same package's compute in bare H100e figures ("2026Q3 27,287"), no unit said. Now
    chips of the model, with their H100e, as the editor and the term sheet say them."""
    per_chip = CHIP_TPP["B200"] / H100_TPP
    with web_client(deals, WEB_TOKEN) as client:
        page = client.get(f"{PORTFOLIO}/risk?package=packages/mx-agreed.yaml")
        assert page.status_code == 200, page.text
        said = words(page.text)
        assert f"2026Q3 12,000 B200 chips ({h100e(12_000 * per_chip)} H100e)" in said
        assert f"2027Q2 17,591 B200 chips ({h100e(17_591 * per_chip)} H100e)" in said
