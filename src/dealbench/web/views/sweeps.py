"""Sweeps in the browser: named scenarios, or one figure from A to B, solved beside the
server as `dealbench sweep` solves them, with the sweep's page, chart and downloads.

The form makes the library call `sweep` makes, with the same arguments, checked before
anything is solved; a form with a bad field is shown again as typed, the field named.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dealbench.arguments import number_typed, positive_seconds
from dealbench.errors import DealbenchError, InputError, Issue
from dealbench.list_words import unknown
from dealbench.model import Portfolio, load_portfolio
from dealbench.web.jobs import Job, until_finished
from dealbench.web.pages import Faults, FieldError, Refusal, Typed, page, refusal
from dealbench.web.security import confine
from dealbench.web.views.analysis import field_name, form_text, whole
from dealbench.web.views.common import (
    DRAWING,
    checked_form,
    notes,
    portfolio,
    portfolio_file,
    refuse_unread,
    relative,
    root,
    sent_form,
)
from dealbench.web.views.portfolios import solve_regimes

if TYPE_CHECKING:
    from dealbench.analyze.sweep import SweepResult

#: A parameter sweep's values and bisections, as `sweep`'s defaults.
STEPS, REFINE = 11, 6
SCENARIOS = "scenarios"


def routes() -> list[Route]:
    return [
        Route("/p/{name}/sweep", sweep_form, name="sweep_form"),
        Route("/p/{name}/sweep", start_sweep, methods=["POST"], name="sweep"),
        Route("/sweeps/{job}", show_sweep, name="sweep_job"),
        Route("/sweeps/{job}/state", sweep_state, name="sweep_state"),
        Route("/sweeps/{job}/chart.svg", sweep_chart_svg, name="sweep_chart"),
        Route("/sweeps/{job}/chart.png", sweep_chart_png, name="sweep_chart_png"),
        Route("/sweeps/{job}/sweep.json", sweep_json, name="sweep_json"),
        Route("/sweeps/{job}/cancel", cancel_sweep, methods=["POST"], name="sweep_cancel"),
    ]


def scenario_files(request: Request) -> list[str]:
    """The scenarios files under DEALS_DIR/scenarios, by name."""
    folder = root(request) / SCENARIOS
    files = sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []
    return [relative(request, p) for p in files]


def sweep_page(
    request: Request,
    name: str,
    pf: Portfolio,
    typed: Typed | None = None,
    refused: Refusal | None = None,
) -> Response:
    """The sweep forms; with `refused`, the form sent holding what was `typed`, the fields
    at fault marked, the refusal at the top."""
    return page(
        request,
        "sweep_form.html.j2",
        refused.status if refused is not None else 200,
        name=name,
        title=pf.title,
        files=scenario_files(request),
        regimes=solve_regimes(request, name),
        policy=pf.policy.id,
        typed=typed or Typed(),
        refused=refused,
        defaults={"steps": STEPS, "refine": REFINE},
        sweeps=request.app.state.jobs.for_portfolio(name, "sweep"),
        **notes(request, pf),
    )


async def sweep_form(request: Request) -> Response:
    name = request.path_params["name"]
    return sweep_page(request, name, portfolio(request, name))


#: The fields of each sweep form a user fills (`kind` is the page's: a malformed request).
SWEEP_FIELDS = {
    "scenarios": ("scenarios", "policy", "sets", "time_limit"),
    "param": ("param", "from", "to", "steps", "refine", "policy", "sets", "time_limit"),
}


def sweep_arguments(
    request: Request, form: Any, pf: Portfolio
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The sweep form as `sweep_job`'s arguments, checked as `sweep` checks them (nothing is
    solved before every field is good), and what the page says of the sweep. Every field's
    fault is said at once: refused one at a time, a form of five fields took five sends."""
    from dealbench.analyze.scenarios import apply_overrides, parse_set
    from dealbench.model.regimes import find_regime, under_regime

    kind = form_text(form, "kind")
    if kind not in ("scenarios", "param"):
        raise InputError(Issue("kind", None, "", "expected a scenarios file or a parameter"))
    faults = Faults(field_name)
    sets = [line.strip() for line in str(form.get("sets") or "").splitlines() if line.strip()]
    time_limit = faults.checked(lambda: _seconds(form_text(form, "time_limit")))
    policy = form_text(form, "policy") or None  # `sweep --policy`: by name, as solve's form
    if policy is not None:
        name = request.path_params["name"]
        regimes = solve_regimes(request, name)
        if policy in regimes:
            pf = under_regime(pf, find_regime(policy, portfolio_file(request, name), "policy"))
        else:
            faults.add(Issue("policy", None, "", unknown("regime", policy, regimes)))
    overrides = faults.checked(lambda: parse_set(sets, "sets"))
    base = None if overrides is None else faults.checked(lambda: apply_overrides(pf, overrides))
    described: dict[str, Any] = {
        "kind": kind,
        "policy": policy or "",
        "sets": sets,
        "time_limit": time_limit,
    }
    if kind == "scenarios":
        loaded = _scenarios(request, form, base, faults)
        described["scenarios"] = form_text(form, "scenarios")
        return (pf, overrides, loaded, None, time_limit), described
    arguments = _param_arguments(form, base, faults)
    if overrides is not None and arguments["path"]:  # as `sweep_param` refuses it
        from dealbench.analyze.sweep import check_swept

        faults.checked(partial(check_swept, arguments["path"], overrides))
    faults.raise_any()
    described.update({"param" if k == "path" else k: v for k, v in arguments.items()})
    return (pf, overrides, None, arguments, time_limit), described


def _seconds(text: str) -> float | None:
    """The time limit typed (empty: none), checked as `--time-limit` and quoted as typed."""
    return positive_seconds(number_typed(text, "time_limit") if text else None)


def _scenarios(request: Request, form: Any, base: Portfolio | None, faults: Faults) -> Any:
    """The scenarios file chosen, loaded over `base` once the other fields are good (its
    own faults name its lines: the field's alone)."""
    from dealbench.analyze.scenarios import load_scenarios

    chosen = form_text(form, "scenarios")
    if not chosen:
        faults.add(Issue("scenarios", None, "", "choose a scenarios file"))
    faults.raise_any()
    assert base is not None
    try:  # a file outside the folder, or not a scenarios file: about the field
        path = confine(root(request), chosen)
        if not path.is_file():
            raise InputError(Issue(chosen, None, "", "no such file under the deals folder"))
        return load_scenarios(path, base)
    except InputError as exc:
        raise FieldError("scenarios", exc) from None


def _param_arguments(form: Any, base: Portfolio | None, faults: Faults) -> dict[str, Any]:
    """A parameter sweep's path, bounds, steps and bisections, each field checked by the
    library's calls (`parse_bound`, `check_steps`, `sweep_values`), before any solve."""
    from dealbench.analyze.sweep import check_steps, parse_bound, sweep_values

    param = form_text(form, "param")
    if not param:
        faults.add(
            Issue(
                "param",
                None,
                "",
                "give the path of the figure to sweep, such as policy.risk_penalty_per_h100e",
            )
        )
    start, stop = form_text(form, "from"), form_text(form, "to")
    for field, argument, given in (("from", "start", start), ("to", "stop", stop)):
        if not given:
            faults.add(Issue(field, None, "", "needs a value, in the path's unit"))
        elif param and base is not None:
            faults.checked(partial(parse_bound, base, param, given, argument))
    steps = faults.checked(lambda: whole(form, "steps", STEPS))
    refine = faults.checked(lambda: whole(form, "refine", REFINE))
    if steps is not None and refine is not None:
        faults.checked(lambda: check_steps(steps, refine))
    if not faults.issues and base is not None and steps is not None:
        sweep_values(base, param, start, stop, steps)  # one step for two ends, and such
    return {"path": param, "start": start, "stop": stop, "steps": steps, "refine": refine}


async def start_sweep(request: Request) -> Response:
    """Check the form, start the sweep beside the server (as a solve), show its page."""
    from starlette.concurrency import run_in_threadpool

    from dealbench.web.work import sweep_job

    name = request.path_params["name"]
    form = await sent_form(request)
    path = portfolio_file(request, name)
    pf = load_portfolio(path)
    try:
        refuse_unread(form)
        args, described = sweep_arguments(request, form, pf)
    except DealbenchError as exc:  # the form again, as typed, its fields at fault marked
        kind = form_text(form, "kind")
        fields = SWEEP_FIELDS.get(kind, ())
        refused = refusal(exc, f"sweep-{kind}", fields, hidden=("kind",), rename=field_name)
        return sweep_page(request, name, pf, Typed.of(f"sweep-{kind}", form), refused)
    job = await run_in_threadpool(
        request.app.state.jobs.start, name, described, sweep_job, args, "sweep"
    )
    job.cache["portfolio"] = noted(args[0], args[1], described)  # under the regime asked
    return RedirectResponse(request.url_for("sweep_job", job=job.id), status_code=303)


def noted(pf: Portfolio, overrides: dict[str, Any], described: dict[str, Any]) -> Portfolio:
    """The portfolio whose figures given as distributions the sweep's page notes, as `sweep`
    notes them: every row counts them at their means but the one swept (noted at the first
    value it takes, where it is a number)."""
    from dealbench.analyze.scenarios import apply_overrides

    base = apply_overrides(pf, overrides)
    if described["kind"] != "param":
        return base
    return apply_overrides(base, {described["param"]: described["start"]})


def _sweep(request: Request) -> Job:
    job: Job | None = request.app.state.jobs.get(request.path_params["job"])
    if job is None or job.kind != "sweep":
        raise HTTPException(404, "No such sweep (sweeps are kept while the server runs).")
    return job


async def show_sweep(request: Request) -> Response:
    from dealbench.analyze.sweep import SweepResult
    from dealbench.analyze.sweep_words import (
        change_sentences,
        first_lost,
        row_labels,
        utility_labels,
    )
    from dealbench.render.sweep_chart import sweep_chart

    job = _sweep(request)
    state = job.state  # read once: the job may end while the page is drawn
    context: dict[str, Any] = {"job": job, "name": job.portfolio, "state": state, "s": None}
    context["svg_name"] = download_name(job, "svg")
    result = job.output
    if state == "done" and isinstance(result, SweepResult):
        stopped = [
            label
            for label, r in zip(row_labels(result), result.rows, strict=True)
            if r.status == "time-limit"
        ]
        chart = sweep_chart(result.model_dump(mode="json"))
        context.update(
            s=result,
            labels=row_labels(result),
            utilities=utility_labels(result),
            sentences=change_sentences(result),
            lost=first_lost(result),
            stopped=stopped,
            caption=chart.caption,
            description=chart.description,
        )
    pf = job.cache.get("portfolio")
    context.update(notes(request, pf) if isinstance(pf, Portfolio) else {})
    return page(request, "sweep.html.j2", **context)


#: A sweep's page asks for its state at most this often, to show its progress.
PROGRESS_WAIT = 1.0


async def sweep_state(request: Request) -> Response:
    """The sweep's state and progress, answered when it ends or after a second at most (the
    page shows how many solves are done meanwhile)."""
    from starlette.responses import JSONResponse

    job = _sweep(request)
    if job.state == "running" and request.query_params.get("wait"):
        await until_finished(job, PROGRESS_WAIT)
    return JSONResponse(job.summary())


def _swept(request: Request) -> tuple[Job, SweepResult]:
    """The finished sweep of the request, and its result (404 while it runs)."""
    from dealbench.analyze.sweep import SweepResult

    job = _sweep(request)
    result = job.output
    if job.state != "done" or not isinstance(result, SweepResult):
        raise HTTPException(404, "Nothing to download: the sweep has not finished.")
    return job, result


async def _sweep_chart(request: Request, kind: Literal["svg", "png"]) -> Any:
    """The sweep's chart (`sweep --out`'s charts/sweep.svg or .png), drawn once a kind."""
    from starlette.concurrency import run_in_threadpool

    job, result = _swept(request)

    def draw() -> Any:
        from dealbench.render import charts
        from dealbench.render.sweep_chart import sweep_chart

        with DRAWING:
            if kind not in job.cache:
                chart = sweep_chart(result.model_dump(mode="json"))
                job.cache[kind] = charts.svg(chart) if kind == "svg" else charts.png(chart)
        return job.cache[kind]

    return job.cache.get(kind) or await run_in_threadpool(draw)


async def sweep_chart_svg(request: Request) -> Response:
    """The sweep's chart as SVG (shown on its page)."""
    return Response(await _sweep_chart(request, "svg"), media_type="image/svg+xml")


def download_name(job: Job, extension: str) -> str:
    """The file name a sweep's download is saved under: its portfolio and number with
    `sweep --out`'s name (every sweep's was "sweep.json", saved as "sweep (1).json", "sweep
    (2).json"... which only opening them told apart)."""
    return f"sweep-{job.portfolio}-{job.id}.{extension}"


def _attachment(job: Job, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{download_name(job, extension)}"'}


async def sweep_chart_png(request: Request) -> Response:
    """The sweep's chart as PNG, to download."""
    return Response(
        await _sweep_chart(request, "png"),
        media_type="image/png",
        headers=_attachment(_sweep(request), "png"),
    )


async def sweep_json(request: Request) -> Response:
    """The sweep as `sweep --out` writes sweep.json (and `sweep --json` prints it)."""
    job, result = _swept(request)
    return Response(
        result.file_bytes(),
        media_type="application/json",
        headers=_attachment(job, "json"),
    )


async def cancel_sweep(request: Request) -> Response:
    await checked_form(request)
    job = _sweep(request)
    request.app.state.jobs.cancel(job.id)
    return RedirectResponse(request.url_for("sweep_job", job=job.id), status_code=303)
