"""Documents read as principals read them (qa16-docs): the options memo, the memo for
principals, the negotiation memo and a concluded round's agreed terms, in the formats
a principal or a partner's lawyer opens.

Each test renders only what its fault needs.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from dealbench.analyze.compare import Comparison, compare
from dealbench.model import load_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult
from dealbench.render.documents import Document, render_document
from helpers import DATA, REPO, Runner

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
MIXED = DATA / "qa9docs" / "portfolios" / "mixed.yaml"


@cache
def _compared(path: Path) -> tuple[Comparison, dict[str, tuple[Portfolio, SolveResult]]]:
    return compare(load_portfolio(path), ["tiered", "monopoly", "repeal", "bilateral"])


def _text(doc: Document, fmt: str) -> str:
    return next(f.data.decode() for f in render_document(doc, fmt) if f.path.endswith(f".{fmt}"))


@cache
def _options_doc(path: Path) -> Document:
    from dealbench.analyze.memo import options_memo_document

    c, solved = _compared(path)
    return options_memo_document(c, solved)  # type: ignore[no-any-return]


# --- every internal document defines its terms ---------------------------------------------


def test_the_options_memo_ends_with_the_glossary() -> None:
    """The options memo spoke of "H100e", "risk-weighted H100e", "walk-away values" and
    "the required margin" and defined none of them: it was the one memo without the
    glossary docs/documents.md promises "at the end of each internal document"."""
    doc = _options_doc(MIXED)
    md, html = _text(doc, "md"), _text(doc, "html")
    assert re.findall(r"^## (.+)$", md, flags=re.M)[-1] == "Glossary"
    assert re.findall(r"<h2>([^<]+)</h2>", html)[-1] == "Glossary"
    # The terms it uses (a glossary defines its document's terms alone: qa44-polish).
    for term in ("H100e", "Risk-weighted H100e", "Walk-away value", "US utility"):
        assert f"- **{term}**: " in md
        assert f"<dt>{term}</dt>" in html


def test_the_options_memo_leaves_a_blank_line_before_its_first_heading() -> None:
    """In Markdown, "... each option's policy file." ran straight into "## Recommendation"
    on the next line: a renderer that wants a blank line before a heading printed
    "## Recommendation" as part of the paragraph."""
    md = _text(_options_doc(MIXED), "md")
    assert "policy file.\n\n## Recommendation" in md


def test_the_negotiation_memo_ends_with_the_glossary_and_names_utilities_by_them(
    run: Runner, tmp_path: Path
) -> None:
    """The negotiation memo said "Utilities are each side's, from the package alone (the
    United States' V for the deal, the partner's U)": letters of the model, where every
    other document says "US utility" and "partner utility" (glossary.py: "never `US
    value` in one place and `V` in another"), and no glossary defined them or H100e."""
    r = run("room", GULF, "--render", "md,html", "--out", tmp_path, "--date", "2026-03-31")
    assert r.exit_code == 0, r.output
    md = (tmp_path / "memos" / "negotiation-gulf-asia.md").read_text()
    html = (tmp_path / "memos" / "negotiation-gulf-asia.html").read_text()
    for memo in (md, html):
        assert "V for the deal" not in memo and "partner\u2019s U)" not in memo
        assert "partner's U)" not in memo
        assert "the US utility and the partner utility of each package alone" in memo
    assert re.findall(r"^## (.+)$", md, flags=re.M)[-1] == "Glossary"
    assert re.findall(r"<h2>([^<]+)</h2>", html)[-1] == "Glossary"
    assert "<dt>Risk-weighted H100e</dt>" in html


# --- a quarterly portfolio's allocation fits the page --------------------------------------


def test_an_allocation_of_twelve_quarters_is_cut_into_tables_that_fit_the_page() -> None:
    """A portfolio of twelve quarters (synth M, 50 partners): the portfolio memo's
    allocation was one table of thirteen columns, and in the PDF every column after
    2027Q3 ran off the right edge of the page (the A4 page holds about seven columns of
    seven-digit amounts). It is now cut into tables of at most six periods, each with the
    partner column and the allocated, supply and unallocated rows; three years stay one."""
    from dealbench.optimize import solve
    from dealbench.render.documents import portfolio_memo_document
    from dealbench.render.portfolio_allocation import MAX_PERIOD_COLUMNS
    from dealbench.render.sources import source_from_result
    from dealbench.synth import Size, generate

    pf = generate(Size("T", 3, 2, 2, 12), seed=0)
    doc = portfolio_memo_document(source_from_result(pf, solve(pf)))
    html, md = _text(doc, "html"), _text(doc, "md")
    tables = re.findall(r'<table class="allocation">.*?</table>', html, flags=re.S)
    heads = [re.findall(r'<th scope="col" class="num">([^<]+)</th>', t) for t in tables]
    assert [len(h) for h in heads] == [6, 6]
    assert [t for h in heads for t in h] == list(pf.periods)
    for t in tables:
        assert '<th scope="row">Allocated</th>' in t and '<th scope="row">Unallocated</th>' in t
    assert re.findall(r"^\| H100e \| (\S+) \|", md, flags=re.M) == ["2026Q1", "2027Q3"]
    assert md.count("| **Allocated** |") == 2
    assert MAX_PERIOD_COLUMNS == 6


# --- the negotiation's round documents ----------------------------------------------------


def _round_docs(code: str, number: int) -> list[Document]:
    from dealbench.negotiate.documents import round_documents
    from dealbench.negotiate.rounds.read import load_negotiations

    pf = load_portfolio(GULF)
    rounds = load_negotiations(pf, REPO / "deals" / "rounds" / "gulf-asia")[code].rounds
    current = next(r for r in rounds if r.number == number)
    offers = [r for r in rounds if r.number < number and r.side == "us"]
    return round_documents(pf, code, current, offers[-1] if offers else None)


def test_an_external_redline_between_rounds_names_no_file() -> None:
    """SA's round 3 offer, redlined against round 1 for the Partner: "From | US offer,
    round 1 (001-us.yaml)", "To | US offer, round 3 (003-us.yaml)". An external document
    carries no file names (docs/documents.md), and packages are named "by their title,
    else their side and round, never by file name". The internal redline keeps the file."""
    docs = {d.path: d for d in _round_docs("SA", 3)}
    external = docs["redlines/SA-offer-001-to-offer-003"]
    internal = docs["redlines/SA-offer-001-to-offer-003-internal"]
    for fmt in ("md", "html"):
        text = _text(external, fmt)
        assert ".yaml" not in text
        assert "US offer, round 1" in text and "US offer, round 3" in text
        assert "US offer, round 3 (003-us.yaml)" in _text(internal, fmt)


def test_the_agreed_terms_say_the_partner_has_agreed() -> None:
    """SA's round 4 concludes the deal on our round 3 offer. Its term sheet reads "Terms
    agreed by the Participants", yet its internal valuation annex, and the redline from
    our offer to it, said "Saudi Arabia should accept ($2.80bn over ...)": advice to
    a principal about terms already signed. The agreed terms say "has agreed"; the offer
    before them still "should accept"."""
    docs = {d.path: d for d in _round_docs("SA", 4)}
    sheet = docs["term-sheets/SA-agreed-004-internal"]
    redline = docs["redlines/SA-offer-003-to-agreed-004-internal"]
    agreed = "Saudi Arabia has agreed ($2.80bn over its walk-away value and the required margin)"
    for fmt in ("md", "html"):
        text = _text(sheet, fmt)
        assert agreed in text and "should accept" not in text
        lines = _text(redline, fmt)
        assert f"Agreed terms, round 4 (004-partner.yaml): {agreed}" in lines
        assert "US offer, round 3 (003-us.yaml): Saudi Arabia should accept" in lines
    offer = {d.path: d for d in _round_docs("SA", 3)}["term-sheets/SA-offer-003-internal"]
    assert "Saudi Arabia should accept" in _text(offer, "md")


def test_a_verdict_on_agreed_terms_the_figures_refuse_says_both() -> None:
    """Terms recorded as agreed that the figures say the Partner would refuse are not
    'would refuse' alone: it agreed, though on these figures it would refuse."""
    from types import SimpleNamespace

    from dealbench.render.limits import verdict

    deal = SimpleNamespace(
        violations=[],
        accepts=False,
        partner_name="Saudi Arabia",
        partner_in_text=lambda start=False: "Saudi Arabia",
        acceptance_threshold=6.05e9,
        partner_utility=5.0e9,
        us_margin=1e9,
    )
    text = verdict(deal, side="agreed")  # type: ignore[arg-type]
    assert text.startswith("Saudi Arabia agreed, though on these figures it would refuse: ")


# --- the options memo agrees with the memos for principals -------------------------------


def test_the_options_memo_totals_risk_as_the_principals_memo_does() -> None:
    """Gulf-asia: the options memo's "Risk (risk-weighted H100e)" read 161,302 under
    bilateral and repeal, the memo for principals of the same run 161,301 (its packages'
    risk column as printed, since qa6-docs); qa11-sign made the options memo's exports the
    sum of the tranches as printed, but not its risk. Since qa31-totals every total is the
    exact sum, rounded, in both memos (the principals memo's note says what its rows add
    up to): three deals of 100.4 risk-weighted H100e each print 100 apiece, and their
    total 301 in both."""
    from dealbench.analyze.memo import options_facts
    from dealbench.figures import h100e

    c, _ = _compared(MIXED)
    regime = "bilateral"
    partners = []
    for i, p in enumerate(c.partners):
        cell = p.regimes[regime].model_copy(
            update={"deal": True, "risk": 100.4, "schedule": {c.periods[0]: 10.0 + i}}
        )
        partners.append(p.model_copy(update={"regimes": {**p.regimes, regime: cell}}))
    rows = [
        r.model_copy(update={"risk_total": 100.4 * len(partners)}) if r.regime == regime else r
        for r in c.regimes
    ]
    facts = options_facts(c.model_copy(update={"partners": partners, "regimes": rows}))
    [row] = [r for r in facts["regimes"] if r["id"] == regime]
    assert h100e(row["risk"]) == "301"


# --- the memo for principals names terms by their titles -----------------------------------


def test_what_lifting_a_limit_changes_names_partners_and_commitments_by_their_titles() -> None:
    """Gulf-asia under bilateral, "What each limit costs": "AE: grants champion-cap; SA:
    grants datavolt-us, grants humain-us-campus=10bn; BH: invest-us 5bn -> 15bn, ...; MY
    gains a deal (veu, accept-tariff, ...)": the data files' ids, which a principal has
    never seen. The memo names each partner, commitment, level and security level by its
    title, as the term sheets do; `solve --prices` keeps the ids (LimitCost.changes)."""
    from dealbench.analyze.memo import principals_memo_documents
    from dealbench.optimize import solve

    pf = load_portfolio(GULF)
    [doc] = principals_memo_documents({"bilateral": (pf, solve(pf))})
    for fmt in ("md", "html"):
        table = _text(doc, fmt).split("What each limit costs", 1)[1].split("Re-solved one", 1)[0]
        for raw in ("grants ", "invest-us", "champion-cap", " -> ", "(veu,", "=10bn"):
            assert raw not in table, (fmt, raw)
        assert (
            "Bahrain (BH): Investment in the United States from USD 5bn over the term to "
            "USD 15bn over the term" in table
        )
        assert "Saudi Arabia (SA): adds DataVolt investment" in table
        assert "Malaysia (MY) gains a deal: Validated-end-user data centres" in table
    [row] = [r for r in doc.context["limit_costs"] if r["name"] == "Supply in 2026"]
    assert "BH: invest-us 5bn -> 15bn, grants physical-security" in row["changes"]
