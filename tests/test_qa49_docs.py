"""Session 49 (qa49-docs): the documents say what changed and what happened."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import REPO, Runner

OFFER = REPO / "deals/packages/ae-offer.yaml"
GULF = REPO / "deals/portfolios/gulf-asia.yaml"


def _short_offer(folder: Path) -> Path:
    """The shipped AE offer less its last tranche (2028): the term ends a year earlier."""
    text = re.sub(r"\n  2028: 600_000.*", "", OFFER.read_text())
    path = folder / "ae-short.yaml"
    path.write_text(text.replace("round: 1 ", "round: 3 "))
    return path


def test_redline_marks_the_term_it_ends_earlier(run: Runner, tmp_path: Path) -> None:
    """A new offer that drops the last tranche ends the term a year earlier: the redline
    marks the term where the term sheet states it (sections 3, 4 and 11), not only Annex A."""
    r = run("redline", OFFER, _short_offer(tmp_path), "--portfolio", GULF)
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert '~~"The term" is the period 2026–2028 inclusive' in text
    assert '**"The term" is the period 2026–2027 inclusive' in text
    assert "~~This memorandum takes effect" in text and "end of the term (2027)" in text
    assert "up to 1,700,000 H100e" in text and "up to 1,100,000 H100e" in text
    # They follow from the tranche removed: counted as no term of their own.
    assert "0 terms changed, 0 added, 1 removed." in text
    order = [m.group(1) for m in re.finditer(r"^## (.*)$", text, re.MULTILINE)]
    assert order[:6] == [
        "Annex A: Compute schedule",
        "3. Definitions",
        "4. Compute schedule",
        "5. Security conditions",
        "6. Commitments of the Partner",
        "11. Effective date, duration, amendment and termination",
    ]


def test_redline_compares_the_house_clause_texts(run: Runner, tmp_path: Path) -> None:
    """With --templates, the term sheets state the term in the house's words: the redline
    compares those, not the shipped text."""
    house = tmp_path / "house" / "clauses"
    house.mkdir(parents=True)
    (house / "term.txt.j2").write_text("This arrangement lasts until {{ term.last }}.\n")
    r = run(
        "redline", OFFER, _short_offer(tmp_path), "--portfolio", GULF,
        "--templates", tmp_path / "house",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "~~This arrangement lasts until 2028.~~ **This arrangement lasts until 2027.**" in (
        r.stdout
    )
    assert "This memorandum takes effect" not in r.stdout


def test_a_redline_of_the_same_term_adds_no_section(run: Runner) -> None:
    """Two packages of one term and total (the shipped offer against itself) show the terms'
    sections alone."""
    r = run("redline", OFFER, OFFER, "--portfolio", GULF)
    assert r.exit_code == 0, r.output
    assert re.findall(r"^## (.*)$", r.stdout, re.MULTILINE) == [
        "Annex A: Compute schedule",
        "5. Security conditions",
        "6. Commitments of the Partner",
    ]
