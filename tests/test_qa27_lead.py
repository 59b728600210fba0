"""Session 27's own items: the risk page's package in the portfolio's unit; the web's
negotiation frontier says when the concluded deals took the zone of agreement.

tests/data/qa26fresh/ decides compute in steps of 512 B200 chips; each test failed
before its fix.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dealbench.model.schema import CHIP_TPP, H100_TPP
from dealbench.units import h100e
from helpers import DATA, WEB_TOKEN, Runner, web_client, words

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


def test_a_deal_without_a_zone_says_the_concluded_deals_took_the_room(
    deals: Path, run: Runner
) -> None:
    """With MX, VN and CH concluded, FR's frontier on the negotiation page (the other
    deals as their rounds leave them) said "ZOPA: none" and nothing more, where `solve`
    says a deal with FR alone would add $1.13bn. Now a note says the concluded deals use
    the room it needs."""
    portfolio = deals / "portfolios" / "americas-europe.yaml"
    for code in ("MX", "VN", "CH"):
        assert run("offer", portfolio, "--partner", code).exit_code == 0
        assert run("conclude", portfolio, "--partner", code).exit_code == 0
    with web_client(deals, WEB_TOKEN) as client:
        page = client.get(f"{PORTFOLIO}/n/FR/frontier")
        assert page.status_code == 200, page.text
        said = words(page.text)
    assert (
        "No zone of agreement within what the concluded deals (MX, VN and CH) leave of the "
        "shared limits: with no other deal, a deal with FR would add $1.13bn to US utility"
    ) in said
