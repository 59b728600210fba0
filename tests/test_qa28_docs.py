"""Documents read again, JSON among them (qa28-docs).

Every document kind in every format, the JSON documents above all: an external document
a negotiator sends to the partner carries no internal figure in any format, and a JSON
document is the render model a script reads, deterministic and plain.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from dealbench.model.load import load_portfolio
from dealbench.model.load_package import load_package
from dealbench.render.documents import json_document, redline_document, term_sheet_document
from dealbench.render.sources import source_from_packages
from helpers import REPO


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _deals_titled(folder: Path, portfolio: str, policy: str) -> Path:
    """A copy of the shipped deals/ whose gulf-asia portfolio and bilateral policy carry
    the titles given: the user's own words, here naming internal figures."""
    shutil.copytree(REPO / "deals", folder)
    pf = folder / "portfolios/gulf-asia.yaml"
    text = pf.read_text()
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    pf.write_text(text.replace(old, f"title: {portfolio!r}"))
    pol = folder / "policy/bilateral.yaml"
    text = pol.read_text()
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    pol.write_text(text.replace(old, f"title: {policy!r}"))
    return pf


def test_an_external_documents_json_carries_no_title_or_fingerprint_its_markdown_does_not(
    tmp_path: Path,
) -> None:
    """The JSON of an external term sheet (and redline) carried `doc.portfolio`,
    `doc.regime` and `doc.fingerprint`, which no external format prints: a portfolio titled
    "Gulf: AE walk-away USD 8bn" sent the partner its walk-away value in the JSON alone.
    An external document's `doc` block now holds only what its every format shows."""
    pf_path = _deals_titled(
        tmp_path / "deals", "Gulf: AE walk-away USD 8bn", "Bilateral, risk penalty 150k"
    )
    pf = load_portfolio(pf_path)
    offer = load_package(REPO / "deals/packages/ae-offer.yaml", pf)
    counter = load_package(REPO / "deals/packages/ae-counter.yaml", pf)
    source = source_from_packages(pf, [offer], origin="ae-offer.yaml")
    docs = {
        audience: term_sheet_document(source, "AE", audience)
        for audience in ("external", "internal")
    }
    docs["redline"] = redline_document(
        pf, offer, counter, labels=("offer", "counter"), path="redline", audience="external"
    )
    for name in ("external", "redline"):
        data = json.loads(json_document(docs[name]).data)
        text = "\n".join(_strings(data))
        assert "walk-away" not in text and "risk penalty" not in text, name
        assert not {"fingerprint", "regime", "portfolio"} & set(data["doc"]), name
        assert docs[name].context["doc"]["id"] in text  # the id, as the Markdown prints it
    internal = json.loads(json_document(docs["internal"]).data)["doc"]
    assert internal["portfolio"] == "Gulf: AE walk-away USD 8bn"
    assert internal["regime"] == "Bilateral, risk penalty 150k"
    assert len(internal["fingerprint"]) == 16


def test_every_json_document_opens_with_its_doc_block() -> None:
    """The options memo's JSON put `doc` (what the document is: kind, id, audience) after
    its regimes and partners, hundreds of lines down, where every other kind has it first.
    `json_document` now writes `doc` first and `charts` last, whatever the model's order."""
    from dealbench.render.documents import Document
    from dealbench.render.naming import Identity

    meta = {"kind": "options-memo", "id": "DB-OM-X", "date": None}
    ident = Identity("options-memo", "x", "", "", "internal", "comparison of regimes")
    doc = Document("options-memo", "memos/options-x", {"regimes": [], "doc": meta}, identity=ident)
    data = json.loads(json_document(doc).data)
    assert list(data) == ["doc", "regimes", "charts"]


def test_a_date_where_text_goes_is_named_as_written_not_as_python_writes_it(
    tmp_path: Path,
) -> None:
    """A package titled `2026-05-01` (YAML reads a date) was refused with "input should be
    a valid string, got datetime.date(2026, 5, 1)": Python's words. It says the date."""
    from dealbench.errors import InputError

    package = tmp_path / "odd.yaml"
    text = (REPO / "deals/packages/ae-offer.yaml").read_text()
    package.write_text("title: 2026-05-01\n" + text)
    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    try:
        load_package(package, pf)
    except InputError as exc:
        message = str(exc)
    else:  # pragma: no cover - the test's premise
        raise AssertionError("a date as a title was accepted")
    assert "got the date 2026-05-01" in message and "datetime" not in message, message


def test_a_word_table_too_narrow_for_a_long_word_keeps_its_figures_whole() -> None:
    """A portfolio memo's DOCX whose partner name has one long word (`<b>d'Ivoire</b>`)
    had no room for every column's narrowest text, and every column shrank alike: the
    total row's "2,459,994" and "$58.16bn" broke over two lines (LibreOffice, Word). The
    long word breaks now, as Word breaks a word wider than its cell; figures keep theirs."""
    from dealbench.render.word_tables import CELL_MARGINS_PT, CellText, column_widths, text_width

    size = 7.9
    figures = ["2,459,994", "$58.16bn", "+$52.25bn", "+$27.95bn", "98,460", "1,799,994"]
    rows = [
        [CellText(("Côte <b>d'Ivoire</b>&*Sons*|\\\\{{7*7}}_x_(XQ)",))]
        + [CellText((f,), bold=True, nowrap=True) for f in figures]
    ]
    widths = column_widths(rows, 1 + len(figures), size, 450.0, stretch=True)
    assert sum(widths) <= 450.0 + 1e-6
    for figure, width in zip(figures, widths[1:], strict=True):
        assert width >= text_width(figure, size, bold=True) + CELL_MARGINS_PT - 1e-6, figure


def _numbers(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [float(value)]
    return []


def test_no_external_json_document_holds_an_internal_figure_of_its_deals() -> None:
    """Every external document of the demo (term sheets, redlines) as JSON: no number in it
    is a walk-away value, utility, margin, risk or risk penalty of its deal, nor the US
    value or partner cost of one of its concessions; no key names one. The JSON is the
    render model itself, so this holds what every other format's leak check holds."""
    from dealbench.checker import evaluate
    from dealbench.model.concession import GRANTED
    from golden.support import COUNTER, OFFER, demo_source, external_documents

    source = demo_source()
    pf = source.portfolio
    shipped = [evaluate(pf, load_package(p, pf)) for p in (OFFER, COUNTER)]
    for doc in external_documents(source):
        data = json.loads(json_document(doc).data)
        code = data["partner"]["code"]
        deals = shipped if doc.kind == "redline" else [source.deal(code)]
        figures = set()
        for deal in deals:
            figures |= {
                deal.us_value, deal.partner_utility, deal.batna, deal.us_batna,
                deal.us_margin, deal.partner_margin, deal.acceptance_threshold,
                deal.compute_value, deal.concession_cost, deal.security_cost,
                deal.export_value, deal.risk_penalty, deal.us_concession_value, deal.risk,
            }  # fmt: skip
            partner = pf.partner(code)
            assert partner is not None
            for cid, level in deal.concessions.items():
                concession = partner.concession(cid)
                assert concession is not None
                option = concession.option(GRANTED if level is True else str(level))
                assert option is not None
                figures |= {option.us_value, option.partner_cost}
        figures = {f for f in figures if isinstance(f, float) and abs(f) > 1.0}
        leaks = [n for n in _numbers(data) if any(abs(n - f) < 0.5 for f in figures)]
        assert not leaks, (doc.path, leaks)
        keys = json.dumps(data)
        for word in ('"us_value"', '"batna"', '"risk"', '"internal": {', "margin"):
            assert word not in keys, (doc.path, word)
