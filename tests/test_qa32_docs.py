"""Every document read as a principal's chief of staff reads it, on the shipped data and
on synthetic portfolios (qa32-docs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench import synth
from helpers import Runner


@pytest.fixture(scope="module")
def synth_s(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dealbench's synthetic portfolio S (seed 1) written out as files."""
    return synth.write_yaml(synth.generate("S", seed=1), tmp_path_factory.mktemp("synth-s"))


def _package(path: Path, concessions: str) -> Path:
    path.write_text(
        "partner: AE\nsecurity: veu\n"
        "compute: {2026: 121_000, 2027: 188_000, 2028: 413_000, 2029: 416_000}\n"
        f"concessions: {{{concessions}}}\n"
    )
    return path


def test_a_redline_shows_a_commitments_changed_level_where_its_clause_does_not_name_it(
    synth_s: Path, tmp_path: Path, run: Runner
) -> None:
    """The counter moved concession 1 from Level 3 to Level 2; the clause reads "... commits
    to concession 1." at every level. The redline said clause 6.1 was the same and "0 terms
    changed": the change a principal most needs to see was in no line of it."""
    old = _package(tmp_path / "old.yaml", "c01: l3, c04: true")
    new = _package(tmp_path / "new.yaml", "c01: l2, c04: true")
    for audience in ("external", "internal"):
        out = tmp_path / f"redline-{audience}.md"
        result = run(
            "redline", old, new, "--portfolio", synth_s, "--out", out, "--audience", audience
        )
        assert result.exit_code == 0, result.stderr
        text = out.read_text()
        assert "1 term changed, 0 added, 0 removed" in text
        line = next(ln for ln in text.splitlines() if ln.startswith("6.1. "))
        assert "~~Concession 1 (Level 3)." in line and "**Concession 1 (Level 2)." in line
        assert line.endswith("*(changed)*")
        # the unchanged yes/no term reads as before, with no level beside it
        assert any(ln.startswith("6.2. Concession 4. ") for ln in text.splitlines())


def test_a_synthetic_partners_clauses_say_its_name_with_its_own_article(
    synth_s: Path, tmp_path: Path, run: Runner
) -> None:
    """synth's clauses wrote the article by hand: every synthetic term sheet read "The
    Synthland 5 commits to concession 1." (qa31-docs made the shipped clauses use the
    `in_text` filter; the generator kept "The {{ partner.name }}")."""
    package = _package(tmp_path / "ae.yaml", "c01: l3, c04: true")
    result = run("render", package, "--portfolio", synth_s, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "out" / "term-sheets" / "AE.md").read_text()
    assert "6.1. **Concession 1.** Synthland 5 commits to concession 1." in text
    assert "The Synthland" not in text


def test_a_large_risk_threshold_is_printed_as_every_figure_is() -> None:
    """compare on synth S: "monopoly overtakes bilateral if the cost of risk is 29978.32
    times the policy's estimate or more (bilateral's risk costs $7.4m more)": a figure
    without its thousands separator, its hundredths meaningless at that size. The
    threshold (1 + $221.55bn / $7.4m = 29,940.2) prints as a grouped whole number
    on its far side, and still overtakes there."""
    from dealbench.analyze.compare import RegimeRow
    from dealbench.analyze.memo import sensitivities

    def row(regime: str, us_value: float, risk_cost: float) -> RegimeRow:
        return RegimeRow(
            regime=regime, title=regime, status="optimal", us_value=us_value,
            risk_cost=risk_cost, concessions=0.0,
        )  # fmt: skip

    lead, extra = 221.55e9, 7.4e6
    line = sensitivities([row("bilateral", lead, extra), row("monopoly", 0.0, 0.0)])[0]
    assert "cost of risk is 29,941 times the policy's estimate or more" in line, line
    assert lead - (29_941 - 1) * extra < 0 < lead - (29_940 - 1) * extra


@pytest.fixture(scope="module")
def synth_s_memo(synth_s: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The portfolio memo of synth S's us-best solve, in Markdown."""
    from helpers import invoke

    out = tmp_path_factory.mktemp("synth-s-solved")
    result = invoke(("solve", synth_s, "--out", out, "--render", "md"))
    assert result.exit_code == 0, result.stderr
    return (out / "memos" / "portfolio-synth-s-1.md").read_text()


def test_a_risk_budget_not_used_in_full_is_not_said_to_be_used_to_100_percent(
    synth_s_memo: str,
) -> None:
    """The portfolio memo of synth S: "The deals carry 326,867 risk-weighted H100e of a
    budget of 327,000 (100.0%)", where its no-deal lines say the deals leave 133 of it.
    A share short of the whole never prints as the whole (`percent`, as one above nothing
    never prints as 0.0%), and the share is that of the figures printed. (The no-deal
    lines say solve's reason since nodeal-one, a least change, not the budget left.)"""
    from dealbench.render.filters import percent

    memo = synth_s_memo
    line = next(ln for ln in memo.splitlines() if "of a budget of" in ln)
    assert "(100.0%)" not in line, line
    assert "326,867 risk-weighted H100e of a budget of 327,000 (more than 99.9%)" in line
    assert percent(1.0) == "100.0%" and percent(0.9994) == "99.9%"


def test_a_cap_per_quarter_is_said_per_quarter_in_the_deal_memos_chart(
    tmp_path: Path, run: Runner
) -> None:
    """The deal memo of a corridor package (quarters) described its schedule chart "against
    the ask and a cap of 15,000 a period", where its trade-offs say "15,000 H100e a
    quarter"; synth M's no-deal lines said "the tier 2 cap (25,000 H100e a period under
    kyc)". Every cap per period now says the period as its labels do (`periods.each`)."""
    from dealbench.model.periods import each

    data = Path(__file__).parent / "data" / "qa30neg"
    result = run(
        "render", data / "packages" / "vn-amount.yaml",
        "--portfolio", data / "portfolios" / "corridor.yaml",
        "--doc", "deal-memo", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    memo = (tmp_path / "memos" / "VN-amount.md").read_text()
    assert "against the ask and a cap of 15,000 a quarter." in memo
    assert "a period" not in memo
    assert each(["2026", "2027"]) == "a year" and each(["2027Q1"]) == "a quarter"


def test_a_partner_held_to_its_walk_away_value_is_not_said_to_equal_it_beside_a_margin(
    synth_s_memo: str,
) -> None:
    """synth S's memo lists AC at a partner margin of +$39,000 and says "AB, AC, ... are
    held to their walk-away value: each one's partner utility equals its walk-away value
    plus the required margin" (held: within $1.0m); the shipped AE-to-SG term sheets said
    "equals" under a table reading +$500,000. The words now say by how much, as printed."""
    line = next(ln for ln in synth_s_memo.splitlines() if "are held to their walk-away" in ln)
    assert "equals" not in line, line
    assert line.endswith(
        "each one's partner utility exceeds its walk-away value plus the required margin "
        "by at most $39,000."
    )
    assert "| Synthland 3 (AC) | kyc | 180,965 | 5 | $13.91bn | +$13.91bn | +$39,000 |" in (
        synth_s_memo
    )


def test_the_principals_memo_says_what_a_step_changes_by_title_not_by_id() -> None:
    """The memo for principals (compare --render) said, under "Re-solved one step away":
    "... gains $37,339 per H100e ..., as AA concessions -c05=l1, AE concessions +c08=l2
    -c08=l1", the terminal's ids, where its table above says "Synthland 5 (AE): Concession
    8 from Level 1 to Level 2". Gulf-asia under bilateral: BH's investment moves a level.
    `solve --prices` keeps its ids (README)."""
    from dealbench.analyze.memo import principals_memo_documents
    from dealbench.model import load_portfolio
    from dealbench.optimize import solve
    from dealbench.render.documents import render_document

    pf = load_portfolio(Path(__file__).parents[1] / "deals" / "portfolios" / "gulf-asia.yaml")
    [doc] = principals_memo_documents({"bilateral": (pf, solve(pf))})
    md = next(f.data.decode() for f in render_document(doc, "md") if f.path.endswith(".md"))
    section = md.split("the full model does not follow these prices:", 1)[1].split("##")[0]
    assert "concessions +" not in section and "invest-us" not in section, section
    assert "as Bahrain (BH): Investment in the United States from USD 5bn" in section, section
