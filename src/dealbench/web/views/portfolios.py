"""Portfolios: the list, one portfolio's facts and its solve form, which starts a solve
(its job's pages: `views.solve_jobs`; the regimes compared: `views.comparison`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dealbench.analyze.scenarios import load_scenario
from dealbench.arguments import number_typed, positive_seconds, relative_gap, share_typed
from dealbench.errors import DealbenchError, InputError, Issue
from dealbench.list_words import unknown
from dealbench.model import Portfolio, load_portfolio
from dealbench.model.regimes import regime_names
from dealbench.optimize import MODES, SOLVERS
from dealbench.result_words import EXPLAIN_ALL_HELP
from dealbench.units import parse_money
from dealbench.web.pages import Faults, Refusal, Typed, page, refusal, served
from dealbench.web.views import analysis
from dealbench.web.views.common import (
    notes,
    portfolio,
    portfolio_file,
    portfolio_files,
    refuse_unread,
    sent_form,
)
from dealbench.web.views.solve_jobs import start_solve_job


def routes() -> list[Route]:
    return [
        Route("/", index, name="index"),
        Route("/p/{name}", show, name="portfolio"),
        Route("/p/{name}/solve", start_solve, methods=["POST"], name="solve"),
    ]


def facts(pf: Portfolio) -> dict[str, Any]:
    """What the list and the portfolio page show of a portfolio."""
    return {
        "id": pf.id,
        "title": pf.title,
        "policy": pf.policy.id,
        "policy_title": pf.policy.title,
        "periods": pf.periods,
        "supply": pf.supply,
        "risk_budget": pf.risk_budget,
        "partners": [
            {"code": p.code, "name": p.name, "tier": p.tier, "ask": p.ask, "batna": p.batna}
            for p in pf.partners
        ],
    }


async def index(request: Request) -> Response:
    """Every portfolio, or the error that keeps it from loading: its files named under
    DEALS_DIR as every other page names them ("partners/ae.yaml:7: ..."; it was the
    server's whole path, "/home/.../deals/partners/ae.yaml:7", cut on a phone before
    the file's name)."""
    rows: list[dict[str, Any]] = []
    for path in portfolio_files(request):
        try:
            rows.append({"name": path.stem, **facts(load_portfolio(path)), "error": ""})
        except DealbenchError as exc:
            rows.append({"name": path.stem, "error": served(request, str(exc))})
    return page(request, "index.html.j2", portfolios=rows, root=str(request.app.state.root))


async def show(request: Request) -> Response:
    name = request.path_params["name"]
    return portfolio_page(request, name, portfolio(request, name))


def solve_regimes(request: Request, name: str) -> list[str]:
    """The regimes the solve form offers, as `solve --policy` takes them by name: the four
    of the debate and every policy file beside the portfolio's (`regime_names`, as the
    compare page offers them)."""
    return regime_names(portfolio_file(request, name))


#: The fields of the solve form a user fills.
SOLVE_FIELDS = (
    "mode",
    "solver",
    "gap",
    "time_limit",
    "v_floor",
    "policy",
    "sets",
    "prices",
    "robust",
    "samples",
    "seed",
    "explain_all",
)


def portfolio_page(
    request: Request,
    name: str,
    pf: Portfolio,
    typed: Typed | None = None,
    refused: Refusal | None = None,
) -> Response:
    """The portfolio's facts and solve form; with `refused`, the form holding what was
    `typed`, the fields at fault marked, the refusal at the top."""
    return page(
        request,
        "portfolio.html.j2",
        refused.status if refused is not None else 200,
        typed=typed or Typed(),
        refused=refused,
        name=name,
        pf=facts(pf),
        modes=MODES,
        solvers=SOLVERS,
        regimes=solve_regimes(request, name),
        jobs=request.app.state.jobs.for_portfolio(name),
        explain_all_help=EXPLAIN_ALL_HELP,  # as `solve --help` says --explain-all
        **notes(request, pf),
    )


def solve_options(form: Any, faults: Faults) -> dict[str, Any]:
    """The solve form's fields as `solve` keywords, checked as the CLI checks its options;
    each field's fault kept in `faults`."""
    mode = str(form.get("mode") or "us-best")
    solver = str(form.get("solver") or "highs")
    if mode not in MODES:
        faults.add(Issue("mode", None, "", unknown("mode", mode, MODES)))
    if solver not in SOLVERS:
        faults.add(Issue("solver", None, "", unknown("solver", solver, SOLVERS)))
    # `solve --gap` takes a share as typed (0.0001, or 0.01%), in its words: the form took
    # a plain number only, and refused "1%" that the CLI's help offers
    gap_text = str(form.get("gap") or "").strip()
    gap = faults.checked(
        lambda: relative_gap(share_typed(gap_text, "gap") if gap_text else 1e-6, "gap")
    )
    # In solve()'s words, before a process is started: the form took 0 ("at least 0") and
    # the job then failed on it; an empty field is no limit.
    limit_text = str(form.get("time_limit") or "").strip()
    time_limit = faults.checked(
        lambda: positive_seconds(number_typed(limit_text, "time_limit") if limit_text else None)
    )
    v_floor = faults.checked(lambda: _v_floor(str(form.get("v_floor") or "").strip(), mode))
    return {
        "mode": mode,
        "solver": solver,
        "gap": gap,
        "time_limit": time_limit,
        "v_floor": v_floor,
    }


def _v_floor(text: str, mode: str) -> float | None:
    """The US utility floor typed (empty: none), for partner-best only."""
    try:
        v_floor = parse_money(text) if text else None
    except (ValueError, TypeError) as exc:
        # the parser's words, as `solve --v-floor x` says them (the page said "expected an
        # amount of money: expected an amount of USD such as ...")
        raise InputError(Issue("v_floor", None, "", str(exc))) from None
    if v_floor is not None and mode != "partner-best":
        raise InputError(  # said in the form's words, before a solve's process is started
            Issue(
                "v_floor",
                None,
                "",
                f"a US utility floor is for mode partner-best; mode {mode} "
                "does not use it (clear the floor or choose partner-best)",
            )
        )
    return v_floor


def scenario_options(form: Any, regimes: Sequence[str]) -> tuple[str | None, list[str]]:
    """The form's regime (one of `regimes`, those the form offers) and its `PATH=VALUE`
    overrides (one a line), as --policy and --set."""
    policy = str(form.get("policy") or "").strip() or None
    if policy is not None and policy not in regimes:
        raise InputError(Issue("policy", None, "", unknown("regime", policy, regimes)))
    text = str(form.get("sets") or "")
    return policy, [line.strip() for line in text.splitlines() if line.strip()]


async def start_solve(request: Request) -> Response:
    name = request.path_params["name"]
    form = await sent_form(request)
    path = portfolio_file(request, name)
    try:  # every field's fault at once
        refuse_unread(form)
        faults = Faults(analysis.field_name)
        options = solve_options(form, faults)
        analysed = None
        if options["mode"] in MODES:  # --prices, --robust
            analysed = analysis.solve_analysis(form, options["mode"], faults)
        chosen = faults.checked(lambda: scenario_options(form, solve_regimes(request, name)))
        faults.raise_any()
        assert chosen is not None
        policy, sets = chosen
        # Bad files and overrides are refused here, in the page, before any process starts;
        # the solve's process receives the portfolio loaded here.
        pf = load_scenario(path, policy, sets)
    except DealbenchError as exc:  # the form again, as typed (an error page lost it all)
        refused = refusal(exc, "solve", SOLVE_FIELDS, rename=analysis.field_name)
        return portfolio_page(
            request, name, portfolio(request, name), Typed.of("solve", form), refused
        )
    asked = {
        **options,
        "policy": policy or "",
        "sets": sets,
        "analysis": analysed or {},
        "explain_all": str(form.get("explain_all") or "") == "yes",  # --explain-all
    }
    job = await start_solve_job(request, name, pf, asked)
    return RedirectResponse(request.url_for("job", job=job.id), status_code=303)
