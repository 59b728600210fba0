"""Faults earlier passes noticed and left, reproduced as a user meets them (qa19-small)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import REPO, invoke

# --- a quarterly portfolio's caps say how the policy writes them -------------------------


def _quarterly(folder: Path) -> Path:
    """The shipped AE under the shipped bilateral policy (tier 2: 600,000 H100e a year
    under veu, 100,000 under kyc), in a portfolio of two quarters: 150,000 a quarter."""
    text = (REPO / "deals/partners/ae.yaml").read_text(encoding="utf-8")
    text = re.sub(r"ask:.*?\n(?:  20.*\n)+", "ask: {2026Q1: 400_000, 2026Q2: 400_000}\n", text)
    (folder / "ae.yaml").write_text(text, encoding="utf-8")
    policy = REPO / "deals/policy/bilateral.yaml"
    portfolio = folder / "quarters.yaml"
    portfolio.write_text(
        f"id: quarters\ntitle: AE by the quarter\npolicy: {policy}\n"
        "periods: [2026Q1, 2026Q2]\nsupply: {2026Q1: 1_000_000, 2026Q2: 1_000_000}\n"
        "partners: [ae.yaml]\n",
        encoding="utf-8",
    )
    return portfolio


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_quarterly_cap_broken_says_it_is_a_quarter_of_the_policys_annual_cap(
    tmp_path: Path,
) -> None:
    """`evaluate` of a package over the cap read "exceeds the tier 2 cap under veu of
    150,000 H100e" beside a policy file saying 600,000: it now says why."""
    portfolio = _quarterly(tmp_path)
    package = tmp_path / "package.yaml"
    package.write_text(
        "partner: AE\nsecurity: veu\ncompute: {2026Q1: 400_000, 2026Q2: 400_000}\n",
        encoding="utf-8",
    )
    run = invoke(["evaluate", package, "--portfolio", portfolio])
    assert run.exit_code == 3, run.output
    assert (
        "AE: compute of 400,000 H100e in each of 2026Q1 and 2026Q2 exceeds the tier 2 cap "
        "under veu of 150,000 H100e (a quarter of the policy's 600,000 H100e a year)"
    ) in _flat(run.output)


def test_a_quarterly_cap_reached_and_one_to_raise_say_the_policys_annual_cap(
    tmp_path: Path,
) -> None:
    """`solve`'s binding line and an explanation's cap to raise name the policy's figure."""
    portfolio = _quarterly(tmp_path)
    run = invoke(["solve", portfolio])
    assert run.exit_code == 0, run.output
    assert (
        "Binding: AE receives the tier 2 cap under veu (150,000 H100e, a quarter of the "
        "policy's 600,000 H100e a year) in 2026Q1 and 2026Q2, less than its ask."
    ) in _flat(run.output)
    run = invoke(["solve", portfolio, "--require-deal", "AE", "--set", "partners.AE.batna=12bn"])
    assert run.exit_code == 3, run.output
    assert (
        "raise the tier 2 cap under kyc (a quarter of the policy's 100,000 H100e a year) "
        "from 25,000 to"
    ) in _flat(run.output)


def test_an_annual_cap_and_a_partners_own_cap_are_said_as_before(tmp_path: Path) -> None:
    """Where nothing was pro-rated (a year's portfolio, a portfolio's own cap per quarter)
    the cap is its figure alone."""
    portfolio = _quarterly(tmp_path)
    run = invoke(["solve", portfolio, "--set", "portfolio.caps.AE.veu=130_000"])
    assert run.exit_code == 0, run.output
    assert "AE receives its own cap under veu (130,000 H100e) in 2026Q1 and 2026Q2" in _flat(
        run.output
    )
    run = invoke(["solve", REPO / "deals/portfolios/gulf-asia.yaml", "--time-limit", "60"])
    assert "a quarter of" not in run.output
    assert "the tier 2 cap under veu (600,000 H100e) in" in _flat(run.output)
