"""No document overwrites another unless it is the same document (issue 12, item 3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dealbench.cli.documents import write_documents
from dealbench.io import OutputDir
from dealbench.model import load_package
from dealbench.render.documents import Document, documents_for, redline_document, redline_stem
from dealbench.render.naming import DocumentClashError, package_label, stem
from dealbench.render.sources import load_source
from golden.support import COUNTER, DEMO_PORTFOLIO, OFFER, demo_source
from helpers import Runner


@pytest.mark.parametrize(
    ("side", "round_", "file", "label"),
    [
        ("counter", 3, "anything", "counter-003"),
        ("offer", None, "x", "offer"),
        (None, 2, "x", "round-002"),
        (None, None, "ae-counter", "counter"),
        ("partner", 3, "x", "counter-003"),
        ("us", 4, "x", "offer-004"),
        (None, None, "AE", ""),
        (None, None, "Draft v2 (final)", "draft-v2-final"),
    ],
)
def test_labels_carry_side_and_round(
    side: str | None, round_: int | None, file: str, label: str
) -> None:
    assert package_label(side, round_, stem=file, partner="AE") == label


def test_names_carry_partner_label_and_audience() -> None:
    assert stem("AE") == "AE"
    assert stem("AE", "", "internal") == "AE-internal"
    assert stem("AE", "counter-003") == "AE-counter-003"
    assert stem("AE", "counter-003", "internal") == "AE-counter-003-internal"
    assert redline_stem("AE", ("offer-001", "counter-002"), "internal") == (
        "redline-AE-offer-001-to-counter-002-internal"
    )


def every_document() -> list[Document]:
    """Every kind of document of the demo: solve, offer, counter; both audiences; redlines."""
    docs: list[Document] = []
    solved = demo_source()
    pf = solved.portfolio
    for source in (
        solved,
        load_source(OFFER, DEMO_PORTFOLIO),
        load_source(COUNTER, DEMO_PORTFOLIO),
    ):
        partners = ["AE"] if source.is_package else None
        for audience in ("external", "internal"):
            docs += documents_for(source, "term-sheet", audience=audience, partners=partners)
        docs += documents_for(source, "deal-memo", partners=partners)
        if not source.is_package:
            docs += documents_for(source, "portfolio-memo")
    old, new = load_package(OFFER, pf), load_package(COUNTER, pf)
    names = ("offer-001", "counter-002")
    for audience in ("external", "internal"):
        docs.append(
            redline_document(
                pf,
                old,
                new,
                labels=("US offer", "UAE counter"),
                path=f"redlines/{redline_stem('AE', names, audience)}",  # type: ignore[arg-type]
                audience=audience,  # type: ignore[arg-type]
                names=names,
            )
        )
    return docs


def test_every_combination_in_one_folder_loses_nothing(tmp_path: Path) -> None:
    docs = every_document()
    assert len({d.identity for d in docs}) == len(docs)  # each a different document
    assert len({d.path for d in docs}) == len(docs)  # ... with its own file
    # Written one document at a time, as separate commands would, into one folder.
    for doc in docs:
        write_documents(OutputDir(tmp_path), [doc], ["md"])
    files = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.md")}
    assert files == {f"{d.path}.md" for d in docs}
    # Each file still holds its own document (none was replaced by a later one).
    for doc in docs:
        assert doc.context["doc"]["id"] in (tmp_path / f"{doc.path}.md").read_text()
    names = sorted(files)
    assert "term-sheets/AE-internal.md" in names
    assert "term-sheets/AE-counter-002.md" in names
    assert "term-sheets/AE-offer-001-internal.md" in names
    assert "redlines/redline-AE-offer-001-to-counter-002-internal.md" in names
    assert "memos/AE-counter-002.md" in names


def test_the_same_document_may_be_rendered_again(tmp_path: Path) -> None:
    source = load_source(COUNTER, DEMO_PORTFOLIO)
    [doc] = documents_for(source, "term-sheet", partners=["AE"])
    write_documents(OutputDir(tmp_path), [doc], ["md"])
    [again] = documents_for(
        source, "term-sheet", partners=["AE"], date=__import__("datetime").date(2026, 4, 1)
    )
    write_documents(OutputDir(tmp_path), [again], ["md"])  # a new date: same document
    assert "1 April 2026" in (tmp_path / "term-sheets/AE-counter-002.md").read_text()


def test_a_different_document_with_the_same_name_is_refused(run: Runner, tmp_path: Path) -> None:
    """AE of another portfolio would land on term-sheets/AE-counter-002: refused, unless forced."""
    out = tmp_path / "out"
    other = tmp_path / "other"
    shutil.copytree(DEMO_PORTFOLIO.parents[1], other)
    portfolio = other / "portfolios" / "gulf-asia.yaml"
    portfolio.write_text(
        portfolio.read_text().replace("id: gulf-asia", "id: gulf-asia-2", 1), encoding="utf-8"
    )
    assert "gulf-asia-2" in portfolio.read_text()
    assert run("render", COUNTER, "--portfolio", DEMO_PORTFOLIO, "--out", out).exit_code == 0
    mine = (out / "term-sheets/AE-counter-002.md").read_bytes()
    r = run("render", COUNTER, "--portfolio", portfolio, "--out", out)
    assert (r.exit_code, r.traceback) == (2, "")
    assert "term sheet for AE (counter-002) from the package in portfolio gulf-asia;" in r.stderr
    assert "--force" in r.stderr
    assert (out / "term-sheets/AE-counter-002.md").read_bytes() == mine
    r = run("render", COUNTER, "--portfolio", portfolio, "--out", out, "--force")
    assert r.exit_code == 0, r.stderr
    assert (out / "term-sheets/AE-counter-002.md").read_bytes() != mine


def test_two_documents_of_one_run_never_share_a_file(tmp_path: Path) -> None:
    source = load_source(COUNTER, DEMO_PORTFOLIO)
    [a] = documents_for(source, "term-sheet", partners=["AE"])
    [b] = documents_for(source, "term-sheet", audience="internal", partners=["AE"])
    clash = Document(b.kind, a.path, b.context, identity=b.identity)
    with pytest.raises(DocumentClashError, match="would share this file"):
        write_documents(OutputDir(tmp_path, force=True), [a, clash], ["md"])
    assert not any(tmp_path.iterdir())


def test_redline_audiences_get_their_own_files(run: Runner, tmp_path: Path) -> None:
    for audience in ("external", "internal"):
        r = run(
            "redline", OFFER, COUNTER, "--portfolio", DEMO_PORTFOLIO,
            "--audience", audience, "--out", tmp_path,
        )  # fmt: skip
        assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in tmp_path.glob("redlines/*.md")) == [
        "redline-AE-offer-001-to-counter-002-internal.md",
        "redline-AE-offer-001-to-counter-002.md",
    ]


def test_a_package_named_like_a_partner_does_not_replace_the_solves_term_sheet(
    run: Runner, tmp_path: Path
) -> None:
    """`ae.yaml` has no label, so its term sheet is `AE.md`, as the solve's: refused."""
    out = tmp_path / "out"
    source = demo_source()
    write_documents(OutputDir(out), documents_for(source, "term-sheet", partners=["AE"]), ["md"])
    mine = (out / "term-sheets/AE.md").read_bytes()
    package = tmp_path / "ae.yaml"
    package.write_text(OFFER.read_text().replace("side: offer", "").replace("round: 1", ""))
    r = run("render", package, "--portfolio", DEMO_PORTFOLIO, "--out", out)
    assert r.exit_code == 2 and "from the us-best solve" in r.stderr, r.stderr
    assert (out / "term-sheets/AE.md").read_bytes() == mine
