"""Portfolios: the list, one portfolio's facts and solve form, and its solves."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from dealbench.analyze import REGIMES, compare, find_regime
from dealbench.analyze.analysed import Analysed
from dealbench.analyze.compare import under_each
from dealbench.analyze.scenarios import load_scenario
from dealbench.arguments import positive_seconds, relative_gap, share_typed
from dealbench.errors import DealbenchError, InputError, Issue
from dealbench.model import Policy, Portfolio, load_portfolio
from dealbench.model.regimes import default_regimes, regime_names
from dealbench.optimize import MODES, SOLVERS, SolveResult
from dealbench.optimize.explain.no_deal import no_deal_reasons
from dealbench.result_words import (
    floor_sentence,
    message_after,
    rows_words,
    schedule_line,
    supply_line,
    walk_away_words,
)
from dealbench.units import parse_money
from dealbench.web.jobs import Job, solve_job, until_finished
from dealbench.web.pages import Refusal, Typed, page, refusal
from dealbench.web.views import analysis
from dealbench.web.views.analysis import Faults
from dealbench.web.views.common import (
    DRAWING,
    checked_form,
    notes,
    portfolio,
    portfolio_file,
    portfolio_files,
    solving,
)
from dealbench.web.work import analysed_solve_job


def routes() -> list[Route]:
    return [
        Route("/", index, name="index"),
        Route("/p/{name}", show, name="portfolio"),
        Route("/p/{name}/solve", start_solve, methods=["POST"], name="solve"),
        Route("/p/{name}/compare", show_compare, name="compare"),
        Route("/jobs/{job}", show_job, name="job"),
        Route("/jobs/{job}/state", job_state, name="job_state"),
        Route("/jobs/{job}/charts/{n:int}.svg", job_chart, name="job_chart"),
        Route("/jobs/{job}/cancel", cancel_job, methods=["POST"], name="cancel"),
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
    rows: list[dict[str, Any]] = []
    for path in portfolio_files(request):
        try:
            rows.append({"name": path.stem, **facts(load_portfolio(path)), "error": ""})
        except DealbenchError as exc:
            rows.append({"name": path.stem, "error": str(exc)})
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
        **notes(request, pf),
    )


def solve_options(form: Any, faults: Faults) -> dict[str, Any]:
    """The solve form's fields as `solve` keywords, checked as the CLI checks its options;
    each field's fault kept in `faults`."""
    mode = str(form.get("mode") or "us-best")
    solver = str(form.get("solver") or "highs")
    if mode not in MODES:
        faults.add(Issue("mode", None, "", f"expected one of: {', '.join(MODES)}"))
    if solver not in SOLVERS:
        faults.add(Issue("solver", None, "", f"expected one of: {', '.join(SOLVERS)}"))
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
        lambda: positive_seconds(_float(form, "time_limit", 0.0) if limit_text else None)
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
        raise InputError(
            Issue("v_floor", None, "", f"expected an amount of money: {exc}")
        ) from None
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
        raise InputError(Issue("policy", None, "", f"expected one of: {', '.join(regimes)}"))
    text = str(form.get("sets") or "")
    return policy, [line.strip() for line in text.splitlines() if line.strip()]


def _float(form: Any, field: str, default: float) -> float:
    """A number as typed (any float, nan included: the caller checks its range)."""
    text = str(form.get(field) or "").strip()
    try:
        return float(text) if text else default
    except ValueError:
        raise InputError(Issue(field, None, "", f"expected a number, got {text!r}")) from None


def _number(form: Any, field: str, default: float | None, *, low: float, high: float | None) -> Any:
    text = str(form.get(field) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise InputError(Issue(field, None, "", f"expected a number, got {text!r}")) from None
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise InputError(Issue(field, None, "", f"expected a number {bound}, got {text}"))
    return value


async def start_solve(request: Request) -> Response:
    name = request.path_params["name"]
    form = await checked_form(request)
    path = portfolio_file(request, name)
    try:  # every field's fault at once
        faults = Faults()
        options = solve_options(form, faults)
        analysed = None
        if options["mode"] in MODES:  # --prices, --robust
            analysed = faults.checked(lambda: analysis.solve_analysis(form, options["mode"]))
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
    work, args = (
        (solve_job, (pf, options))
        if analysed is None
        else (
            analysed_solve_job,
            (pf, options, analysed),
        )
    )
    job = await run_in_threadpool(
        request.app.state.jobs.start,
        name,
        {**options, "policy": policy or "", "sets": sets, "analysis": analysed or {}},
        work,
        args,
    )
    job.cache["portfolio"] = pf  # what the result is of, even if the file changes meanwhile
    return RedirectResponse(request.url_for("job", job=job.id), status_code=303)


def _job(request: Request) -> Job:
    job: Job | None = request.app.state.jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404, "No such solve (solves are kept while the server runs).")
    return job


async def show_job(request: Request) -> Response:
    job = _job(request)
    if job.kind != "solve":  # a sweep's page is its own
        return RedirectResponse(request.url_for(f"{job.kind}_job", job=job.id), status_code=303)
    # The state is read once: the job may end while the page is drawn, and a page drawn
    # as "done" without its result was a 500.
    state = job.state
    context: dict[str, Any] = {"job": job, "name": job.portfolio, "state": state}
    if state == "done" and job.result is not None:
        pf = _solved_portfolio(request, job)
        if "no_deal" not in job.cache:
            # As the solve's job carries them (`solve_job`); computed here only for a job
            # whose result does not (a robust solve's packages are the optimum of its raised
            # walk-away values: `Analysed.no_deal_reasons`).
            reasons = job.result.no_deal_reasons
            if reasons is None and isinstance(job.output, Analysed):
                reasons = await solving(job.output.no_deal_reasons)
            elif reasons is None:
                reasons = await solving(no_deal_reasons, pf, job.result)
            job.cache["no_deal"] = {r.partner: r.message for r in reasons}
        if "charts" not in job.cache:
            job.cache["charts"] = result_charts(pf, job.result)
        context.update(result_view(pf, job.result, job.cache["no_deal"], job.cache["charts"]))
        context.update(analysis.analysis_view(job, pf))
        # As `solve`: a robust solve's packages are chosen over the samples, so it does not
        # say that its figures use the means (it says when nothing is uncertain instead).
        context.update(notes(request, pf, means=context["robustness"] is None))
    return page(request, "job.html.j2", **context)


def _solved_portfolio(request: Request, job: Job) -> Portfolio:
    pf = job.cache.get("portfolio")
    if not isinstance(pf, Portfolio):  # a job started without it (not through the form)
        pf = load_scenario(
            portfolio_file(request, job.portfolio),
            job.options["policy"] or None,
            job.options["sets"],
        )
        job.cache["portfolio"] = pf
    return pf


async def job_chart(request: Request) -> Response:
    """One chart of a solve's result, drawn at its first request (the result's page shows
    the figures at once; the browser fetches its charts beside them)."""
    job = _job(request)
    n = request.path_params["n"]
    drawn: list[Any] = job.cache.get("charts", [])
    if job.state != "done" or not 0 <= n < len(drawn):
        raise HTTPException(404, "No such chart.")
    svgs: dict[int, str] = job.cache.setdefault("svg", {})

    def draw() -> str:
        from dealbench.render import charts

        with DRAWING:
            if n not in svgs:
                svgs[n] = charts.svg(drawn[n])
        return svgs[n]

    svg = svgs[n] if n in svgs else await run_in_threadpool(draw)
    return Response(svg, media_type="image/svg+xml")


#: The longest a page may wait for a job's end in one request (it then asks again).
LONGEST_WAIT = 10.0


async def job_state(request: Request) -> Response:
    """The job's state; with `?wait=SECONDS`, answered when the job ends (or after that
    long at most), so that a page learns of the result the moment it is there."""
    job = _job(request)
    wait = _number(request.query_params, "wait", 0.0, low=0.0, high=None)
    if job.state == "running" and wait > 0:
        await until_finished(job, min(wait, LONGEST_WAIT))
    return JSONResponse(job.summary())


async def cancel_job(request: Request) -> Response:
    await checked_form(request)
    job = request.app.state.jobs.cancel(request.path_params["job"])
    if job is None:
        raise HTTPException(404, "No such solve.")
    return RedirectResponse(request.url_for("job", job=job.id), status_code=303)


def result_charts(pf: Portfolio, result: SolveResult) -> list[Any]:
    """The result's charts, as data (drawn when the browser asks for each)."""
    from dealbench.render.portfolio_allocation import portfolio_charts
    from dealbench.render.sources import source_from_result

    if not result.deals:
        return []
    return list(portfolio_charts(source_from_result(pf, result)))


def result_view(
    pf: Portfolio, result: SolveResult, reasons: dict[str, str], drawn: list[Any]
) -> dict[str, Any]:
    """The deals table, the charts, the binding limits and the partners left without a deal."""
    from dealbench.render.charts import HEIGHT_IN, WIDTH_IN

    names = {p.code: p.name for p in pf.partners}
    size = {"width": round(WIDTH_IN * 96), "height": round(HEIGHT_IN * 96)}  # CSS pixels
    return {
        "result": result,
        # What `solve` says of the step and of rounding, in its words (`result_words`).
        "schedule": schedule_line(result),
        "walk_away": walk_away_words(result),  # what partner-best's total counts besides
        # The supply each period used, and what the table's columns add up to, as `solve`.
        "supply": supply_line(result),
        "rows_note": rows_words(result),
        "message_after": message_after(result) or floor_sentence(result),
        "charts": [{"caption": c.caption, "description": c.description, **size} for c in drawn],
        "no_deal": [
            {"code": c, "name": names.get(c, c), "reason": reasons.get(c, "")}
            for c in result.no_deal
        ],
    }


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

    comparison = await solving(work)
    return page(
        request,
        "compare.html.j2",
        name=name,
        c=comparison,
        # Each regime's compute and risk as `compare` and the options memo print them.
        printed=comparison.regimes,
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
