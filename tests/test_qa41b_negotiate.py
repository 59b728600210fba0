"""Session 41 (qa41b-negotiate): `improve` on a round weighs the deals concluded in its
rounds folder; `conclude` refused names the line of the field at fault.

The shipped gulf-asia rounds conclude SA on 353,359 H100e in 2026; with the 2026 supply
cut to 900,000 (the copy's portfolio), 546,641 are left for AE, whose US offer of round 3
gives 485,000 and whose counter of round 4 asks 600,000.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers import invoke


def _supply_cut(deals: Path) -> Path:
    portfolio = deals / "portfolios/gulf-asia.yaml"
    text = portfolio.read_text(encoding="utf-8")
    assert "  2026: 1_000_000 " in text
    portfolio.write_text(text.replace("  2026: 1_000_000 ", "  2026: 900_000 "), "utf-8")
    return portfolio


def test_improve_on_a_round_holds_the_deals_concluded_in_its_rounds_folder(deals: Path) -> None:
    """`improve` on AE's round 3 suggested 2026 compute 485,000 -> 600,000 H100e, which
    with SA's concluded 353,359 takes 953,359 of the 900,000: the concluded deal had to be
    passed by hand with --hold. It is now held, and said so."""
    portfolio = _supply_cut(deals)
    round3 = deals / "rounds/gulf-asia/AE/003-us.yaml"
    run = invoke(["improve", round3, "--portfolio", portfolio, "--json"])
    assert run.exit_code == 0, run.output + run.tb
    data = json.loads(run.stdout)
    assert data["held"] == ["SA"]
    assert data["improvements"]
    for i in data["improvements"]:
        assert i["package"]["compute"]["2026"] <= 900_000 - 353_359
    by_hand = invoke(
        [
            "improve",
            round3,
            "--portfolio",
            portfolio,
            "--json",
            "--hold",
            deals / "rounds/gulf-asia/SA/004-partner.yaml",
        ]
    )
    assert json.loads(by_hand.stdout)["improvements"] == data["improvements"]
    said = invoke(["improve", round3, "--portfolio", portfolio, "--top", "1"])
    words = " ".join(said.stdout.split())
    # the folder's path, longer than 80 columns in pytest's folder, is folded
    assert "Held: the deal concluded with SA (round 4) in /" in words
    assert "its supply and risk budget taken." in words
    assert "No other partner's package is held" not in words


def test_conclude_refused_names_the_line_of_the_compute_at_fault(
    deals: Path, tmp_path: Path
) -> None:
    """`conclude` on AE's counter of round 4 (600,000 H100e in 2026, beside SA's 353,359 of
    a 900,000 supply) named the round file but no line; it now names the line of its 2026
    compute, as other refusals name the field at fault."""
    portfolio = _supply_cut(deals)
    run = invoke(["conclude", portfolio, "-p", "AE", "--round", "4", "--out", tmp_path / "out"])
    assert run.exit_code == 2, run.output + run.tb
    lines = (deals / "rounds/gulf-asia/AE/004-partner.yaml").read_text("utf-8").splitlines()
    line = lines.index("    '2026': 600000") + 1
    assert (
        f"\nerror: {deals}/rounds/gulf-asia/AE/004-partner.yaml:{line}: no deal can be "
        "concluded on round 4's package: supply in 2026"
    ) in f"\n{run.stderr}"
