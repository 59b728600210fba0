"""What a principal reads in a comparison's "who gets what" (session 38).

`compare deals/portfolios/gulf-asia.yaml` names "acceptance" as the limit that decides AE's
and SA's compute under tiered: the other words of that column name a limit (supply, cap,
full ask, the risk budget) or a price (the risk penalty), this one the partner's own
walk-away value, and nothing said what it meant. Where a cell says it, the options memo,
`compare` and the web's compare page say it once under the table, from one sentence.
"""

from __future__ import annotations

from pathlib import Path

from dealbench.analyze.memo import ACCEPTANCE_SAID
from helpers import REPO, Runner

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_compare_says_what_acceptance_means_where_a_cell_says_it(run: Runner) -> None:
    done = run("compare", GULF)
    assert done.exit_code == 0, done.output
    assert "acceptance" in done.stdout  # AE and SA under tiered
    assert _flat(ACCEPTANCE_SAID) in _flat(done.stdout)


def test_the_options_memo_says_what_acceptance_means(run: Runner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("compare", GULF, "--out", out, "--render", "md,html")
    assert done.exit_code == 0, done.output
    memo = next((out / "memos").glob("options-*.md")).read_text("utf-8")
    table = memo.split("## Each partner under each option")[1].split("\n## ")[0]
    assert "acceptance" in table and ACCEPTANCE_SAID in table
    html = next((out / "memos").glob("options-*.html")).read_text("utf-8")
    assert f"<p>{ACCEPTANCE_SAID}</p>" in html


def test_no_legend_where_no_cell_says_acceptance() -> None:
    """A comparison whose cells never say "acceptance" is not told what it means."""
    from dealbench.analyze.compare import compare
    from dealbench.analyze.memo import who_gets_what
    from dealbench.model.load import load_portfolio

    comparison, _ = compare(load_portfolio(GULF), ["tiered", "repeal"])
    assert who_gets_what(comparison)["legend"] == ACCEPTANCE_SAID
    partners = [
        p.model_copy(
            update={
                "regimes": {
                    k: c.model_copy(update={"decided_by": c.decided_by.replace("acceptance", "x")})
                    for k, c in p.regimes.items()
                }
            }
        )
        for p in comparison.partners
    ]
    assert who_gets_what(comparison.model_copy(update={"partners": partners}))["legend"] is None
