"""Session 47 (qa47-redline): what session 47's helpers noticed in documents and messages
and left: a redline's clause numbers, its partner margin, `evaluate --against`'s verdict
line, the glossary's shadow price."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

from dealbench.checker import evaluate
from dealbench.model import load_package
from dealbench.model.package import Package
from dealbench.render import render_document
from dealbench.render.documents import redline_document
from dealbench.render.filters import money
from golden.support import COUNTER, DATE, OFFER, demo_source, redlines
from helpers import REPO, Runner

GULF = REPO / "deals/portfolios/gulf-asia.yaml"
FORMATS = ["md", "html", "docx", "pdf"]

#: The shipped offer's 6.2 and the counter's 6.2, which takes its place.
US_OPERATED = "Data centres operated by US companies"
MIRROR = "An equivalent-sized data centre in the United States"


def _clauses(fmt: str, data: bytes) -> list[str]:
    """Each clause of section 6 as a reader of the format reads it, deletions marked
    `~~...~~` and insertions `**...**` (DOCX: Word's revision marks, a deletion and an
    insertion side by side, so no space between the two in any format; PDF: the text
    alone, as pdftotext reads it, a piece for each clause number)."""
    return [c.replace("~~ **", "~~**") for c in _read(fmt, data)]


def _read(fmt: str, data: bytes) -> list[str]:
    if fmt == "md":
        text = data.decode()
        return [line for line in text.splitlines() if re.match(r"(~~)?\**6\.\d", line)]
    if fmt == "html":
        text = re.sub(r'<span class="sr-only">[^<]*</span>', "", data.decode())
        text = re.sub(r"</?del>", "~~", re.sub(r"</?ins>", "**", text))
        paragraphs = re.findall(r'<p class="clause">(.*?)</p>', text, re.DOTALL)
        return [re.sub(r"<[^>]+>", "", p) for p in paragraphs]
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = z.read("word/document.xml").decode()
        out = []
        for p in re.findall(r"<w:p\b.*?</w:p>", xml, re.DOTALL):
            p = re.sub(r"<w:del\b.*?</w:del>", lambda m: f"~~{_words(m.group(0))}~~", p)
            p = re.sub(r"<w:ins\b.*?</w:ins>", lambda m: f"**{_words(m.group(0))}**", p)
            said = _words(p)
            if re.match(r"(~~)?\**6\.\d", said):
                out.append(said)
        return out
    return [c for c in _pdf_section(data).split("\n") if re.match(r"6\.\d\.", c)]


def _pdf_section(data: bytes) -> str:
    """Section 6 of a PDF as pdftotext reads it, its words on one line, and a line for each
    clause number (a screen reader's "Deleted: " and "Inserted: " dropped)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        text = subprocess.run(
            ["pdftotext", f.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    section = text[text.index("6. Commitments of the Partner") :]
    section = re.sub(r"(Deleted|Inserted): ", "", " ".join(section.split()))
    return re.sub(r" (?=6\.\d\. )", "\n", section)


def _words(xml: str) -> str:
    """A piece of a DOCX paragraph's text: its `w:t` and `w:delText`, tags and all else
    dropped (the marks `~~`/`**` put in before stay)."""
    xml = re.sub(r"<w:(?:t|delText)\b[^>]*>(.*?)</w:(?:t|delText)>", r"\1", xml)
    return re.sub(r"<[^>]+>", "", xml)


def _rendered(doc: object) -> dict[str, bytes]:
    return {f.path.rsplit(".", 1)[1]: f.data for f in render_document(doc, FORMATS)}  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def shipped() -> dict[str, dict[str, bytes]]:
    """The shipped redline of ae-offer.yaml to ae-counter.yaml, both audiences, every format."""
    ext, internal = redlines(demo_source())
    return {"external": _rendered(ext), "internal": _rendered(internal)}


# --- 1. a replaced clause: one number, the old struck through, the new inserted --------------


@pytest.mark.parametrize("audience", ["external", "internal"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_replaced_clause_is_redlined_under_its_one_number(
    shipped: dict[str, dict[str, bytes]], audience: str, fmt: str
) -> None:
    """`redline ae-offer.yaml ae-counter.yaml`: the counter puts the mirror data centres in
    6.2, where the offer had US operation. The redline read "6.2. **An equivalent-sized
    ...** (added)" among the clauses and "6.2 (old). ~~Data centres operated ...~~
    (removed)" at the end: two clauses numbered 6.2. A lawyer's redline of the two term
    sheets shows 6.2 once, the old text struck through and the new inserted under it."""
    clauses = _clauses(fmt, shipped[audience][fmt])
    assert [re.sub(r"[~*]", "", c)[:4] for c in clauses] == ["6.1.", "6.2.", "6.3.", "6.4."]
    two = clauses[1]
    assert "(old)" not in "".join(clauses)
    assert two.index(US_OPERATED) < two.index(MIRROR)
    if fmt != "pdf":  # the PDF's text has no marks; its lines are checked above
        assert two.startswith("6.2. ~~Data centres operated by US companies; compute")
        assert f"~~**{MIRROR}" in two
        assert "replaced" in two


def test_a_replaced_clause_moves_what_the_replacement_moves(
    shipped: dict[str, dict[str, bytes]],
) -> None:
    """Internal: the replaced clause's effect is the replacement applied alone to the old
    package (US operation dropped, the mirror data centres granted), evaluated by
    `check`."""
    pf = demo_source().portfolio
    old = load_package(OFFER, pf)
    concessions = {k: v for k, v in old.concessions.items() if k != "us-operated"}
    replaced = old.model_copy(update={"concessions": {**concessions, "mirror-data-centres": True}})
    base, after = evaluate(pf, old), evaluate(pf, replaced)
    us = money(after.us_value - base.us_value, signed=True)
    partner = money(after.partner_utility - base.partner_utility, signed=True)
    md = shipped["internal"]["md"].decode()
    two = md[md.index("6.2. ") :]
    effect = two[two.index("*Moves: ") :].split("\n")[0]
    assert effect == f"*Moves: US utility {us}; partner utility {partner}; risk unchanged.*"
    assert "2 terms changed, 1 replaced, 0 added, 0 removed." in md


def _redline(old: Package, new: Package, audience: str = "external") -> dict[str, bytes]:
    pf = demo_source().portfolio
    doc = redline_document(
        pf,
        old,
        new,
        labels=("US offer, round 1", "US offer, round 3"),
        path="redline",
        audience=audience,  # type: ignore[arg-type]
        date=DATE,
    )
    return _rendered(doc)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_removed_clause_strikes_its_number_and_the_clauses_after_it_are_renumbered(
    fmt: str,
) -> None:
    """An offer that drops US operation (6.2 of four): the clauses after it are 6.2 and 6.3
    of the new term sheet. Each number is redlined as the text is: the removed clause's
    struck through with it, each renumbered clause's old number struck and its new one
    inserted; no number is left standing twice."""
    pf = demo_source().portfolio
    old = load_package(OFFER, pf)
    kept = {k: v for k, v in old.concessions.items() if k != "us-operated"}
    new = old.model_copy(update={"concessions": kept, "round": 3})
    clauses = _clauses(fmt, _redline(old, new)[fmt])
    if fmt == "pdf":  # the numbers as read, each struck one before the one inserted
        assert [c[:4] for c in clauses] == ["6.1.", "6.2.", "6.3.", "6.2.", "6.4.", "6.3."]
        assert clauses[1].startswith(f"6.2. {US_OPERATED}")
        assert clauses[3].startswith("6.2. Alignment")
        return
    assert clauses[0].startswith("6.1. Investment in the United States.")
    assert clauses[1].startswith(f"~~6.2.~~ ~~{US_OPERATED}")
    assert "(removed)" in clauses[1]
    assert clauses[2].startswith("~~6.3.~~**6.2.** Alignment of national-security")
    assert clauses[3].startswith("~~6.4.~~**6.3.** No PRC-made accelerators")


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_an_added_clause_inserts_its_number(fmt: str) -> None:
    """The other way: a clause added as 6.2 inserts its number with its text, and the
    clauses after it show their old numbers struck."""
    pf = demo_source().portfolio
    new = load_package(OFFER, pf)
    kept = {k: v for k, v in new.concessions.items() if k != "us-operated"}
    old = new.model_copy(update={"concessions": kept})
    clauses = _clauses(fmt, _redline(old, new.model_copy(update={"round": 3}))[fmt])
    assert clauses[1].startswith(f"**6.2.** **{US_OPERATED}")
    assert clauses[2].startswith("~~6.2.~~**6.3.** Alignment of national-security")


# --- 2. the whole change's partner margin is signed, as every other document signs it -------


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_redlines_partner_margin_is_signed_as_the_term_sheets(
    shipped: dict[str, dict[str, bytes]], fmt: str
) -> None:
    """`redline --audience internal`: "What the whole change moves" printed the partner
    margin "$450.0m" and "$38.45bn", where the internal term sheet's valuation annex and
    the memos print it "+$450.0m" (below zero the partner would not accept: the sign is
    the point)."""
    pf = demo_source().portfolio
    old, new = evaluate(pf, load_package(OFFER, pf)), evaluate(pf, load_package(COUNTER, pf))
    was, now = money(old.partner_margin, signed=True), money(new.partner_margin, signed=True)
    assert (was, now) == ("+$450.0m", "+$38.45bn")
    text = shipped["internal"][fmt].decode()
    if fmt == "md":
        assert f"| Partner margin | {was} | {now} | +$38.00bn |" in text
    else:
        assert (
            f'<tr><th scope="row">Partner margin</th><td class="num">{was}</td>'
            f'<td class="num">{now}</td>'
        ) in text
    assert "| US utility | $89.01bn |" in shipped["internal"]["md"].decode()  # utilities unsigned


def test_a_negative_partner_margin_keeps_its_minus() -> None:
    from dealbench.figures import usd_change

    assert usd_change(-2.5e9, 1.25e9, signed=True) == ("-$2.50bn", "+$1.25bn", "+$3.75bn")
    assert usd_change(0.0, 1.25e9, signed=True)[0] == "$0"


# --- 3. evaluate --against: its verdict nests no parentheses ---------------------------------


def test_evaluate_against_a_round_says_the_change_without_nested_parentheses(run: Runner) -> None:
    """`evaluate ae-counter.yaml --against 3` said "Utilities: US $30.25bn, partner
    $46.50bn (change from round 3 (003-us.yaml), which gave US $77.98bn, ...)": a
    parenthesis in a parenthesis. The change has its own line."""
    package = REPO / "deals/packages/ae-counter.yaml"
    result = run("evaluate", package, "--portfolio", GULF, "--against", "3")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "Utilities: US $30.25bn, partner $46.50bn Change from round 3 (003-us.yaml)," in said
    assert (
        "Change from round 3 (003-us.yaml), which gave US $77.98bn, partner $14.05bn: "
        "US -$47.73bn, partner +$32.45bn Limits broken"
    ) in said
    for line in result.stdout.splitlines():
        assert not re.search(r"\([^)]*\(", line), line


# --- 4. the glossary defines the shadow price the memos use ---------------------------------


def test_the_glossary_defines_the_shadow_price_where_a_memo_says_it(
    run: Runner, tmp_path: Path
) -> None:
    """`solve --prices --out --render md`: the portfolio memo has a "Shadow prices" section,
    and its glossary did not define the term; a memo without prices does not define it."""
    out = tmp_path / "out"
    args = ["--policy", "tiered", "--prices", "--out", out, "--render", "md"]
    result = run("solve", GULF, *args)
    assert result.exit_code == 0, result.output
    memo = (out / "memos/portfolio-gulf-asia.md").read_text("utf-8")
    glossary = memo[memo.index("## Glossary") :]
    assert "- **Shadow price**: What one more unit of a limit" in glossary
    plain = render_document(
        next(d for d in _documents() if d.path.startswith("memos/portfolio")), ["md"]
    )[0].data.decode()
    assert "Shadow price" not in plain


def _documents() -> list[object]:
    from golden.support import all_documents

    return all_documents(demo_source())  # type: ignore[return-value]


def test_the_web_verdict_names_what_it_compares_with_outside_the_figures(
    client: object,
) -> None:
    """The web's verdict on a recorded counter said "US utility of the deal $30.248bn
    (-$43.726bn against $73.974bn in our round 5 (005-us.yaml))", the same nesting; the
    round compared with has a row of its own, as the terminal's "Change from" line."""
    from starlette.testclient import TestClient

    from dealbench.web.security import CSRF_FIELD, csrf_for
    from helpers import WEB_TOKEN, words

    assert isinstance(client, TestClient)
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": "5"}
    assert client.post("/p/gulf-asia/n/AE/offer", data=form).status_code == 200
    counter = (REPO / "deals/packages/ae-counter.yaml").read_bytes()
    upload = {"file": ("ae-counter.yaml", counter, "application/yaml")}
    answer = client.post("/p/gulf-asia/n/AE/counter", data={**form, "expect": "6"}, files=upload)
    assert answer.status_code == 200, words(answer.text)[:2000]
    said = words(answer.text)
    figure = r"([+-]?\$[\d.,]+(?:bn|m))"
    found = re.search(
        rf"Changes from our round 5 \(005-us\.yaml\) US utility of the deal {figure} "
        rf"\({figure} against {figure}\) Partner utility {figure} \({figure} against {figure}\)",
        said,
    )
    assert found, said[said.index("Verdict") :][:600]
    for cell in re.findall(r"<td[^>]*>([^<]*)</td>", answer.text):
        assert not re.search(r"\([^)]*\(", cell), cell
