"""Validation of the deals folder: `dealbench validate DEALS_DIR [--portfolio P]` in the page,
through the same library call (`negotiate.validation.validate_files`).

The portfolio list shows a portfolio that does not load in one line; this page checks every
file under the folder (partners, policies, packages, rounds, scenarios too) and reports
every problem of each, as the command does.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dealbench.errors import DealbenchError, InputError, Issue, user_lines
from dealbench.model import Portfolio, load_portfolio
from dealbench.negotiate.validation import validate_files
from dealbench.web.pages import CHOOSES, FieldError, page, refusal, served
from dealbench.web.views.common import PORTFOLIOS, portfolio_files, relative, root


def routes() -> list[Route]:
    return [Route("/validate", validate_page, name="validate")]


async def validate_page(request: Request) -> Response:
    """Every file under DEALS_DIR checked; with `portfolio`, packages and scenarios against it."""
    base = root(request)
    names = [p.stem for p in portfolio_files(request)]
    chosen = request.query_params.get("portfolio", "").strip()
    context: dict[str, Any] = {"portfolios": names, "chosen": chosen, "root": str(base)}
    try:
        pf = _portfolio(request, chosen, names)
    except DealbenchError as exc:  # the field as chosen and marked, the refusal at the top
        refused = refusal(exc, "validate", ("portfolio",))
        return page(
            request,
            "validate.html.j2",
            refused.status,
            refused=refused,
            ok=[],
            issues=[],
            notes=[],
            **context,
        )
    found = validate_files([base], pf)
    ok = [(relative(request, path), kind) for path, kind in found.ok]
    # DEALS_DIR's own path left out: files named from it, as `page` names them
    issues = [served(request, line) for line in user_lines(InputError(found.issues))]
    notes = [served(request, line) for line in user_lines(InputError(found.notes), chooses=CHOOSES)]
    return page(
        request,
        "validate.html.j2",
        refused=None,
        ok=ok,
        issues=issues if found.issues else [],
        notes=[n.removeprefix("error: ") for n in notes] if found.notes else [],
        **context,
    )


def _portfolio(request: Request, chosen: str, names: list[str]) -> Portfolio | None:
    """The `portfolio` field's portfolio (--portfolio), or None when left empty."""
    if not chosen:
        return None
    if chosen not in names:
        raise InputError(
            Issue("portfolio", None, "", f"no portfolio {chosen!r} under {PORTFOLIOS}/")
        )
    try:
        return load_portfolio(root(request) / PORTFOLIOS / f"{chosen}.yaml")
    except InputError as exc:  # its file's problems, about the portfolio chosen
        raise FieldError("portfolio", exc) from None
