"""A principal's documents, read in every format on the shipped data (qa31-docs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.model import load_partner
from dealbench.model.names import in_text
from dealbench.render.documents import render_document
from dealbench.render.environment import render_clause
from dealbench.render.termsheet import _partner_ctx
from helpers import Runner

ROOT = Path(__file__).resolve().parents[1]
DEALS = ROOT / "deals"
PARTNER_FILES = sorted((DEALS / "partners").rglob("*.yaml"))


def _clauses(partner: object) -> list[str]:
    out = []
    for concession in partner.concessions:  # type: ignore[attr-defined]
        if concession.clause is None:
            continue
        for option in concession.options:
            context = {
                "level": {"id": option.id, "title": option.title, "amount": None},
                "partner": _partner_ctx(partner),  # type: ignore[arg-type]
                "concession": {"id": concession.id, "title": concession.title},
            }
            out.append(render_clause(concession.clause, context, "test"))
    return out


@pytest.mark.parametrize("path", PARTNER_FILES, ids=lambda p: str(p.relative_to(DEALS)))
@pytest.mark.parametrize("name", ["Ghana", "Netherlands"])
def test_the_shipped_clauses_say_any_partners_name_with_its_own_article(
    path: Path, name: str
) -> None:
    """A shipped partner file copied for another country (its name changed, nothing else)
    reads right: "The Ghana will invest" or "Netherlands will invest" was the clauses'
    hand-written article, right only for the name they were written for."""
    partner = load_partner(path).model_copy(update={"name": name})
    texts = _clauses(partner)
    assert texts, f"{path.name} has no clause naming its partner"
    named = [t for t in texts if name in t]
    assert named, f"no clause of {path.name} names its partner"
    for text in named:
        assert "the Ghana" not in text and "The Ghana" not in text, text
        for i in range(len(text)):
            if text.startswith("Netherlands", i):
                assert text[max(0, i - 4) : i] in ("the ", "The "), text
    assert in_text("Netherlands") == "the Netherlands"


def _rounds_copy(tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    deals = Path(shutil.copytree(DEALS, tmp_path / "deals"))
    return deals / "portfolios" / "gulf-asia.yaml", deals / "rounds" / "gulf-asia"


def test_conclude_writes_the_terms_agreed_as_the_deals_final_term_sheets(
    tmp_path: Path, run: Runner
) -> None:
    """`conclude` recorded the outcome and wrote nothing a principal signs: the term sheet
    of the terms agreed was only on the web's round page. It now renders them as `offer`
    renders its offer (the same renderer, the round's documents), named for the
    concluding round (AE-agreed-005, not the offer's or counter's name)."""
    from dealbench.model import load_portfolio
    from dealbench.negotiate.documents import round_documents
    from dealbench.negotiate.rounds.read import load_negotiation

    portfolio, rounds = _rounds_copy(tmp_path)
    out = tmp_path / "docs"
    done = run(
        "conclude", portfolio, "--partner", "AE", "--round", "4", "--rounds", rounds,
        "--date", "2026-03-30", "--out", out, "--format", "md,docx",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("term-sheets/*"))
    assert names == [
        "term-sheets/AE-agreed-005-internal.docx",
        "term-sheets/AE-agreed-005-internal.md",
        "term-sheets/AE-agreed-005.docx",
        "term-sheets/AE-agreed-005.md",
    ]
    assert "wrote " in done.stdout and "AE-agreed-005.md" in done.stdout
    text = (out / "term-sheets" / "AE-agreed-005.md").read_text()
    assert "Terms agreed by the Participants." in text
    assert "DB-TS-GULF-ASIA-AE-AGREED-" in text
    # the same document the web's page of the concluding round renders
    pf = load_portfolio(portfolio)
    current = load_negotiation(pf, rounds, "AE").rounds[-1]
    docs = round_documents(pf, "AE", current, None)
    external = next(d for d in docs if d.path == "term-sheets/AE-agreed-005")
    assert render_document(external, "md")[0].data.decode() == text


def test_conclude_with_a_bad_format_records_nothing(tmp_path: Path, run: Runner) -> None:
    """Its documents are checked before the round is recorded, as `offer`'s are."""
    portfolio, rounds = _rounds_copy(tmp_path)
    before = sorted(p.name for p in (rounds / "AE").iterdir())
    done = run("conclude", portfolio, "--partner", "AE", "--rounds", rounds, "--format", "odt")
    assert done.exit_code == 2 and not done.traceback
    assert sorted(p.name for p in (rounds / "AE").iterdir()) == before
    quiet = run(
        "conclude", portfolio, "--partner", "AE", "--rounds", rounds, "--no-documents",
        "--out", tmp_path / "none",
    )  # fmt: skip
    assert quiet.exit_code == 0, quiet.stderr
    assert not (tmp_path / "none").exists()


CORRIDOR = ROOT / "tests" / "data" / "qa30neg" / "portfolios" / "corridor.yaml"


@pytest.mark.parametrize(
    ("code", "security", "amount", "concessions"),
    [
        ("VN", "standard", 4_000, {"invest-us": "2bn"}),
        ("VN", "screened", 3_000, {}),
        ("PH", "screened", 2_000, {}),
    ],
)
def test_the_verdicts_frontier_package_is_in_the_portfolios_steps(
    code: str, security: str, amount: float, concessions: dict[str, object]
) -> None:
    """The corridor decides compute in steps of 500 H100e; the verdict's "the US could get
    ... with ..." named VN's package with "2027Q4 8,800" and PH's with "2027Q4 1,142.857143":
    the exact one-partner curves treat compute as continuous, and the package was their
    greedy fill. The point is now the optimizer's, on the step, still giving the partner at
    least what the counter gives it."""
    from dealbench.checker import evaluate
    from dealbench.model import load_portfolio
    from dealbench.model.package import Package
    from dealbench.negotiate.plan import replan
    from dealbench.negotiate.verdict import frontier_gap

    pf = load_portfolio(CORRIDOR)
    compute = dict.fromkeys(pf.periods, float(amount))
    package = Package(partner=code, security=security, compute=compute, concessions=concessions)
    figures = evaluate(pf, package)
    gap = frontier_gap(pf, replan(pf, {}), code, figures)
    assert gap.package is not None and not gap.on_frontier
    partner = pf.partner(code)
    assert partner is not None
    for t, x in gap.package.compute.items():
        limit = min(pf.ask(partner, t), pf.supply[t])
        assert x % 500 == 0 or x == round(limit), (t, x)
    assert gap.partner_utility >= figures.partner_utility - 1.0
    assert evaluate(pf, gap.package).us_value == pytest.approx(gap.us_utility, abs=1.0)


def test_the_deal_memos_security_trade_off_says_what_its_amount_compares(
    run: Runner, tmp_path: Path
) -> None:
    """VN's counter (26,000 H100e under screened, the corridor's standard cap 4,000 a
    quarter): "screened conditions ... cut the risk-weighted compute from 13,780 to 5,512
    H100e, avoiding $826.8m of risk penalty" set the package against the same compute
    under standard, which standard's cap would not allow, as a saving. The line now says
    what the figures are, and that the cap holds the weaker level's schedule to 16,000."""
    package = tmp_path / "vn.yaml"
    package.write_text(
        "partner: VN\nsecurity: screened\n"
        "compute: {2027Q1: 6000, 2027Q2: 6000, 2027Q3: 7000, 2027Q4: 7000}\n"
        "concessions: {invest-us: 3bn, evasion-enforcement: true}\n"
    )
    out = tmp_path / "out"
    done = run("render", package, "--portfolio", CORRIDOR, "--doc", "deal-memo", "--out", out)
    assert done.exit_code == 0, done.stderr
    memo = next((out / "memos").glob("*.md")).read_text()
    line = next(x for x in memo.splitlines() if x.startswith("- Security:"))
    assert line == (
        "- Security: screened conditions cost the Partner $60.0m and mitigate 60% of the "
        "diversion risk: the package's 26,000 H100e carry 5,512 risk-weighted H100e, where "
        "under standard conditions they would carry 13,780 ($826.8m more risk penalty), but "
        "the tier 2 cap under standard (4,000 H100e a quarter) would allow only 16,000 H100e "
        "of them."
    )
    # 0.53 x 26,000 = 13,780 under standard (mitigation 0), x 0.4 = 5,512 under screened;
    # (13,780 - 5,512) x the corridor's penalty of $100k = $826.8m


COVE = ROOT / "tests" / "data" / "qa30analyst" / "cove.yaml"


def test_a_risk_total_reads_the_same_in_every_table_and_says_how_its_rows_add_up(
    run: Runner, tmp_path: Path
) -> None:
    """cove under tiered: the deals' risks print 5,917, 2,756 and 4,440 (exactly 13,113.5
    in all). The memos totalled them 13,113 and `compare`'s table and `solve` 13,114: a
    reader setting the table beside the memo saw a unit apart. A total across deals is now
    the exact figure, rounded, everywhere (qa31-totals); the memo's note says what its rows
    add up to as printed."""
    import re

    tiered = ROOT / "deals" / "policy" / "tiered.yaml"
    solved = run("solve", COVE, "--policy", tiered)
    assert solved.exit_code == 0, solved.stderr
    rows = [line.split() for line in solved.stdout.splitlines() if re.match(r" [A-Z]{2} ", line)]
    assert [r[-1] for r in rows] == ["5,917", "2,756", "4,440"]
    assert "Risk (risk-weighted H100e): 13,114 (no budget)" in solved.stdout
    out = tmp_path / "cmp"
    compared = run("compare", COVE, "--regimes", "tiered", "--out", out, "--render", "md")
    assert compared.exit_code == 0, compared.stderr
    risk_row = next(x for x in compared.stdout.splitlines() if "Risk (weighted H100e)" in x)
    assert "13,114" in risk_row
    memo = (out / "memos" / "principals-cove-tiered.md").read_text()
    assert "| **Total** | | **350,000** | | **$8.73bn** | | | **13,114** |" in memo
    assert "as printed the rows add up to 13,113 risk-weighted H100e." in memo


def test_the_shipped_house_clause_says_the_partners_name_with_its_article(
    run: Runner, tmp_path: Path
) -> None:
    """deals/house/ (the house templates example) read "tells the other first, and United
    Arab Emirates and the United States each name one official": its clause wrote the
    name bare. It now says it through the `in_text` filter."""
    out = tmp_path / "out"
    done = run(
        "render", DEALS / "packages" / "ae-offer.yaml", "--portfolio",
        DEALS / "portfolios" / "gulf-asia.yaml", "--templates", DEALS / "house", "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    text = next((out / "term-sheets").glob("*.md")).read_text()
    assert "and the United Arab Emirates and the United States each name one official" in text
