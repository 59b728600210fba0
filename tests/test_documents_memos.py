"""Memos say only what the numbers support (issue 12, item 4), and read the same everywhere."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dealbench.render.documents import documents_for, render_document
from dealbench.render.filters import money
from dealbench.render.sources import load_source
from golden.support import COUNTER, DEMO_PORTFOLIO, OFFER, demo_source
from helpers import Runner


def markdown(doc: object) -> str:
    [md] = [f for f in render_document(doc, ["md"]) if f.path.endswith(".md")]  # type: ignore[arg-type]
    return md.data.decode()


@pytest.fixture(scope="module")
def monopoly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portfolio under the monopoly regime, where the tier-2 cap stops every deal."""
    root = tmp_path_factory.mktemp("deals") / "deals"
    shutil.copytree(DEMO_PORTFOLIO.parents[1], root)
    path = root / "portfolios" / "gulf-asia.yaml"
    text = path.read_text().replace("../policy/bilateral.yaml", "../policy/monopoly.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def test_one_package_gets_a_package_memo_not_a_portfolio_recommendation() -> None:
    source = load_source(OFFER, DEMO_PORTFOLIO)
    [doc] = documents_for(source, "portfolio-memo")
    assert doc.kind == "deal-memo" and doc.path == "memos/AE-offer-001"
    md = markdown(doc)
    assert "Offer no package to" not in md and "Conclude" not in md
    assert "## Recommendation" in md


def test_a_counter_is_the_partners_proposal_compared_with_our_last_offer(
    run: Runner, tmp_path: Path
) -> None:
    r = run(
        "render", COUNTER, "--portfolio", DEMO_PORTFOLIO, "--doc", "deal-memo",
        "--against", OFFER, "--out", tmp_path,
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    md = (tmp_path / "memos/AE-counter-002.md").read_text()
    assert "## The Partner's proposal" in md and "## Recommendation" not in md
    assert "United Arab Emirates proposes 1,800,000 H100e" in md
    assert (
        "Compared with our last offer (round 1), it is $58.76bn worse for the United States" in md
    )
    assert "Offer United Arab Emirates" not in md


def test_a_memo_of_a_solve_with_set_overrides_names_them(run: Runner, tmp_path: Path) -> None:
    """`solve --set ... --render`: the portfolio memo's figures come from the files *and*
    the overrides; it said "from the data files" alone, so a reader took the files'
    figures for the memo's. It names each override, as the options memo does; a plain
    solve's memo names none."""
    sets = ["--set", "policy.risk_penalty_per_h100e=200k"]
    out = tmp_path / "out"
    result = run("solve", DEMO_PORTFOLIO, *sets, "--out", out, "--render", "md,html")
    assert result.exit_code == 0, result.output
    memo = (out / "memos/portfolio-gulf-asia.md").read_text()
    assert "policy.risk_penalty_per_h100e=200k" in memo.split("## Recommendation")[0]
    assert (
        "policy.risk_penalty_per_h100e=200k" in (out / "memos/portfolio-gulf-asia.html").read_text()
    )
    plain = tmp_path / "plain"
    assert run("solve", DEMO_PORTFOLIO, "--out", plain, "--render", "md").exit_code == 0
    assert "changed" not in (plain / "memos/portfolio-gulf-asia.md").read_text().split("##")[0]


def test_every_internal_document_of_an_overridden_portfolio_names_the_overrides() -> None:
    """Only the portfolio and options memos named `--set` overrides, each with its own
    copy of the words; an internal term sheet, a deal memo or a redline of the same
    portfolio read as the files' figures. One partial of the `doc` block names them in
    every internal document; an external term sheet carries no internal figure (a BATNA)
    and names none."""
    from dealbench.analyze.scenarios import apply_overrides
    from dealbench.model import load_package
    from dealbench.render.documents import redline_document
    from dealbench.render.sources import source_from_packages

    source = load_source(OFFER, DEMO_PORTFOLIO)
    pf = apply_overrides(source.portfolio, {"partners.AE.batna": "9bn"})
    offer = load_package(OFFER, pf)
    changed = source_from_packages(pf, [offer], origin="package ae-offer.yaml")
    said = "Figures changed from the data files for this document: `partners.AE.batna=9bn`."
    docs = [
        *documents_for(changed, "term-sheet", audience="internal"),
        *documents_for(changed, "deal-memo"),
        redline_document(
            pf, offer, load_package(COUNTER, pf), labels=("offer", "counter"),
            path="redline", audience="internal",
        ),
    ]  # fmt: skip
    for doc in docs:
        assert said in markdown(doc), doc.kind
        [html] = [f for f in render_document(doc, ["html"])]
        assert "<code>partners.AE.batna=9bn</code>" in html.data.decode(), doc.kind
    [external] = documents_for(changed, "term-sheet", audience="external")
    assert "batna" not in markdown(external).lower()
    assert "Figures changed" not in markdown(documents_for(source, "deal-memo")[0])


def test_a_counter_without_our_offer_says_so() -> None:
    source = load_source(COUNTER, DEMO_PORTFOLIO)
    md = markdown(documents_for(source, "deal-memo", partners=["AE"])[0])
    assert "No earlier offer of ours was given to compare it with." in md


def test_a_regime_without_deals_says_which_limit_prevents_each(
    run: Runner, monopoly: Path, tmp_path: Path
) -> None:
    r = run("solve", monopoly, "--out", tmp_path, "--render", "md,html")
    assert r.exit_code == 0, r.stderr
    md = (tmp_path / "memos/portfolio-gulf-asia.md").read_text()
    assert "## What prevents a deal" in md
    # solve's reasons, as result.json records them: each the raise of the tier 2 cap
    prevented = [line for line in md.splitlines() if "accepts fits the limits" in line]
    assert len(prevented) == 9
    assert all("raise the tier 2 cap at every security level" in line for line in prevented)
    assert all("from 1,699 to" in line for line in prevented)
    # no empty section saying "none" (the reasons' own words aside)
    rest = "\n".join(line for line in md.splitlines() if line not in prevented)
    assert "Limits that bind" not in md and "none" not in rest.lower().split("glossary")[0]
    # no empty tables or charts
    assert "| Partner |" not in md and "## Allocation" not in md and "![" not in md
    assert not (tmp_path / "memos" / "charts").exists()
    html = (tmp_path / "memos/portfolio-gulf-asia.html").read_text()
    assert "<figure" not in html and '<table class="deals"' not in html


def test_risk_figures_are_described_as_what_they_are() -> None:
    md = markdown(documents_for(demo_source(), "deal-memo", partners=["AE"])[0])
    assert "diversion-risk index is 0.47 (a score from 0 to 1, not a probability)" in md
    assert "diversion risk of" not in md


def test_terms_are_the_same_everywhere_and_defined_once() -> None:
    source = demo_source()
    docs = (
        documents_for(source, "deal-memo", partners=["AE"])
        + documents_for(source, "portfolio-memo")
        + documents_for(source, "term-sheet", audience="internal", partners=["AE"])
    )
    for doc in docs:
        md = markdown(doc)
        assert md.count("## Glossary") == 1, doc.path
        for term in ("US utility", "Partner utility", "Walk-away value"):
            assert md.count(f"- **{term}**:") == 1, (doc.path, term)
        for stale in ("(BATNA)", "US value without a deal", "US utility of the deal", "(s)"):
            assert stale not in md, (doc.path, stale)


@pytest.mark.parametrize(
    ("amount", "text"),
    [(-1e9, "-$1.00bn"), (58.8e9, "$58.80bn"), (-350e6, "-$350.0m"), (1.4e12, "$1.40tn")],
)
def test_money_has_one_form_sign_first(amount: float, text: str) -> None:
    assert money(amount) == text


def test_chart_axes_put_the_sign_before_the_dollar() -> None:
    from matplotlib.figure import Figure

    from dealbench.render.charts import _billions

    ax = Figure().add_subplot()
    _billions(ax)
    formatter = ax.yaxis.get_major_formatter()
    # as the tables write money (qa36-true: `money_ticks`)
    assert formatter(-1.0, 0) == "-$1.00bn" and formatter(2.5, 0) == "$2.50bn"


def test_no_document_says_deal_s() -> None:
    source = demo_source()
    for doc in documents_for(source, "portfolio-memo") + documents_for(source, "deal-memo"):
        assert not re.search(r"\w\(s\)", markdown(doc)), doc.path
