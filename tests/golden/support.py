"""The demo's documents, rendered from a pinned result, for the golden and render tests.

The packages come from tests/golden/demo-result.json, a solve of the demo
portfolio pinned when the goldens were last updated: documents are compared
against the renderer, not against whichever of several equal optima a solver
picks today. Every figure is still recomputed from deals/ by `check`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dealbench.model import load_package, load_portfolio
from dealbench.optimize import SolveResult, solve
from dealbench.optimize.explain import no_deal_reasons
from dealbench.render import Document, documents_for, redline_document, source_from_result
from dealbench.render.documents import redline_stem
from dealbench.render.sources import Source

GOLDEN = Path(__file__).resolve().parent
EXPECTED = GOLDEN / "expected"
PINNED = GOLDEN / "demo-result.json"
REPO = GOLDEN.parents[1]
DEALS = REPO / "deals"
DEMO_PORTFOLIO = DEALS / "portfolios" / "gulf-asia.yaml"
OFFER, COUNTER = DEALS / "packages" / "ae-offer.yaml", DEALS / "packages" / "ae-counter.yaml"
#: The shipped packages' document labels (side and round).
NAMES = ("offer-001", "counter-002")
#: Golden documents carry a fixed date, so the date line is exercised too.
DATE = dt.date(2026, 3, 1)


def pin_result() -> SolveResult:
    """Solve the demo portfolio and pin the result (solver timings zeroed: they vary), with
    why its partners without a deal have none, as `dealbench demo` records it."""
    pf = load_portfolio(DEMO_PORTFOLIO)
    result = solve(pf).raise_for_status()
    result = result.explained(no_deal_reasons(pf, result))
    solver = result.solver.model_copy(update={"seconds": 0.0, "timings": {}})
    result = result.model_copy(update={"solver": solver, "portfolio_file": None})
    PINNED.write_text(json.dumps(result.model_dump(mode="json"), indent=2) + "\n")
    return result


def demo_source(update: bool = False) -> Source:
    result = pin_result() if update else SolveResult.model_validate_json(PINNED.read_bytes())
    return source_from_result(load_portfolio(DEMO_PORTFOLIO), result)


def redlines(
    source: Source, audiences: tuple[str, ...] = ("external", "internal")
) -> list[Document]:
    pf = source.portfolio
    old, new = load_package(OFFER, pf), load_package(COUNTER, pf)
    return [
        redline_document(
            pf,
            old,
            new,
            labels=("US offer, round 1", "The Partner's counter, round 2"),
            path=f"redlines/{redline_stem('AE', NAMES, audience)}",  # type: ignore[arg-type]
            names=NAMES,
            audience=audience,  # type: ignore[arg-type]
            date=DATE,
        )
        for audience in audiences
    ]


def external_documents(source: Source) -> list[Document]:
    """Everything that may go to a partner: term sheets and the redline, external."""
    docs = documents_for(source, "term-sheet", audience="external", date=DATE)
    return docs + redlines(source, ("external",))


def all_documents(source: Source) -> list[Document]:
    docs = external_documents(source)
    docs += documents_for(source, "term-sheet", audience="internal", date=DATE)
    docs += documents_for(source, "deal-memo", date=DATE)
    docs += documents_for(source, "portfolio-memo", date=DATE)
    return docs + redlines(source, ("internal",))
