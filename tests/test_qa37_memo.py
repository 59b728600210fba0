"""Documents that say only what is true, session 37 (qa37-memo): what qa36-roommemo and
qa36-true left (docs/decisions.md). Each test failed before its fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx

from helpers import REPO, invoke, words

GULF = REPO / "deals/portfolios/gulf-asia.yaml"
ROUNDS = REPO / "deals/rounds/gulf-asia"
#: gulf-asia runs 2026, 2027 and 2028: a deal's compute summed over them.
TOTAL = "H100e, 2026–2028 total"
GAIN = "The gain on the frontier is what the best package"
NO_GAIN = (
    "No row has a gain on the frontier: it is weighed only for a counter that awaits our answer."
)


def _docx_heads(path: Path) -> list[list[str]]:
    """Each table's header row of a DOCX, as Word shows it."""
    return [[c.text for c in t.rows[0].cells] for t in docx.Document(str(path)).tables]


def _room_memo(tmp_path: Path, rounds: Path, formats: str = "md") -> Path:
    out = tmp_path / "out"
    run = invoke(["room", GULF, "--rounds", rounds, "--render", formats, "--out", out, "-j", "1"])
    assert run.exit_code == 0, run.output
    return out / "memos/negotiation-gulf-asia"


def test_a_total_over_the_horizon_is_headed_as_one(tmp_path: Path) -> None:
    """SA's deal, concluded in round 4, takes 1,348,000 H100e over 2026-2028; the status
    memo's table of concluded deals headed it "H100e", as the portfolio memo heads each
    package's total: a principal reads a figure per year beside a horizon of years. Every
    table of such a total now says so, in the words of `figures.h100e_total_head`: both
    memos in md, html and docx (the PDF prints the HTML), and the tables of `frontier` and
    `sweep`."""
    memo = _room_memo(tmp_path, ROUNDS, "md,html,docx")
    md = memo.with_suffix(".md").read_text("utf-8")
    assert f"| Partner | Concluded in | Security | {TOTAL} | US utility | Partner utility |" in md
    assert "| Saudi Arabia (SA) | round 4, on our offer of round 3 | veu | 1,348,000 |" in md
    html = memo.with_suffix(".html").read_text("utf-8")
    assert f'<th scope="col" class="num">{TOTAL}</th><th scope="col" class="num">US utility' in html
    assert ["Partner", "Concluded in", "Security", TOTAL, "US utility", "Partner utility"] in (
        _docx_heads(memo.with_suffix(".docx"))
    )

    out = tmp_path / "solved"
    run = invoke(["solve", GULF, "--out", out, "--render", "md,html,docx"])
    assert run.exit_code == 0, run.output
    portfolio = out / "memos/portfolio-gulf-asia"
    md = portfolio.with_suffix(".md").read_text("utf-8")
    assert f"| Partner | Security | {TOTAL} | Commitments |" in md
    assert f'<th scope="col" class="num">{TOTAL}</th>' in portfolio.with_suffix(".html").read_text(
        "utf-8"
    )
    assert any(TOTAL in head for head in _docx_heads(portfolio.with_suffix(".docx")))

    frontier = invoke(["frontier", GULF, "--partner", "AE", "--points", "2"])
    assert frontier.exit_code == 0, frontier.output
    head = frontier.stdout.split("┡")[0]
    assert all(word in head for word in TOTAL.split())
    sweep = ["sweep", GULF, "--param", "policy.risk_penalty_per_h100e"]
    run = invoke([*sweep, "--from", "50k", "--to", "100k", "--steps", "2", "-j", "1"])
    assert run.exit_code == 0, run.output
    head = run.stdout.split("┡")[0]  # the heading, wrapped to the column of its figures
    assert all(word in head for word in TOTAL.split()) and "│ 3,600,000 │" in run.stdout


def test_the_frontier_gain_is_explained_only_where_a_row_has_one(tmp_path: Path) -> None:
    """Without AE's last counter (004-partner.yaml), AE awaits a counter to our offer of
    round 3 and SA is concluded: no row has a gain on the frontier (each is "-"), yet the
    memo explained at length what the gain is and how it may take supply from other
    negotiations. It now says one short true sentence instead, in md and html; with the
    counter (AE countered, its gain $0) it explains the gain as before."""
    rounds = tmp_path / "rounds"
    shutil.copytree(ROUNDS, rounds)
    (rounds / "AE/004-partner.yaml").unlink()
    memo = _room_memo(tmp_path / "awaiting", rounds, "md,html")
    md = memo.with_suffix(".md").read_text("utf-8")
    html = words(memo.with_suffix(".html").read_text("utf-8"))
    for text in (md, html):
        assert GAIN not in text and "a counter worth accepting can show a gain" not in text
        assert NO_GAIN in text
        assert "The gap is what the United States" in text  # AE's row has a gap

    memo = _room_memo(tmp_path / "countered", ROUNDS, "md,html")
    md = memo.with_suffix(".md").read_text("utf-8")
    html = words(memo.with_suffix(".html").read_text("utf-8"))
    for text in (md, html):
        assert GAIN in text and NO_GAIN not in text
