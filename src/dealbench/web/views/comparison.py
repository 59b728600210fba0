"""The regimes compared: one portfolio under each regime chosen, side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dealbench.analyze import REGIMES, compare, find_regime
from dealbench.analyze.compare import under_each
from dealbench.analyze.memo import who_gets_what
from dealbench.errors import DealbenchError
from dealbench.model import Policy, load_portfolio
from dealbench.model.regimes import default_regimes, regime_names
from dealbench.web.pages import page
from dealbench.web.views.common import (
    drawn,
    notes,
    portfolio_file,
    root,
)


def routes() -> list[Route]:
    return [Route("/p/{name}/compare", show_compare, name="compare")]


async def show_compare(request: Request) -> Response:
    """The portfolio under each regime chosen, side by side (as `dealbench compare
    --regimes`): any policy file beside the portfolio's (`regime_names`), by default the
    four of the debate its partners fit and its own regime."""
    name = request.path_params["name"]
    path = portfolio_file(request, name)
    pf = load_portfolio(path)
    defaults = default_regimes(pf, path)
    offered = regime_choices(path, defaults.policies)
    asked = list(dict.fromkeys(request.query_params.getlist("regime")))
    unknown = [r for r in asked if r not in offered]
    if unknown:
        raise HTTPException(
            404, f"No regime {unknown[0]!r} beside this portfolio; regimes: {', '.join(offered)}."
        )
    chosen = asked or [r for r, default in offered.items() if default]

    policies = [find_regime(r, path) for r in chosen]

    def work() -> Any:
        comparison, _ = compare(pf, policies)
        return comparison

    # Solved again only when a file it reads has changed: four regimes take seconds (3.1 s
    # on gulf-asia, 5 s on global), and each reload, each Back to it, solved them again.
    comparison = await drawn(request, root(request) / "policy", ("compare", *chosen), work)
    return page(
        request,
        "compare.html.j2",
        name=name,
        c=comparison,
        # Each regime's compute and risk as `compare` and the options memo print them.
        printed=comparison.regimes,
        # each partner under each regime and each regime's total, as the options memo has them
        who=who_gets_what(comparison),
        **notes(request, *under_each(pf, policies, {})),  # each regime's file too
        regimes=[{"name": r, "checked": r in chosen} for r in offered],
        left_out=None if asked else defaults.left_out,
    )


def regime_choices(path: Path, defaults: list[Policy]) -> dict[str, bool]:
    """The regimes the compare page offers (`regime_names`), each with whether it is among
    `defaults`, what `compare` without --regimes compares (`default_regimes`): the four of
    the debate, or where the partners do not fit some, those they fit and the portfolio's
    own regime (a policy file that does not load is offered, and refused, as the CLI
    refuses it)."""
    chosen = {policy.id for policy in defaults}
    out: dict[str, bool] = {}
    for regime in regime_names(path):
        try:
            policy = find_regime(regime, path)
        except DealbenchError:
            out[regime] = False
            continue
        out[regime] = policy.id in chosen and (regime in REGIMES or policy.id not in REGIMES)
        chosen -= {policy.id} if out[regime] else set()  # a copy under another name: once
    return out
