"""Documents a negotiator can sign, read on inputs no one here wrote (qa27-docs).

tests/data/qa27docs/ is a portfolio written from DESIGN.md alone: a regime of its own
(`accord`: open, screened, sovereign-veu), three years with no supply in 2028, compute in
steps of 256 GB200 chips, Indonesia with a range investment and requires/excludes,
Côte d'Ivoire (no deal the supply allows), Türkiye (amounts in trillions and in hundreds
of dollars, no deal), Norway (tier 1).
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from dealbench.model import load_portfolio
from dealbench.model.load_package import load_package
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.render.documents import Document, redline_document, render_document
from helpers import DATA, Runner

ACCORD = DATA / "qa27docs"
PORTFOLIO = ACCORD / "portfolios" / "accord-2027.yaml"


@cache
def _portfolio() -> Portfolio:
    return load_portfolio(PORTFOLIO)


def _package(name: str) -> Package:
    return load_package(ACCORD / "packages" / name, _portfolio())


def _text(doc: Document, fmt: str = "md") -> str:
    return next(f.data.decode() for f in render_document(doc, fmt) if f.path.endswith(f".{fmt}"))


def _term_sheet(package: Package, audience: str = "external") -> Document:
    from dealbench.render.documents import term_sheet_document
    from dealbench.render.sources import source_from_packages

    source = source_from_packages(_portfolio(), [package], origin="package")
    return term_sheet_document(source, package.partner, audience, None)  # type: ignore[arg-type]


def _annex_a_row(text: str, period: str) -> str:
    """A period's row of Annex A, to its chips (the security column follows)."""
    annex = text.split("## Annex A", 1)[1]
    row = next(line for line in annex.splitlines() if line.startswith(f"| {period} |"))
    return "|".join(row.split("|")[:5])


# --- the redline marks what the term sheets change, and nothing else ----------------------


def test_a_redline_marks_no_change_where_both_term_sheets_show_the_same_tranche() -> None:
    """Our offer gives 2027 as 79,160 GB200 chips; Indonesia's counter writes the same
    200,000 H100e. Both term sheets' Annex A read "2027 | 200,000 | 3,166,400,000 | 79,160
    GB200" (a portfolio decided in chips shows whole chips as chips), yet the redline
    struck "200,000 (79,160 GB200)" for "200,000" and counted 2027 among the terms changed
    ("4 terms changed"), with every effect "unchanged"; the external one went to the
    Partner so."""
    offer, counter = _package("id-offer.yaml"), _package("id-counter.yaml")
    assert _annex_a_row(_text(_term_sheet(offer)), "2027") == _annex_a_row(
        _text(_term_sheet(counter)), "2027"
    )
    for audience in ("external", "internal"):
        doc = redline_document(
            _portfolio(),
            offer,
            counter,
            labels=("Our offer, round 1", "The Partner's counter, round 2"),
            path="redline",
            audience=audience,  # type: ignore[arg-type]
        )
        text = _text(doc)
        row = next(line for line in text.splitlines() if line.startswith("| 2027 |"))
        assert "| 200,000 (79,160 GB200) | same |" in row, row
        assert "~~" not in row
        assert "3 terms changed, 1 replaced, 1 added, 0 removed." in text


# --- a memo's recommendation gives every reason the figures give ---------------------------


def _source(package: Package):  # type: ignore[no-untyped-def]
    from dealbench.render.sources import source_from_packages

    return source_from_packages(_portfolio(), [package], origin="package")


def test_a_deal_memo_of_a_package_over_the_limits_says_the_partner_would_refuse_it_too() -> None:
    """Our hand-written offer to Türkiye breaks the supply in 2027 and 2029, and leaves
    Türkiye $3.69tn short of its walk-away value. The memo's recommendation read "Do not
    offer this package (...): it breaks 2 limits." and nowhere did the memo say Türkiye
    would refuse it: as though keeping the limits were all it took. The internal term
    sheet's verdict says both; so does the memo, in every format."""
    from dealbench.render.documents import deal_memo_document

    doc = deal_memo_document(_source(_package("tr-big.yaml")), "TR")
    said = (
        "it breaks 2 limits. Türkiye would refuse it too: it leaves the Partner $3.69tn short "
        "of its walk-away value plus the required margin."
    )
    for fmt in ("md", "html"):
        assert said in " ".join(_text(doc, fmt).split()), fmt


# --- the partners' utility in the portfolio memo is the deals' --------------------------


def test_the_portfolio_memo_does_not_count_walk_away_values_as_what_the_deals_give() -> None:
    """Deals with ID ($6.50bn) and NO ($1.05bn); none with CI and TR, whose walk-away
    values are $900m and $2.5tn. The trade-offs read "The partners' summed utility is
    $2.51tn; together they clear ...": by the memo's own glossary ("What a deal is worth to
    the Partner") the deals give the partners $7.55bn; the rest is Türkiye's walk-away
    value. Both are said now, each for what it is."""
    from dealbench.optimize import solve
    from dealbench.render.documents import portfolio_memo_document
    from dealbench.render.sources import source_from_result

    pf = _portfolio()
    source = source_from_result(pf, solve(pf))
    assert source.checked.no_deal == ["CI", "TR"]
    md = " ".join(_text(portfolio_memo_document(source)).split())
    assert (
        "The partners with a deal have a summed utility of $7.55bn ($2.51tn with the walk-away "
        "values of CI and TR, without a deal); together they clear their walk-away values and "
        "required margins by $4.95bn." in md
    )
    assert "The partners' summed utility is $2.51tn" not in md


# --- a partner the supply keeps out is not said to accept no package -----------------------


def test_a_partner_the_supply_keeps_out_is_not_said_to_accept_no_package() -> None:
    """Côte d'Ivoire would accept its full ask (80,000 H100e: $1.20bn against $950m), but
    2028 has no supply; `solve` explains "raise supply in 2028 from 0 to 13,334 H100e".
    `compare`'s table, the options memo and the portfolio memo's reason said "accepts no
    package" and "accepts no package, whatever the caps": the supply, not Côte d'Ivoire,
    prevents the deal. Türkiye, whose full ask is worth $108bn against $2.5tn, still
    accepts no package."""
    from dealbench.analyze.limits import decided_by
    from dealbench.optimize import solve
    from dealbench.optimize.explain import no_deal_reasons
    from dealbench.render.no_deal import no_deal_reason
    from dealbench.render.sources import source_from_result

    pf = _portfolio()
    result = solve(pf)
    # the limit solve's remedy raises (nodeal-one): "raise supply in 2028 ..."
    assert decided_by(pf, result, "CI") == "supply below what it accepts"
    assert decided_by(pf, result, "TR") == "accepts no package"
    # The memo says solve's reason, as the result carries it (nodeal-one).
    source = source_from_result(pf, result.explained(no_deal_reasons(pf, result)))
    reason = no_deal_reason(pf, "CI", source.no_deal_reason("CI"), explained=True)
    assert reason.startswith("CI: no package CI accepts fits the limits")
    assert "raise supply in 2028 from 0 to 13,334 H100e" in reason
    assert "accepts no package" not in reason
    tr = no_deal_reason(pf, "TR", source.no_deal_reason("TR"), explained=True)
    assert tr.endswith("no change of limits opens a deal.")


# --- a counter's reason names every limit it counts ---------------------------------------


def test_the_negotiation_memo_names_every_limit_a_counter_is_said_to_break(
    run: Runner, tmp_path: Path
) -> None:
    """Indonesia's counter breaks the screened cap in 2027 and the supply in 2028 (there is
    none). The negotiation memo's recommended move, like `counter`'s and `room`'s, read
    "It breaks 2 limits: ID: 2027 compute 200,000 H100e exceeds the tier 2 cap ..." and
    stopped: the second limit was nowhere in the memo."""
    deals = Path(shutil.copytree(ACCORD, tmp_path / "deals"))
    portfolio = deals / "portfolios" / "accord-2027.yaml"
    rounds = tmp_path / "rounds"
    common = ["--rounds", rounds, "--no-documents"]
    offer = run("offer", portfolio, "--partner", "ID", *common, "--date", "2027-02-01")
    assert offer.exit_code == 0, offer.output
    counter = run("counter", portfolio, deals / "packages" / "id-counter.yaml", *common)
    assert counter.exit_code == 0, counter.output
    said = (
        "it breaks 2 limits: ID: 2027 compute 200,000 H100e exceeds the tier 2 cap under "
        "screened of 150,000 H100e; supply in 2028: 50,000 H100e allocated, 0 available"
    )
    assert f"COUNTER — {said}" in " ".join(counter.stdout.split())
    out = tmp_path / "memo"
    room = run("room", portfolio, "--rounds", rounds, "--render", "md", "--out", out, "-j", "1")
    assert room.exit_code == 0, room.output
    memo = " ".join((out / "memos" / "negotiation-accord-2027.md").read_text().split())
    assert f"**Indonesia (ID): counter.** I{said[1:]}." in memo


# --- a sign stays with its amount on paper ----------------------------------------------


def _pdf_lines(data: bytes, tmp_path: Path) -> list[str]:
    import subprocess

    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [line.rstrip() for line in text.splitlines()]


def test_a_minus_sign_is_not_left_at_a_line_end_away_from_its_amount(tmp_path: Path) -> None:
    """The internal redline from our offer to Indonesia's counter, in its PDF, read "Moves:
    US utility -$1.07bn; partner utility -" at the end of a line of the 2029 row and
    "$2.00bn; risk -1,875 ..." on the next: a loss read as a dash and a figure. The sign
    now stays with its amount in the PDF (a word joiner, absent from the text a reader
    copies), wherever a line breaks (the sentence at every width from 40 to 80 mm), and in
    the DOCX (Word's non-breaking hyphen, read back as "-")."""
    import io

    import docx

    from dealbench.render.pdf import html_to_pdf

    said = "Moves: US utility -$1.07bn; partner utility -$2.00bn; risk -1,875 H100e."
    paragraphs = "".join(f'<p style="width: {w}mm">{said}</p>' for w in range(40, 81))
    html = f'<html lang="en-GB"><head><title>t</title></head><body>{paragraphs}</body></html>'
    lines = _pdf_lines(html_to_pdf(html, None), tmp_path)
    assert not [line for line in lines if line.endswith((" -", " +"))]
    assert "\u2060" not in "\n".join(lines)
    assert any("utility -$2.00bn" in line for line in lines)
    doc = redline_document(
        _portfolio(),
        _package("id-offer.yaml"),
        _package("id-counter.yaml"),
        labels=("Our offer, round 1", "The Partner's counter, round 2"),
        path="redline",
        audience="internal",
    )
    data = next(f.data for f in render_document(doc, "docx") if f.path.endswith(".docx"))
    word = docx.Document(io.BytesIO(data))
    xml = word.element.xml
    assert "partner utility <w:noBreakHyphen/>" in " ".join(
        xml.replace("</w:t>", "").replace('<w:t xml:space="preserve">', "").split()
    )
    cells = "\n".join(cell.text for t in word.tables for row in t.rows for cell in row.cells)
    assert "partner utility -$2.00bn" in cells


# --- the status memo says who walked away --------------------------------------------------


def test_the_negotiation_memo_says_who_walked_away(run: Runner, tmp_path: Path) -> None:
    """Côte d'Ivoire walked away from our offer (`walk-away --by partner`); we walked away
    from Türkiye. The status memo read "2 walked away" and, in its table, "walked away" for
    both: which side ended the talks was nowhere, and `room` said "walked away in round 2"
    of each. Both now say who, and the memo lists the ended talks."""
    portfolio = PORTFOLIO
    rounds = tmp_path / "rounds"
    offer = ACCORD / "packages" / "ci-offer.yaml"
    common = ["--rounds", rounds]
    done = run("offer", portfolio, "-p", "CI", "--package", offer, *common, "--no-documents")
    assert done.exit_code == 0, done.output
    for args in (["-p", "CI", "--by", "partner"], ["-p", "TR"]):
        done = run("walk-away", portfolio, *args, *common, "--date", "2027-03-05")
        assert done.exit_code == 0, done.output
    out = tmp_path / "memo"
    room = run("room", portfolio, *common, "--render", "md,docx", "--out", out, "-j", "1")
    assert room.exit_code == 0, room.output
    said = " ".join(room.stdout.split())
    assert "CI: Côte d'Ivoire walked away in round 2" in said
    assert "TR: the United States walked away in round 1" in said
    memo = (out / "memos" / "negotiation-accord-2027.md").read_text()
    assert (
        "## Talks ended\n\n- **Côte d'Ivoire (CI):** Côte d'Ivoire walked away in round 2.\n"
        "- **Türkiye (TR):** The United States walked away in round 1.\n"
    ) in memo
    import docx

    word = docx.Document(str(out / "memos" / "negotiation-accord-2027.docx"))
    paragraphs = [p.text for p in word.paragraphs]
    assert "Türkiye (TR): The United States walked away in round 1." in paragraphs


def test_a_walk_away_value_of_a_few_hundred_dollars_is_not_called_costly() -> None:
    """Türkiye's US walk-away value is -$250. The deal memo's risks said "Failure is
    costly: without a deal the United States stands at -$250", beside a package worth
    $807.65bn to it. Indonesia's -$2.00bn is still said to be costly."""
    from dealbench.render.documents import deal_memo_document

    big = _text(deal_memo_document(_source(_package("tr-big.yaml")), "TR"))
    assert "Failure is costly" not in big and "-$250" in big
    counter = _text(deal_memo_document(_source(_package("id-counter.yaml")), "ID"))
    assert "Failure is costly: without a deal the United States stands at -$2.00bn" in counter


def test_the_portfolio_memo_says_why_a_partner_gets_no_package() -> None:
    """The memo read "Offer no package to CI and TR." and, under the packages, "Côte
    d'Ivoire (CI): the US walk-away value is $0.": the reason, computed for each partner
    without a deal, was printed only when no partner had one. A principal reads it beside
    each name now."""
    from dealbench.optimize import solve
    from dealbench.optimize.explain import no_deal_reasons
    from dealbench.render.documents import portfolio_memo_document
    from dealbench.render.sources import source_from_result

    pf = _portfolio()
    result = solve(pf)
    result = result.explained(no_deal_reasons(pf, result))  # as `solve` carries it
    doc = portfolio_memo_document(source_from_result(pf, result))
    for fmt in ("md", "html"):
        said = " ".join(_text(doc, fmt).replace("&#39;", "'").split())
        assert (
            "Côte d'Ivoire (CI): No package CI accepts fits the "
            "limits: CI's acceptance needs $200.0m more" in said
        ), fmt
        assert "raise supply in 2028 from 0 to 13,334 H100e" in said
        assert "Türkiye (TR): No package TR accepts fits the limits" in said
