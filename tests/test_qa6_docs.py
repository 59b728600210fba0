"""A second pass on documents (qa6-docs): faults a new analyst's own data found.

The data (tests/data/qa6docs/) is a quarterly portfolio of six partners written from
DESIGN.md alone: asks in B200 chips and in TPP, compute in steps of 256 B200, range
and piecewise figures, uncertain values, a deal-by-deal cap, a tier-3 partner and one
whose walk-away value no package reaches. Each test says what the user saw and why it
was wrong.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dealbench.analyze.limits import decided_by
from dealbench.model import load_package, load_portfolio
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult, solve
from dealbench.optimize.explain.no_deal import why_no_deal
from dealbench.render.docmeta import Audience
from dealbench.render.documents import (
    Document,
    deal_memo_document,
    portfolio_memo_document,
    redline_document,
    render_document,
    term_sheet_document,
)
from dealbench.render.sources import Source, source_from_packages
from helpers import DATA, Runner

QA6 = DATA / "qa6docs"
PACKAGES = ("nz", "cl", "mx", "za")


@pytest.fixture(scope="module")
def pacific() -> Portfolio:
    return load_portfolio(QA6 / "portfolios" / "pacific.yaml")


def _source(pf: Portfolio, *names: str) -> Source:
    packages = [load_package(QA6 / "packages" / f"{name}.yaml", pf) for name in names]
    return source_from_packages(pf, packages, origin="qa6 packages")


def _markdown(doc: Document) -> str:
    """The document's Markdown (its charts, rendered beside it, are left out)."""
    return next(f.data.decode() for f in render_document(doc, "md") if f.path.endswith(".md"))


def _number(cell: str) -> int:
    """A cell's whole number; 0 for an empty cell (a partner without a deal: no compute)."""
    digits = re.sub(r"[^0-9]", "", cell.split("(")[0])
    return int(digits) if digits else 0


def _adds_up_or_says(rows: list[int], total: int, md: str, what: str = "H100e") -> None:
    """A column's total is its rows' sum, or the note under it says what they add up to
    (a total is the exact sum, rounded; each row is rounded on its own: qa31-totals)."""
    if sum(rows) != total:
        assert f"as printed the rows add up to {sum(rows):,} {what}" in " ".join(md.split())


def _table(md: str, heading: str) -> list[list[str]]:
    """The rows (cells stripped of bold) of the first table after `heading`."""
    text = md.split(heading, 1)[1]
    block = next(b for b in text.split("\n\n") if b.startswith("|"))
    lines = block.splitlines()
    return [[c.strip().strip("*") for c in line.strip("|").split("|")] for line in lines[2:]]


# --- totals add up to the rows printed above them ----------------------------------------


@pytest.mark.parametrize("name", PACKAGES)
def test_a_term_sheets_schedule_adds_up_to_its_total(pacific: Portfolio, name: str) -> None:
    """CL's Annex A listed tranches of 9,314, 30,002, 8,150 and 8,150 H100e (4,096, 13,194,
    3,584 and 3,584 B200) over a total of 55,614, and section 4 offered "up to 55,614
    H100e": the rows add up to 55,616. Each tranche in chips is a fraction of an H100e
    (a B200 is 2.27), and the total was the exact sum rounded, not the sum of the rounded
    rows. NZ's added up to 21,794 under 21,793, MX's to 26,194 under 26,195. qa6 made the
    total the sum of the rows as printed; qa31-totals made every total the exact sum,
    rounded (the same figure in every document), with a note where the rows add up to
    another: the total and section 4's offer are the same figure, and the rows add up to
    it or the note says to what."""
    source = _source(pacific, name)
    md = _markdown(term_sheet_document(source, name.upper(), "external"))
    rows = _table(md, "## Annex A: Compute schedule")
    tranches, total = rows[:-1], rows[-1]
    assert total[0] == "Total"
    _adds_up_or_says([_number(r[1]) for r in tranches], _number(total[1]), md)
    _adds_up_or_says([_number(r[2]) for r in tranches], _number(total[2]), md, "TPP")
    offered = re.search(r"up to ([0-9,]+) H100e \(([0-9,]+) TPP\)", md)
    assert offered is not None
    assert (offered[1], offered[2]) == (total[1], total[2])


def test_a_deal_memos_schedule_adds_up_to_its_total(pacific: Portfolio) -> None:
    """MX's deal memo listed 6,403 H100e in three quarters and 6,985 in the fourth over a
    total of 26,195 (they add up to 26,194), and recommended offering "26,195 H100e". The
    total is the exact sum (qa31-totals), and the note says what the rows add up to."""
    source = _source(pacific, "mx")
    md = _markdown(deal_memo_document(source, "MX"))
    rows = _table(md, "## The package")
    assert rows[-1][0] == "Total"
    total = _number(rows[-1][1])
    _adds_up_or_says([_number(r[1]) for r in rows[:-1]], total, md)
    assert f"Offer Estados Unidos Mexicanos {total:,} H100e" in md


def test_a_portfolio_memos_tables_add_up(pacific: Portfolio) -> None:
    """The portfolio memo's allocation listed 6,822 + 30,002 + 6,403 + 36,673 H100e for
    2027Q2 (79,900) as 79,899 allocated; CL's row added up to 55,616 where the packages
    table gave it 55,614; the packages table's total was none of its column's sum. Each
    total is the exact sum, rounded (qa31-totals): it adds up to its rows or a note says
    what they add up to; what is allocated and what is not add up to the supply."""
    source = _source(pacific, *PACKAGES)
    md = _markdown(portfolio_memo_document(source))
    packages = _table(md, "## The packages")
    deals, total = packages[:-1], packages[-1]
    _adds_up_or_says([_number(r[2]) for r in deals], _number(total[2]), md)
    _adds_up_or_says([_number(r[7]) for r in deals], _number(total[7]), md, "risk-weighted H100e")
    allocation = {row[0]: [_number(c) for c in row[1:]] for row in _table(md, "## Allocation")}
    codes = ["NZ", "CL", "MX", "ZA"]
    flat = " ".join(md.split())
    for i, period in enumerate(source.portfolio.periods):
        column = sum(allocation[code][i] for code in codes)
        assert column == allocation["Allocated"][i] or f"{column:,} in {period}" in flat
        assert allocation["Allocated"][i] + allocation["Unallocated"][i] == allocation["Supply"][i]
    assert f"using {_number(total[2]):,} H100e" in md


def closed_door(folder: Path) -> Path:
    """The pacific portfolio's own policy with tier 2 closed (`closed.yaml` in `folder`)."""
    closed = folder / "closed.yaml"
    text = (QA6 / "policy" / "accord.yaml").read_text()
    closed.write_text(
        text.replace("id: accord", "id: closed").replace(
            "tier2: {baseline: 20_000, audit: 80_000, sovereign-vault: 400_000}", "tier2: 0"
        )
    )
    return closed


def test_an_options_memos_exports_add_up(tmp_path: Path) -> None:
    """The options memo said the closed-door option exports "27,287 H100e", beside rows of
    4,548, 6,822, 6,822 and 9,096 H100e by quarter (27,288). The total is the exact sum,
    rounded, as every page says it (qa31-totals); the memo's note says what the rows add
    up to."""
    from dealbench.analyze.compare import compare
    from dealbench.analyze.memo import options_facts

    pf = load_portfolio(QA6 / "portfolios" / "pacific.yaml")
    closed = closed_door(tmp_path)
    comparison, _ = compare(pf, [str(closed)])
    facts = options_facts(comparison)
    row = facts["regimes"][0]
    shown = sum(round(x) for x in row["compute"].values())
    total = round(sum(row["compute"].values()))
    assert row["compute_total"] == total
    if shown != total:
        assert f"as printed the rows add up to {shown:,} H100e exported under" in facts["rows_note"]


def test_an_options_memos_partner_compute_is_its_term_sheets_total(tmp_path: Path) -> None:
    """Once a term sheet's total was the sum of its printed tranches, the options memo
    still gave each partner its exact compute rounded: NZ "27,287 audit" under the
    closed-door option, where its term sheet and the principals memo of the same run say
    27,288 (4,548 + 6,822 + 6,822 + 9,096). All say the exact total now (qa31-totals)."""
    from dealbench.analyze.compare import compare
    from dealbench.analyze.memo import options_facts

    pf = load_portfolio(QA6 / "portfolios" / "pacific.yaml")
    closed = closed_door(tmp_path)
    comparison, solved = compare(pf, [str(closed)])
    [nz] = [p for p in options_facts(comparison)["partners"] if p["code"] == "NZ"]
    closed_pf, result = solved["closed"]
    deal = result.deal("NZ")
    assert deal is not None
    source = source_from_packages(closed_pf, [deal.package()], origin="closed")
    md = _markdown(term_sheet_document(source, "NZ", "external"))
    total = _table(md, "## Annex A: Compute schedule")[-1][1]
    assert f"{nz['cells'][0]['compute']:,.0f}" == total


# --- what decides a partner's missing deal ------------------------------------------------


@pytest.fixture(scope="module")
def solved(pacific: Portfolio) -> SolveResult:
    return solve(pacific)


def test_a_partner_no_package_satisfies_is_not_said_to_be_capped(
    pacific: Portfolio, solved: SolveResult
) -> None:
    """VN asks 10,000 H100e a quarter and walks away from anything under $50bn: its full
    ask is worth $800m to it. `solve` said "no change of limits opens a deal", but the
    options memo (and `compare`) said "no deal: cap below what it accepts" under the
    accord regime, because its baseline cap (5,000 a quarter) is below its ask, and
    "accepts no package" under a regime without caps: the cap was named although lifting
    it changes nothing."""
    [reason] = [r for r in why_no_deal(pacific, solved) if r.partner == "VN"]
    assert "no change of limits opens a deal" in reason.message
    assert decided_by(pacific, solved, "VN") == "accepts no package"


# --- limits that bind say what the partner receives ---------------------------------------


def test_a_full_ask_met_in_whole_chips_prints_what_is_received(pacific: Portfolio) -> None:
    """CL asks 475,000,000 TPP in 2027Q2 (30,002.5 H100e) and receives 13,194 B200, the
    most whole chips within it (30,001.5 H100e, printed 30,002). The portfolio memo said
    "CL receives its full ask in 2027Q2 (30,003 H100e)", beside an allocation of 30,002:
    the line printed the ask, not what is received."""
    source = _source(pacific, *PACKAGES)
    md = _markdown(portfolio_memo_document(source))
    allocation = {row[0]: row[1:] for row in _table(md, "## Allocation")}
    line = next(x for x in md.splitlines() if x.startswith("- CL receives its full ask"))
    assert line == (
        f"- CL receives its full ask in 2027Q2 in whole B200 chips ({allocation['CL'][1]} H100e)."
    )
    # An ask met exactly is said plainly: NZ asks 3,000 B200 and receives them.
    assert "- NZ receives its full ask in 2027Q2 and 2027Q3 (6,822 H100e each)." in md


def test_rows_rounded_above_a_supply_used_in_full_leave_nothing_unallocated() -> None:
    """With continuous amounts (granularity 0) the deals use all of 2027Q1's 60,000 H100e
    in fractions (4,547.75 + 14,501.6 + 6,502.3 + 34,448.4): rounded one by one they add
    up to 60,001. Totals that add up to their rows must not then say that 60,001 H100e
    are allocated of 60,000 with -1 unallocated: nothing is left, and a note says why the
    rows exceed the supply. Allocated is the exact sum, rounded (qa31-totals): 60,000."""
    pf = load_portfolio(QA6 / "portfolios" / "pacific-cont.yaml")
    source = _source(pf, *(f"cont-{name}" for name in PACKAGES))
    assert not source.checked.violations
    md = _markdown(portfolio_memo_document(source))
    allocation = {row[0]: [_number(c) for c in row[1:]] for row in _table(md, "## Allocation")}
    codes = ["NZ", "CL", "MX", "ZA"]
    assert sum(allocation[c][0] for c in codes) == allocation["Supply"][0] + 1
    assert allocation["Allocated"][0] == allocation["Supply"][0]
    assert allocation["Unallocated"] == [0, 0, 0, 0]
    assert "-1" not in md
    assert (
        "\n\nEach amount is rounded to the H100e on its own, so the rows add up to 60,001 in "
        "2027Q1, where Allocated is their exact sum, rounded; unrounded, that supply is "
        "allocated in full.\n"
    ) in md


def test_supply_with_less_than_a_step_left_is_used_up_not_fully_allocated(
    pacific: Portfolio, solved: SolveResult
) -> None:
    """In steps of 256 B200 (582 H100e) the deals leave 42, 100, 40 and 85 H100e of the
    quarters' supply, which the allocation prints as unallocated; its "Limits that bind"
    said "Supply is fully allocated in 2027Q1, 2027Q2, 2027Q3 and 2027Q4", and `solve`
    and the options memo "Supply in 2027Q1 is fully allocated (60,000 H100e)"."""
    source = _source(pacific, *PACKAGES)
    md = _markdown(portfolio_memo_document(source))
    free = [_number(c) for c in {r[0]: r[1:] for r in _table(md, "## Allocation")}["Unallocated"]]
    assert all(0 < x < 582 for x in free)
    assert "fully allocated" not in md
    assert (
        "- Supply is used up in 2027Q1–2027Q4, with less than one step "
        "(256 B200 chips, 582 H100e) left (H100e: "
        + ", ".join(f"{x:,} in {t}" for x, t in zip(free, pacific.periods, strict=True))
        + ")."
    ) in md
    messages = [limit.message for limit in solved.binding if limit.kind == "supply"]
    assert messages[0] == (
        "Supply in 2027Q1 is used up (60,000 H100e), with less than one step "
        "(256 B200 chips, 582 H100e) left."
    )


def test_an_options_memo_says_once_what_binds_in_several_periods(
    pacific: Portfolio, solved: SolveResult
) -> None:
    """The options memo described the accord option with one sentence per quarter
    ("Binding: Supply in 2027Q1 is used up ... Supply in 2027Q2 is used up ...", four
    times the same words), where `solve` prints one line for the four."""
    from dealbench.analyze.compare import regime_row
    from dealbench.analyze.memo import describe

    text = describe(regime_row(pacific, solved))
    assert text.count("Supply") == 1
    assert (
        " Binding: Supply is used up in 2027Q1–2027Q4, with less than one "
        "step (256 B200 chips, 582 H100e) left." in text
    )


# --- redlines -------------------------------------------------------------------------------


def internal_redline(
    pf: Portfolio, old: Package, new: Package, labels: tuple[str, str], fmt: str
) -> str:
    """The internal redline from `old` to `new`, rendered as `fmt`."""
    doc = redline_document(
        pf, old, new, labels=labels, path="redlines/CL-redline", audience="internal"
    )
    [text] = [f.data.decode() for f in render_document(doc, fmt) if f.path.endswith(fmt)]
    return text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_redline_between_two_equal_offers_says_nothing_changed(
    pacific: Portfolio, fmt: str
) -> None:
    """A time-dependent strategy whose next target no better package meets offers the
    same package again (CL's rounds 1 and 3), and `offer` writes the redline between
    them. It read "Deleted text is struck through; inserted text is bold. 0 terms
    changed, 0 added, 0 removed.": a legend for marks that are not there, and counts of
    nothing."""
    offer = load_package(QA6 / "packages" / "cl.yaml", pacific)
    text = internal_redline(pacific, offer, offer, ("US offer, round 1", "US offer, round 3"), fmt)
    assert "0 terms changed" not in text
    assert "struck through" not in text
    assert (
        "No term changed: both versions state the same compute schedule, security "
        "conditions and commitments."
    ) in text
    # Where terms change, the legend and the counts stay.
    old = load_package(QA6 / "packages" / "cl-offer.yaml", pacific)
    new = load_package(QA6 / "packages" / "cl-counter.yaml", pacific)
    text = internal_redline(pacific, old, new, ("offer", "counter"), fmt)
    assert "No term changed" not in text
    assert "4 terms changed, 1 replaced, 0 added, 0 removed." in text


# --- page breaks ----------------------------------------------------------------------------


def test_a_glossary_term_is_never_left_at_the_foot_of_a_page(pacific: Portfolio) -> None:
    """CL's internal term sheet, as PDF, ended page 5 with the glossary's term "US utility"
    and began page 6 with its meaning: a term was split from its definition."""
    import io

    from dealbench.render.glossary import glossary

    pypdf = pytest.importorskip("pypdf")
    source = _source(pacific, *PACKAGES)
    doc = term_sheet_document(source, "CL", "internal")
    [pdf] = render_document(doc, "pdf")
    pages = pypdf.PdfReader(io.BytesIO(pdf.data)).pages
    terms = {entry["term"] for entry in glossary()}
    assert "Glossary" in pages[-1].extract_text() or "Glossary" in pages[-2].extract_text()
    for number, page in enumerate(pages[:-1], 1):
        text = page.extract_text(extraction_mode="layout")  # in reading order
        lines = [x.strip() for x in text.splitlines() if x.strip()]
        body = [x for x in lines if not x.startswith(("DB-", "INTERNAL"))]  # header, footer
        assert body[-1] not in terms, (number, body[-1])


# --- the deal memo's words for what the Partner gives ------------------------------------


@pytest.mark.parametrize(
    ("name", "said"),
    [
        # lithium 10% (cost $120m) and opening procurement to PRC vendors (-$150m)
        ("cl-counter", "and its commitments, on balance, gain it $30.0m rather than cost it."),
        ("nz-bare", "and makes no commitments for it."),
    ],
)
def test_a_deal_memo_never_says_the_partner_pays_a_negative_or_zero_price(
    pacific: Portfolio, name: str, said: str
) -> None:
    """CL's counter opens procurement to PRC vendors, a commitment it wants (cost -$150m),
    beside a lithium offtake ($120m): its deal memo said the Partner "pays -$30.0m in
    commitments for it". A package without commitments "pays $0 in commitments", and
    standard conditions "cost the Partner $0"."""
    source = _source(pacific, name)
    md = _markdown(deal_memo_document(source, source.checked.deals[0].partner))
    line = next(x for x in md.splitlines() if "values the compute at" in x)
    assert line.endswith(said)
    assert "pays -$" not in md and "pays $0" not in md and "Partner $0" not in md


def test_a_portfolio_memo_of_one_deal_among_many_partners_speaks_of_one(
    pacific: Portfolio,
) -> None:
    """Under a regime that leaves only NZ a deal, the portfolio memo said "Conclude 1 deal
    (NZ) on the packages below", "together they clear their walk-away values ... by
    $173.1m" (NZ alone does), "The deals carry 327 risk-weighted H100e" and "The largest
    share of risk is NZ's: ... (100.0% of the total)"."""
    source = _source(pacific, "nz")
    assert [d.partner for d in source.checked.deals] == ["NZ"]
    md = _markdown(portfolio_memo_document(source))
    assert "Conclude 1 deal (NZ) on the package below:" in md
    assert "together they" not in md
    assert "NZ, the one partner with a deal, has a utility of" in md
    assert "; it clears its walk-away value and required margin" in md
    assert "- The deal carries 262 risk-weighted H100e of a budget of 9,000" in md
    assert "The deals carry" not in md and "largest share of risk" not in md


# --- money as printed --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "printed"),
    [
        (999_960_000, "$1.00bn"),  # was $1,000.0m
        (-999_960_000, "-$1.00bn"),
        (999_996_000_000, "$1.00tn"),  # was $1,000.00bn
        (999_999.7, "$1.0m"),  # was $1,000,000
        (999_949_999, "$999.9m"),  # stays in millions: it does not round up to a billion
        (996_000_000, "$996.0m"),
        (-0.4, "$0"),  # was -$0
    ],
)
def test_money_is_printed_in_the_unit_it_rounds_to(amount: float, printed: str) -> None:
    """A US utility of $999.96m was printed "$1,000.0m" (and $999.996bn "$1,000.00bn"): the
    unit was chosen before rounding. A half dollar below zero printed "-$0", and a half
    dollar above it, signed, "+$0" (a half dollar now rounds away from zero, to $1)."""
    from dealbench.render.filters import money

    assert money(amount) == printed
    assert money(amount, signed=True) == (
        printed if printed.startswith(("-", "$0")) else "+" + printed
    )
    assert money(0.4, signed=True) == "$0"


# --- the rounds' documents ------------------------------------------------------------------


def test_a_rounds_term_sheets_say_whose_proposal_they_are(run: Runner, tmp_path: Path) -> None:
    """`offer` and `counter` write each round's term sheets; they read "Non-binding. Draft
    for discussion. Proposal." whoever proposed, where `render` of the same package with
    its side says "Proposal of the Partner." (a counter) or "Proposal of the United
    States." (an offer): the round file holds the side beside the package, not in it."""
    data = tmp_path / "data"
    shutil.copytree(QA6, data)
    pf = data / "portfolios" / "pacific.yaml"
    rounds, out = tmp_path / "rounds", tmp_path / "out"
    common = ("--rounds", rounds, "--out", out, "--date", "2027-01-10")
    offer = data / "packages" / "cl-offer.yaml"
    assert run("offer", pf, "--partner", "CL", "--package", offer, *common).exit_code == 0
    counter = data / "packages" / "cl-counter.yaml"
    assert run("counter", pf, counter, *common).exit_code == 0
    sheets = out / "term-sheets"
    for stem, status in [
        ("CL-offer-001", "Proposal of the United States."),
        ("CL-counter-002", "Proposal of the Partner."),
    ]:
        for suffix in ("", "-internal"):
            text = (sheets / f"{stem}{suffix}.md").read_text()
            assert f"*Non-binding. Draft for discussion. {status}*" in text, stem + suffix


def test_uncertain_figures_of_a_partner_without_a_package_are_not_said_to_be_in_one(
    pacific: Portfolio,
) -> None:
    """Under the open regime CL gets no package, yet the memo said "Uncertain figures
    count at their means in these packages: CL's batna (...)... The margins above hold at
    the means only": CL is in no package and has no margin above."""
    alone = _markdown(portfolio_memo_document(_source(pacific, "nz")))
    assert "in these packages: CL's" not in alone
    assert (
        "- Partners without a package have uncertain figures too, taken at their means "
        "here: CL's walk-away value (uniform 200m to 600m; mean 400m)"
    ) in alone
    together = _markdown(portfolio_memo_document(_source(pacific, *PACKAGES)))
    assert "count at their means in these packages: CL's walk-away value" in together
    assert "without a package" not in together


@pytest.mark.parametrize(("name", "listed"), [("cl-counter", False), ("cl-offer", True)])
def test_a_deal_names_only_the_uncertain_figures_its_package_uses(
    pacific: Portfolio, name: str, listed: bool
) -> None:
    """CL's counter grants the lithium offtake at 10% (`small`); its deal memo and internal
    term sheet said that the cost of the 25% level (`large`, given as a normal
    distribution) "counts at its mean in this package". Our offer grants `large`: there
    it counts."""
    source = _source(pacific, name)
    large = "cost of Lithium offtake for US battery makers at level large (normal, mean 400m"
    for doc in (deal_memo_document(source, "CL"), term_sheet_document(source, "CL", "internal")):
        md = _markdown(doc)
        assert "Uncertain figures count at their means in this package: CL's walk-away value" in md
        assert (large in md) is listed


def test_a_portfolio_memo_names_only_the_uncertain_figures_its_packages_use(
    pacific: Portfolio,
) -> None:
    """The same in the portfolio memo: with CL's counter (the 10% offtake) among the
    packages, it said the 25% level's uncertain cost "counts at its mean in these
    packages"."""
    md = _markdown(portfolio_memo_document(_source(pacific, "nz", "cl-counter")))
    line = next(x for x in md.splitlines() if "in these packages" in x)
    assert "CL's walk-away value (uniform 200m to 600m; mean 400m), value per H100e" in line
    assert "lithium-offtake.large" not in md


def test_a_counters_memo_against_an_unnamed_offer_does_not_name_it_our_offer(
    run: Runner, tmp_path: Path
) -> None:
    """`render --doc deal-memo --against cl-offer.yaml` (an offer with neither title nor
    round) said "Compared with our last offer (our offer), it is $1.30bn worse ..."."""
    pf = QA6 / "portfolios" / "pacific.yaml"
    counter, offer = QA6 / "packages" / "cl-counter.yaml", QA6 / "packages" / "cl-offer.yaml"
    args = ("--portfolio", pf, "--doc", "deal-memo", "--against", offer, "--out", tmp_path)
    assert run("render", counter, *args).exit_code == 0
    [memo] = (tmp_path / "memos").glob("*.md")
    text = memo.read_text()
    assert "Compared with our last offer, it is $1.30bn worse for the United States" in text
    assert "(our offer)" not in text


def test_a_partner_at_its_own_cap_receives_its_own_cap(pacific: Portfolio) -> None:
    """With MX's deal-by-deal cap under audit at 5,000 H100e a quarter, a package at it
    was described "MX receives MX's own cap under audit (5,000 H100e) in ...": the
    partner named twice in one clause."""
    pf = pacific.model_copy(update={"caps": {"MX": {"audit": 5_000.0}}})
    package = load_package(QA6 / "packages" / "mx.yaml", pf).model_copy(
        update={"compute": {"2027Q1": 5_000.0, "2027Q2": 5_000.0}}
    )
    source = source_from_packages(pf, [package], origin="qa6")
    md = _markdown(term_sheet_document(source, "MX", "internal"))
    assert (
        "- MX receives its own cap under audit (5,000 H100e) in 2027Q1 and 2027Q2, less than "
        "it asks for."
    ) in md
    assert "MX's own cap" not in md


@pytest.mark.parametrize("audience", ["external", "internal"])
def test_a_term_sheet_without_compute_does_not_offer_up_to_0_h100e(
    pacific: Portfolio, audience: Audience
) -> None:
    """NZ's package of concessions alone (a joint audit, no compute) had a term sheet whose
    section 4 read "The United States will consider licences for delivered compute of up
    to 0 H100e (0 TPP) over the term, in the tranches of Annex A"."""
    source = _source(pacific, "nz-none")
    md = _markdown(term_sheet_document(source, "NZ", audience))
    assert "up to 0 H100e" not in md
    assert (
        "This memorandum schedules no delivered compute: Annex A lists no tranche, and the "
        "United States considers no licence under it."
    ) in md
    with_compute = _markdown(term_sheet_document(_source(pacific, "nz"), "NZ", audience))
    assert "consider licences for delivered compute of up to 21,793 H100e" in with_compute


def test_a_deal_memo_of_a_partner_without_diversion_risk_cuts_no_risk() -> None:
    """NZ with a diversion-risk index of 0: its deal memo said audit conditions "cut the
    risk-weighted compute from 0 to 0 H100e, avoiding $0 of risk penalty", that each H100e
    "costs $0 in expected risk", and that audit "mitigate[s] 40% of the risk, leaving 0
    risk-weighted H100e, 0.0% of the risk budget"."""
    pf = load_portfolio(QA6 / "portfolios" / "zero-risk.yaml")
    md = _markdown(deal_memo_document(_source(pf, "nz"), "NZ"))
    assert "from 0 to 0" not in md and "$0 of risk penalty" not in md
    assert "costs $0" not in md and "leaving 0 risk-weighted" not in md
    assert (
        "- Security: audit conditions cost the Partner $5.0m; NZ's diversion-risk index is 0, "
        "so there is no risk for them to mitigate."
    ) in md
    assert "and costs nothing in expected risk (net +$9,500 per H100e)." in md
    assert "(a score from 0 to 1, not a probability); the package carries no risk-weighted" in md


def test_a_portfolio_memo_lists_periods_and_partners_as_sentences_do(
    pacific: Portfolio,
) -> None:
    """The portfolio memo said "Supply is used up in 2027Q1, 2027Q2, 2027Q3, 2027Q4: every
    H100e ..." three lines above "Supply is used up in 2027Q1, 2027Q2, 2027Q3 and 2027Q4,
    with ...", and "Offer no package to KP, VN.": lists in sentences end with "and"."""
    md = _markdown(portfolio_memo_document(_source(pacific, *PACKAGES)))
    assert "Offer no package to KP and VN." in md
    assert "- Supply is used up in 2027Q1–2027Q4: every H100e" in md
    assert "2027Q3, 2027Q4:" not in md


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_redline_says_a_term_moves_no_risk_as_unchanged(pacific: Portfolio, fmt: str) -> None:
    """The internal redline of CL's counter said of the lithium offtake cut from 25% to 10%
    "Moves: US utility -$500.0m; partner utility +$280.0m; risk 0 risk-weighted H100e.":
    a concession moves no risk, and "risk 0" read as a figure."""
    old = load_package(QA6 / "packages" / "cl-offer.yaml", pacific)
    new = load_package(QA6 / "packages" / "cl-counter.yaml", pacific)
    doc = redline_document(
        pacific, old, new, labels=("offer", "counter"), path="redlines/x", audience="internal"
    )
    [text] = [f.data.decode() for f in render_document(doc, fmt) if f.path.endswith(fmt)]
    assert "risk 0 risk-weighted" not in text
    assert "Moves: US utility -$500.0m; partner utility +$280.0m; risk unchanged." in text
    assert "Moves: US utility +$86.0m; partner utility +$240.0m; risk +60 risk-weighted" in text
