"""Session 46 (qa46-docs): the documents a principal receives, and house templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dealbench.render.documents import CONTEXT_KEYS, Document
from dealbench.render.environment import TEMPLATES
from dealbench.render.naming import Identity
from helpers import Runner


def _house(tmp_path: Path, name: str, extra: str) -> Path:
    """A house folder holding the shipped template `name` with `extra` appended."""
    folder = tmp_path / "house"
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text((TEMPLATES / name).read_text("utf-8") + extra, "utf-8")
    return folder


def test_validate_refuses_a_house_term_sheet_reading_a_memo_only_placeholder(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`validate` checked a house template against every name SOME shipped template reads:
    a term sheet reading `recommendation` (a memo's) was ok, then its render failed with
    "unknown variable". Each template is checked against its own document's render model."""
    house = _house(tmp_path, "term_sheet.md.j2", "{{ recommendation }}\n")
    said = run("validate", house)
    assert said.exit_code == 2, said.output
    line = len((TEMPLATES / "term_sheet.md.j2").read_text("utf-8").splitlines()) + 1
    assert (
        f"error: {house / 'term_sheet.md.j2'}:{line}: unknown placeholder 'recommendation': "
        "a term sheet is not given that name, only the deal memo, portfolio memo, principals "
        "memo and options memo (a render would fail)"
    ) in said.stderr
    # what validate foretells is what the render meets
    rendered = run(
        "render",
        shipped / "packages/ae-offer.yaml",
        "--portfolio",
        shipped / "portfolios/gulf-asia.yaml",
        "--templates",
        house,
        "--out",
        tmp_path / "out",
    )
    assert rendered.exit_code != 0 and "recommendation" in rendered.stderr


def test_validate_refuses_a_house_clause_reading_a_memo_only_placeholder(
    run: Runner, tmp_path: Path
) -> None:
    """A clause is rendered with the term sheet's model (the document that calls it)."""
    house = tmp_path / "house/clauses"
    house.mkdir(parents=True)
    (house / "confidentiality.txt.j2").write_text("Keep {{ partner.name }} {{ method }}.\n")
    said = run("validate", tmp_path / "house")
    assert said.exit_code == 2, said.output
    assert "unknown placeholder 'method': a clause is not given that name" in said.stderr
    assert "'partner'" not in said.stderr


def test_validate_accepts_what_a_document_is_given_though_its_shipped_template_skips_it(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """A portfolio memo is given `portfolio` (its JSON has it), which no shipped template
    reads: validate refused `{{ portfolio.title }}` in a house portfolio memo (exit 2) that
    renders. A deal memo reading its `partner` is ok and renders so."""
    house = _house(tmp_path, "portfolio_memo.md.j2", "{{ portfolio.title }}\n")
    house = _house(tmp_path, "deal_memo.md.j2", "Partner: {{ partner.name }}\n")
    said = run("validate", house)
    assert said.exit_code == 0, said.output
    assert "portfolio_memo.md.j2 (house template)" in said.stdout
    done = run(
        "render",
        shipped / "packages/ae-offer.yaml",
        "--portfolio",
        shipped / "portfolios/gulf-asia.yaml",
        "--doc",
        "deal-memo",
        "--templates",
        house,
        "--out",
        tmp_path / "out.md",
    )
    assert done.exit_code == 0, done.output
    assert "Partner: United Arab Emirates" in (tmp_path / "out.md").read_text("utf-8")


def test_every_shipped_template_as_a_house_template_validates(run: Runner, tmp_path: Path) -> None:
    """The check per document admits every shipped template as it is (partials, clauses,
    macros, loop variables of the template including it, names tested `is defined`)."""
    shutil.copytree(TEMPLATES, tmp_path / "house")
    said = run("validate", tmp_path / "house")
    assert said.exit_code == 0, said.output
    assert said.stdout.count("(house template)") == len(list(TEMPLATES.rglob("*.j2")))


def test_a_render_model_giving_an_undeclared_name_is_refused() -> None:
    """CONTEXT_KEYS, which validate checks house templates against, cannot fall behind a
    render model: a Document whose context gives a name it does not declare is refused."""
    ident = Identity("term-sheet", "pf", "AE", "", "external", "")
    Document("term-sheet", "x", {"doc": {}, "partner": {}}, identity=ident)
    with pytest.raises(TypeError, match="gives recommendation, which"):
        Document("term-sheet", "x", {"doc": {}, "recommendation": ""}, identity=ident)
    assert "recommendation" in CONTEXT_KEYS["deal-memo"]
