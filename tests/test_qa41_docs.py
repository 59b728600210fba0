"""The documents principals read, session 41 (qa41-docs). Each test failed before its fix
(docs/decisions.md, "Session 41 (qa41-docs)")."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import docx
import pypdf

from dealbench.render.filters import printed_usd
from helpers import REPO, Runner


def test_the_options_memos_table_rows_end_at_their_last_bar(
    run: Runner, deals: Path, tmp_path: Path
) -> None:
    """`compare deals/portfolios/gulf-asia.yaml --render md`: every row of the options
    memo's two tables ended "| " (`{{ cell }} | {% endfor %}` writes a space after the last
    bar), so a Markdown linter or `git diff --check` flagged 24 lines of every memo. The
    cells are now written as the portfolio memo's are (`|{% for %} {{ cell }} |`)."""
    lines = _options_memo(run, deals, tmp_path, "md").splitlines()
    rows = [line for line in lines if line.startswith("|")]
    assert any(line.startswith("| Measure | tiered | bilateral |") for line in rows), rows
    assert [line for line in lines if line != line.rstrip()] == []


def test_an_internal_redlines_change_is_the_difference_of_its_figures_as_printed(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`redline deals/packages/ae-offer.yaml deals/rounds/gulf-asia/AE/003-us.yaml
    --audience internal`: "What the whole change moves" read "US utility | $89.01bn |
    $77.98bn | -$11.04bn", where $77.98bn less $89.01bn is -$11.03bn: each figure was
    rounded on its own. The three are now printed as the status memo prints a counter
    beside our next offer (`figures.usd_change`): $89.012bn, $77.977bn, -$11.035bn."""
    out = tmp_path / "redline.md"
    done = run(
        "redline", shipped / "packages/ae-offer.yaml", shipped / "rounds/gulf-asia/AE/003-us.yaml",
        "--portfolio", shipped / "portfolios/gulf-asia.yaml", "--audience", "internal",
        "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    text = out.read_text("utf-8")
    assert "| US utility | $89.012bn | $77.977bn | -$11.035bn |" in text
    table = text.split("## What the whole change moves (internal)")[1].split("\n\n")[1]
    for row in table.splitlines()[2:]:
        _, old, new, change = (c.strip() for c in row.strip("|").split("|"))
        if "$" in old:
            assert round(printed_usd(new) - printed_usd(old)) == round(printed_usd(change)), row


def test_a_term_sheets_formats_quote_the_participants_as_its_definitions(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`render deals/packages/ae-offer.yaml --doc term-sheet --format md,html,docx`: the
    HTML (so the PDF and DOCX) named the Participants (the “United States”) and (the
    “Partner”) with typographic quotes, two paragraphs above its definitions' straight ones
    ("H100e", "TPP") and unlike its Markdown: a search for `the "Partner"` missed the PDF
    and the DOCX. The HTML template now writes the Markdown's (and the clauses') quote, as
    qa40-docs did for the apostrophe."""
    done = run(
        "render", shipped / "packages/ae-offer.yaml", "--portfolio",
        shipped / "portfolios/gulf-asia.yaml", "--doc", "term-sheet", "--format",
        "md,html,docx", "--out", tmp_path,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    sheet = tmp_path / "term-sheets/AE-offer-001"
    word = docx.Document(str(sheet.with_suffix(".docx")))
    texts = {
        "md": sheet.with_suffix(".md").read_text("utf-8"),
        "html": unescape(sheet.with_suffix(".html").read_text("utf-8")),
        "docx": "\n".join(p.text for p in word.paragraphs),
    }
    for fmt, text in texts.items():
        assert '(the "United States")' in text and '(the "Partner")' in text, fmt
        assert '"H100e" (H100-equivalent)' in text, fmt
        assert not {"“", "”"} & set(text), fmt


def test_no_table_row_stands_alone_at_the_foot_or_head_of_a_page(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`room deals/portfolios/gulf-asia.yaml --render pdf,docx --date 2026-03-20`: the
    status memo's PDF ended page 2 on "What remains to allocate" with 2026 and 2027 and
    began page 3 with 2028 alone under a repeated header: a three-row table split for one
    row. No body row now stands alone at either end of a page (`tbody tr:first-child {
    break-after: avoid }`, `tbody tr:last-child { break-before: avoid }` in print; in the
    DOCX, Word's "keep with next" on the body's first row and the row before its last)."""
    out = tmp_path / "out"
    done = run(
        "room", shipped / "portfolios/gulf-asia.yaml", "--render", "pdf,docx", "--out", out,
        "--date", "2026-03-20",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    memo = out / "memos/negotiation-gulf-asia"
    pages = [p.extract_text() for p in pypdf.PdfReader(memo.with_suffix(".pdf")).pages]
    rows = ("2026 1,000,000 646,641", "2027 1,200,000 705,359", "2028 1,400,000 900,000")
    where = {i for i, text in enumerate(pages) for row in rows if row in text}
    assert len(where) == 1, where

    for table in docx.Document(str(memo.with_suffix(".docx"))).tables:
        keeps = [
            all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
            for row in table.rows
        ]
        heads = sum(bool(row._tr.xpath("./w:trPr/w:tblHeader")) for row in table.rows)
        if len(table.rows) - heads >= 2:  # the body's first row, and the one before its last
            assert keeps[heads] and keeps[-2], [c.text for c in table.rows[0].cells]


def test_a_format_given_is_never_overridden_by_the_out_files_suffix(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`render deals/packages/ae-offer.yaml --format md --out x.pdf` wrote a PDF, exit 0,
    where `--format md,html --out x.pdf` was refused: --format md could not be told from
    the default, so the suffix silently won over what was asked. The default is now "not
    given" (md for a folder, the file's format for a file); a --format given must agree with
    the file it names, in any case (`--format PDF --out x.pdf` is that PDF)."""
    package = shipped / "packages/ae-offer.yaml"
    portfolio = shipped / "portfolios/gulf-asia.yaml"
    refused = run("render", package, "--portfolio", portfolio, "--format", "md", "--out", tmp_path / "x.pdf")  # fmt: skip
    assert (refused.exit_code, refused.stderr.strip()) == (
        2,
        "error: --out: x.pdf is a .pdf file but --format is md",
    )
    assert not (tmp_path / "x.pdf").exists()
    for given in ([], ["--format", "PDF"]):
        done = run("render", package, "--portfolio", portfolio, *given, "--out", tmp_path / "y.pdf")  # fmt: skip
        assert done.exit_code == 0, done.stderr
        assert (tmp_path / "y.pdf").read_bytes().startswith(b"%PDF")
    done = run("render", package, "--portfolio", portfolio, "--out", tmp_path / "folder")
    assert done.exit_code == 0, done.stderr
    assert [p.name for p in (tmp_path / "folder/term-sheets").iterdir()] == ["AE-offer-001.md"]


def test_documents_md_lists_every_key_of_the_options_memos_json(
    run: Runner, deals: Path, tmp_path: Path
) -> None:
    """`compare deals/portfolios/gulf-asia.yaml --render json`: the options memo's JSON has
    `exported_head`, `partners_note` and `partners_legend` (the total row's head, what the
    partners' rows add up to, what "acceptance" in a cell means), which docs/documents.md's
    table of keys ("JSON documents") did not list, as qa40-docs found of the status memo's.
    Every key of every kind's JSON is now listed, in its row or the section's lead."""
    data = json.loads(_options_memo(run, deals, tmp_path, "json"))
    page = (REPO / "docs/documents.md").read_text("utf-8")
    section = page[page.index("## JSON documents") : page.index("## Accessibility")]
    lead = set(re.findall(r"`(\w+)`", section[: section.index("Every document has:")]))
    row = next(line for line in section.splitlines() if line.startswith("| Options memo |"))
    listed = set(re.findall(r"`(\w+)`", row)) | lead
    assert set(data) - {"doc", "charts", "glossary"} <= listed, set(data) - listed
    assert {"exported_head", "partners_note", "partners_legend"} <= set(data)


def _options_memo(run: Runner, deals: Path, tmp_path: Path, fmt: str) -> str:
    """The options memo of `compare solo --regimes tiered,bilateral` in format `fmt`."""
    out = tmp_path / "out"
    done = run(
        "compare", deals / "portfolios/solo.yaml", "--regimes", "tiered,bilateral",
        "--out", out, "--render", fmt,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    return (out / f"memos/options-solo.{fmt}").read_text("utf-8")
