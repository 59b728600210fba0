"""The render model and the template layer: filters, clauses, house templates, escaping.

Fast tests on the tiny portfolio (tests/data/tiny) and the demo's pinned result.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from dealbench.checker import evaluate
from dealbench.errors import ArgumentError, RenderError
from dealbench.model import Package, load_portfolio
from dealbench.render import (
    documents_for,
    render_clause,
    render_document,
    render_template,
    source_from_packages,
)
from dealbench.render.filters import h100e, long_date, money, percent, tpp
from dealbench.render.redline import segments
from dealbench.render.sources import Source
from golden.support import DATE, demo_source

TINY = Path(__file__).resolve().parent / "data" / "tiny"


def tiny_source(folder: Path = TINY, **package: object) -> Source:
    pf = load_portfolio(folder / "portfolio.yaml")
    terms = {
        "partner": "AA",
        "security": "kyc",
        "compute": {"2026": 40_000},
        "concessions": {"invest": "large", "no-prc": True},
    }
    return source_from_packages(pf, [Package(**{**terms, **package})], origin="a test package")


def texts(
    source: Source, kind: str = "term-sheet", audience: str | None = "external", **kw: object
) -> dict[str, str]:
    docs = documents_for(source, kind, audience=audience, date=DATE, **kw)  # type: ignore[arg-type]
    return {f.path: f.data.decode() for d in docs for f in render_document(d, ["md", "html"])}


# --- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "signed", "text"),
    [
        (1.4e12, False, "$1.40tn"),
        (200e9, False, "$200.00bn"),
        (350e6, True, "+$350.0m"),
        (-75_000, False, "-$75,000"),
        (0.2, True, "$0"),
        (None, False, "n/a"),
    ],
)
def test_money(amount: float | None, signed: bool, text: str) -> None:
    assert money(amount, signed=signed) == text


def test_other_filters() -> None:
    assert h100e(1234.6) == "1,235"
    assert h100e(-0.2) == "-0.2"  # below 100 to the hundredth (qa29-left)
    assert h100e(-0.004) == "0"
    assert h100e(4700, signed=True) == "+4,700"
    assert tpp(1) == "15,832"
    assert percent(0.4712) == "47.1%"
    assert long_date("2026-03-01") == "1 March 2026"
    assert long_date(None) == "Draft, undated"


# --- term sheets ---------------------------------------------------------------------------


def test_external_term_sheet_has_every_section_and_no_internal_figure() -> None:
    source = tiny_source()
    md = texts(source)["term-sheets/AA.md"]
    for heading in (
        "## 1. Participants",
        "## 2. Purpose and status",
        "## 3. Definitions",
        "## 4. Compute schedule",
        "## 5. Security conditions",
        "## 6. Commitments of the Partner",
        "## 7. Commitments of the United States",
        "## 8. Conditions, verification and reporting",
        "## 9. Consultation and resolution of differences",
        "## 10. Confidentiality",
        "## 11. Effective date, duration, amendment and termination",
        "## 12. Signature",
        "## Annex A: Compute schedule",
        "## Annex B: Security conditions",
        "## Annex C: Commitments of the Partner",
    ):
        assert heading in md
    assert "*Non-binding. Draft for discussion. Proposal.*" in md
    assert "| 2026 | 40,000 | 633,280,000 | Know-your-customer screening |" in md
    assert "6.1. **Investment in US AI infrastructure.** The Partner will invest USD 50bn" in md
    assert "Export Administration Regulations" in md
    assert "DB-TS-TINY-AA-" in md and "1 March 2026" in md
    assert "Input fingerprint" not in md  # plumbing stays internal
    deal = source.checked.deals[0]
    for figure in (deal.us_value, deal.partner_utility, deal.batna, deal.us_margin):
        assert money(figure) not in md
    assert "BATNA" not in md and "risk-weighted" not in md and "$" not in md


def test_internal_term_sheet_adds_the_valuation_annex() -> None:
    source = tiny_source()
    deal = source.checked.deals[0]
    md = texts(source, audience="internal")["term-sheets/AA-internal.md"]
    assert "Annex (internal): valuation" in md
    assert f"| **US utility** | **{money(deal.us_value)}** |" in md
    assert f"| Partner walk-away value | {money(deal.batna)} |" in md
    assert "Limits that bind:" in md
    assert "DB-TS-TINY-AA-" in md and md.count("-INT") >= 1


def test_the_same_inputs_give_the_same_fingerprint_wherever_the_files_are(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere"
    shutil.copytree(TINY, copy)
    a = texts(tiny_source())["term-sheets/AA.md"]
    b = texts(tiny_source(copy))["term-sheets/AA.md"]
    assert a == b
    c = texts(tiny_source(compute={"2026": 30_000}))["term-sheets/AA.md"]
    assert c.split("| Document |")[1][:30] != a.split("| Document |")[1][:30]


def test_dates_come_only_from_the_caller_or_the_package() -> None:
    undated = documents_for(tiny_source(), "term-sheet")[0]
    assert undated.context["doc"]["date"] is None
    assert "Draft, undated" in render_document(undated, ["md"])[0].data.decode()
    pf = load_portfolio(TINY / "portfolio.yaml")
    pkg = Package(partner="AA", security="kyc", compute={"2026": 1000}, date=dt.date(2026, 5, 4))
    src = source_from_packages(pf, [pkg], origin="x", date=pkg.date)
    assert documents_for(src, "term-sheet")[0].context["doc"]["date"] == "2026-05-04"
    assert documents_for(src, "term-sheet", date=DATE)[0].context["doc"]["date"] == "2026-03-01"


def test_memos_are_internal_only() -> None:
    with pytest.raises(ArgumentError, match="internal document"):
        documents_for(tiny_source(), "deal-memo", audience="external")


# --- memos --------------------------------------------------------------------------------


def test_portfolio_memo_has_recommendation_tables_charts_limits_and_risks() -> None:
    md = texts(demo_source(), "portfolio-memo", audience=None)["memos/portfolio-gulf-asia.md"]
    for part in (
        "## Recommendation",
        "## The packages",
        "## Allocation",
        "## Trade-offs",
        "## Limits that bind",
        "## Risks",
        "charts/portfolio-gulf-asia-allocation.svg",
        "charts/portfolio-gulf-asia-value-risk.svg",
    ):
        assert part in md
    assert "Supply is fully allocated in 2026, 2027 and 2028" in md


def test_deal_memo_explains_one_deal() -> None:
    out = texts(demo_source(), "deal-memo", audience=None, partners=["AE"])
    md = out["memos/AE.md"]
    assert md.startswith(
        "**Internal: not for release to the Partner**\n\n"
        "# Deal memo: compute partnership with the United Arab Emirates"
    )
    assert "Offer the United Arab Emirates" in md and "## Trade-offs" in md
    assert "the tier 2 cap under veu" in md
    assert "<svg" in out["memos/AE.html"] and "Figure 2." in out["memos/AE.html"]


# --- escaping and the sandbox ---------------------------------------------------------------


def _hostile(tmp_path: Path, clause: str = "The Partner will invest {{ level.title }}.") -> Path:
    folder = tmp_path / "hostile"
    shutil.copytree(TINY, folder)
    partner = (folder / "aa.yaml").read_text()
    partner = partner.replace("name: Alphaland", "name: '<script>alert(1)</script> & Co'")
    partner = partner.replace(
        "clause: The Partner will invest {{ level.title }} in the United States.",
        f"clause: '{clause}'",
    )
    (folder / "aa.yaml").write_text(partner)
    return folder


def test_html_escapes_every_value_from_a_data_file(tmp_path: Path) -> None:
    folder = _hostile(tmp_path, "<img src=x onerror=alert(1)> {{ level.title }}")
    out = texts(tiny_source(folder), audience="internal")
    html = out["term-sheets/AA-internal.html"]
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "&lt;img src=x onerror=alert(1)&gt; USD 50bn" in html


def test_a_clause_cannot_reach_python_internals(tmp_path: Path) -> None:
    folder = _hostile(tmp_path, "{{ level.__class__.__mro__ }}")
    with pytest.raises(RenderError, match=r"hostile/aa.yaml: concession 'invest'"):
        texts(tiny_source(folder))


def test_a_clause_with_an_unknown_variable_names_file_and_concession(tmp_path: Path) -> None:
    folder = _hostile(tmp_path, "The Partner will invest {{ amount }}.")
    with pytest.raises(RenderError) as err:
        texts(tiny_source(folder))
    assert "aa.yaml: concession 'invest': clause uses an unknown variable" in str(err.value)
    assert "'amount' is undefined" in str(err.value)


def test_render_clause_is_sandboxed_and_strict() -> None:
    assert render_clause("{{ x | money }}", {"x": 2e9}, "here") == "$2.00bn"
    with pytest.raises(RenderError, match="here: clause"):
        render_clause("{{ ''.__class__.__subclasses__() }}", {}, "here")


# --- house templates ----------------------------------------------------------------------------


def test_house_templates_override_by_name_and_fall_back(tmp_path: Path) -> None:
    (tmp_path / "term_sheet.md.j2").write_text("HOUSE {{ doc.id }} for {{ partner.name }}\n")
    doc = documents_for(tiny_source(), "term-sheet")[0]
    files = {f.path: f.data.decode() for f in render_document(doc, ["md", "html"], str(tmp_path))}
    assert files["term-sheets/AA.md"].startswith("HOUSE DB-TS-TINY-AA-")
    assert files["term-sheets/AA.md"].endswith("for Alphaland\n")
    assert "<h2>1. Participants</h2>" in files["term-sheets/AA.html"]  # shipped, no house HTML


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "line 1\n{{ nothing.here }}\n",
            r"term_sheet.md.j2:2: unknown variable \('nothing' is undefined\)",
        ),
        ("ok\n{% if %}\n", r"term_sheet.md.j2:2: template syntax error"),
        ("{{ doc.__class__.__mro__ }}", r"term_sheet.md.j2:1: "),
        ("{{ partner.name | money }}", r"term_sheet.md.j2:1: TypeError"),
        ("{% include '/etc/passwd' %}", r"template '/etc/passwd' not found"),
    ],
)
def test_a_bad_house_template_is_a_render_error_naming_template_and_line(
    tmp_path: Path, template: str, message: str
) -> None:
    (tmp_path / "term_sheet.md.j2").write_text(template)
    doc = documents_for(tiny_source(), "term-sheet")[0]
    with pytest.raises(RenderError, match=message):
        render_document(doc, ["md"], str(tmp_path))


def test_shipped_templates_are_package_data() -> None:
    from importlib.resources import files

    names = {p.name for p in files("dealbench").joinpath("templates").iterdir()}
    for kind in ("term_sheet", "deal_memo", "portfolio_memo", "redline"):
        assert {f"{kind}.md.j2", f"{kind}.html.j2"} <= names
    assert render_template(
        "_head.md.j2",
        {
            "doc": {
                "title": "T",
                "internal": False,
                "id": "I",
                "date": None,
                "regime": "R",
                "fingerprint": "F",
                "changed": [],
                "robust": None,
                "caps": [],
            }
        },
    )


# --- redlines -------------------------------------------------------------------------------------


def test_word_diff_marks_deletions_and_insertions() -> None:
    runs = segments("invest USD 1.4tn over ten years", "invest USD 200bn over three years")
    marked = [(s["op"], s["text"]) for s in runs if s["op"] != "equal"]
    assert marked == [
        ("delete", "1.4tn"),
        ("insert", "200bn"),
        ("delete", "ten"),
        ("insert", "three"),
    ]
    assert "".join(s["lead"] + s["text"] + s["trail"] for s in runs if s["op"] != "delete") == (
        "invest USD 200bn over three years"
    )


def test_redline_annotates_each_changed_term_for_the_internal_audience_only() -> None:
    from golden.support import redlines

    ext, internal = redlines(demo_source())
    ext_md = render_document(ext, ["md"])[0].data.decode()
    int_md = render_document(internal, ["md"])[0].data.decode()
    # a changed clause is struck whole and inserted whole, not interleaved word by word
    assert (
        "6.1. ~~Investment in the United States. The United Arab Emirates will invest USD 1.4tn "
        "over ten years under the US–UAE investment framework, in AI infrastructure, "
        "semiconductors, energy and manufacturing.~~ **Investment in the United States. The "
        "United Arab Emirates will invest USD 200bn over three years"
    ) in ext_md
    assert "~~500,000~~ **600,000**" in ext_md
    # a clause replaced in its place: one number, the old struck, the new inserted
    assert "6.2. ~~Data centres operated by US companies" in ext_md
    assert "(old)" not in ext_md
    assert "Moves:" not in ext_md and "$" not in ext_md
    pf = demo_source().portfolio
    old = evaluate(pf, internal_package("ae-offer", pf))
    assert "*Moves: US utility -$60.00bn; partner utility +$36.00bn;" in int_md
    assert f"| US utility | {money(old.us_value)} |" in int_md


def internal_package(name: str, pf: object) -> Package:
    from dealbench.model import load_package
    from golden.support import DEALS

    return load_package(DEALS / "packages" / f"{name}.yaml", pf)  # type: ignore[arg-type]
