"""A solve's job: its page (the result, its charts, why partners have no deal), its state,
its charts and its cancelling."""

from __future__ import annotations

import math
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from dealbench.analyze.analysed import Analysed
from dealbench.analyze.scenarios import load_scenario
from dealbench.errors import InputError, Issue
from dealbench.model import Portfolio
from dealbench.optimize import SolveResult
from dealbench.optimize.explain.no_deal import no_deal_reasons
from dealbench.optimize.reasons import NOT_EXPLAINED
from dealbench.result_words import (
    MAX_EXPLAINED,
    floor_sentence,
    message_after,
    rows_words,
    schedule_line,
    supply_line,
    supply_unbound_words,
    walk_away_words,
)
from dealbench.web.jobs import Job, solve_job, until_finished
from dealbench.web.pages import page
from dealbench.web.views import analysis
from dealbench.web.views.common import (
    DRAWING,
    checked_form,
    notes,
    portfolio_file,
    solving,
)
from dealbench.web.work import analysed_solve_job


def routes() -> list[Route]:
    return [
        Route("/jobs/{job}", show_job, name="job"),
        Route("/jobs/{job}/state", job_state, name="job_state"),
        Route("/jobs/{job}/charts/{n:int}.svg", job_chart, name="job_chart"),
        Route("/jobs/{job}/cancel", cancel_job, methods=["POST"], name="cancel"),
        Route("/jobs/{job}/explain-all", explain_all, methods=["POST"], name="explain_all"),
    ]


async def start_solve_job(request: Request, name: str, pf: Portfolio, asked: dict[str, Any]) -> Job:
    """Start the solve `asked` (the solve form's options, as its job keeps them) of `pf`,
    `solve`'s library call with its analyses and `--explain-all` as asked."""
    options = {k: asked[k] for k in ("mode", "solver", "gap", "time_limit", "v_floor")}
    limit = None if asked.get("explain_all") else MAX_EXPLAINED
    analysed = asked.get("analysis") or None
    work, args = (
        (solve_job, (pf, options, limit))
        if analysed is None
        else (analysed_solve_job, (pf, options, analysed, limit))
    )
    job: Job = await run_in_threadpool(request.app.state.jobs.start, name, asked, work, args)
    job.cache["portfolio"] = pf  # what the result is of, even if the file changes meanwhile
    return job


async def explain_all(request: Request) -> Response:
    """A solve's partners without a deal past the first `MAX_EXPLAINED`, explained in one
    action: the same solve again, every partner explained, as `solve --explain-all`."""
    await checked_form(request)
    job = job_of(request)
    if job.kind != "solve":
        raise HTTPException(404, "No such solve.")
    asked = {**job.options, "explain_all": True}
    again = await start_solve_job(request, job.portfolio, solved_portfolio(request, job), asked)
    return RedirectResponse(request.url_for("job", job=again.id), status_code=303)


def job_of(request: Request) -> Job:
    job: Job | None = request.app.state.jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404, "No such solve (solves are kept while the server runs).")
    return job


async def show_job(request: Request) -> Response:
    job = job_of(request)
    if job.kind != "solve":  # a sweep's page is its own
        return RedirectResponse(request.url_for(f"{job.kind}_job", job=job.id), status_code=303)
    # The state is read once: the job may end while the page is drawn, and a page drawn
    # as "done" without its result was a 500.
    state = job.state
    context: dict[str, Any] = {"job": job, "name": job.portfolio, "state": state}
    if state == "done" and job.result is not None:
        pf = solved_portfolio(request, job)
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
            job.cache["unexplained"] = any(r.reason == NOT_EXPLAINED for r in reasons)
        if "charts" not in job.cache:
            job.cache["charts"] = result_charts(pf, job.result)
        context.update(result_view(pf, job.result, job.cache["no_deal"], job.cache["charts"]))
        context.update(analysis.analysis_view(job, pf))
        context["unexplained"] = job.cache["unexplained"]
        # As `solve`: a robust solve's packages are chosen over the samples, so it does not
        # say that its figures use the means (it says when nothing is uncertain instead).
        context.update(notes(request, pf, means=context["robustness"] is None))
    return page(request, "job.html.j2", **context)


def solved_portfolio(request: Request, job: Job) -> Portfolio:
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
    job = job_of(request)
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
    job = job_of(request)
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
    from dealbench.render.glossary import GLOSSARY

    names = {p.code: p.name for p in pf.partners}
    size = {"width": round(WIDTH_IN * 96), "height": round(HEIGHT_IN * 96)}  # CSS pixels
    return {
        "result": result,
        # What `solve` says of the step and of rounding, in its words (`result_words`).
        "schedule": schedule_line(result),
        "walk_away": walk_away_words(result),  # what the partners' total counts besides deals
        # The supply each period used, and what the table's columns add up to, as `solve`.
        "supply": supply_line(result),
        "rows_note": rows_words(result),
        # The deals table's two partner columns: `solve`'s utility, the memo's margin
        "margin_words": dict(GLOSSARY)["Partner margin"],
        "supply_unbound": supply_unbound_words(result),  # full, binding no one, as `solve`
        "message_after": message_after(result) or floor_sentence(result),
        "charts": [{"caption": c.caption, "description": c.description, **size} for c in drawn],
        "no_deal": [
            {"code": c, "name": names.get(c, c), "reason": reasons.get(c, "")}
            for c in result.no_deal
        ],
    }


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
