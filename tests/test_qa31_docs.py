"""A principal's documents, read in every format on the shipped data (qa31-docs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.model import load_partner
from dealbench.model.names import in_text
from dealbench.render.environment import render_clause
from dealbench.render.termsheet import _partner_ctx

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

