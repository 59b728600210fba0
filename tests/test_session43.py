"""What session 43 fixed as a user met it."""

from __future__ import annotations

from pathlib import Path

from helpers import Runner, compare_two_regimes


def test_compare_counts_partners_with_a_deal_and_defines_partner_surplus(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """compare's table and the options memo said "Deals concluded" of a regime's optimum,
    which concludes nothing (the deal room's stage of that name is another thing), and the
    memo's "Partner surplus over walk-away" row was in no glossary."""
    out = compare_two_regimes(run, tiny, tmp_path)
    memo = next(out.rglob("options-*.md")).read_text("utf-8")
    assert "| Partners with a deal |" in memo and "concluded" not in memo
    assert "| Partner surplus |" in memo
    assert "- **Partner surplus**: What the partners with a deal gain" in memo
    shown = run("compare", tiny, "-j", "1")
    assert shown.exit_code == 0, shown.output
    assert "Partners with a deal" in shown.output and "Deals concluded" not in shown.output
