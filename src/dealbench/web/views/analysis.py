"""Analysis in the browser: a solve's shadow prices and robustness, a package's risk
sampling, and sweeps (named scenarios, or one figure from A to B).

Each page makes the library call its CLI command makes (`solve --prices | --robust`,
`risk`, `sweep`), with the same arguments, and says what it found in the CLI's words.
A form with a bad field is shown again as typed, with the error naming the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dealbench.analyze.analysed import SAMPLES, SEED, check_analysis, nothing_uncertain
from dealbench.analyze.robust import check_level
from dealbench.analyze.uncertainty import RiskReport, Summary, risk_report
from dealbench.arguments import at_least_one, positive_seconds, seed_of, share_typed
from dealbench.errors import DealbenchError, InputError, Issue
from dealbench.figures import chips_of, h100e, quantity, usd
from dealbench.model import Package, Portfolio, load_package, load_portfolio
from dealbench.web.jobs import Job, until_finished
from dealbench.web.pages import FieldError, Refusal, Typed, page, refusal
from dealbench.web.security import confine
from dealbench.web.views.common import (
    DRAWING,
    checked_form,
    notes,
    off_loop,
    portfolio,
    portfolio_file,
    relative,
    root,
)
from dealbench.web.views.packages import (
    editor_refused,
    form_values,
    package_from_form,
    redline_files,
)

if TYPE_CHECKING:
    from dealbench.analyze.sweep import SweepResult

#: The most samples one page draws (the CLI takes any number; a page that asked for a
#: billion would hold the server's memory): 100 times the default.
MAX_SAMPLES = 1_000_000
#: A parameter sweep's values and bisections, as `sweep`'s defaults.
STEPS, REFINE = 11, 6
SCENARIOS = "scenarios"
#: Library parameters, said as the forms' fields (the CLI says `--param`, `--from`, ...).
FIELDS = {
    "path": "param",
    "start": "from",
    "stop": "to",
    "level": "robust",
    "items": "sets",
    "sets": "sets",
    "overrides": "sets",
}


def routes() -> list[Route]:
    return [
        Route("/p/{name}/risk", risk, methods=["GET", "POST"], name="risk"),
        Route("/p/{name}/sweep", sweep_form, name="sweep_form"),
        Route("/p/{name}/sweep", start_sweep, methods=["POST"], name="sweep"),
        Route("/sweeps/{job}", show_sweep, name="sweep_job"),
        Route("/sweeps/{job}/state", sweep_state, name="sweep_state"),
        Route("/sweeps/{job}/chart.svg", sweep_chart_svg, name="sweep_chart"),
        Route("/sweeps/{job}/chart.png", sweep_chart_png, name="sweep_chart_png"),
        Route("/sweeps/{job}/sweep.json", sweep_json, name="sweep_json"),
        Route("/sweeps/{job}/cancel", cancel_sweep, methods=["POST"], name="sweep_cancel"),
    ]


def field_name(argument: str) -> str:
    """A library parameter as the form's field."""
    return FIELDS.get(argument, argument)


def _text(form: Any, field: str) -> str:
    return str(form.get(field) or "").strip()


def whole(form: Any, field: str, default: int) -> int:
    """A whole number as typed in `field` (empty: `default`)."""
    text = _text(form, field).replace("_", "").replace(",", "")
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise InputError(
            Issue(field, None, "", f"expected a whole number, got {_text(form, field)!r}")
        ) from None


def samples_seed(form: Any) -> tuple[int, int]:
    """The samples and seed fields, checked as the library checks them."""
    samples = at_least_one(whole(form, "samples", SAMPLES), "samples", "sample")
    if samples > MAX_SAMPLES:
        raise InputError(
            Issue(
                "samples", None, "", f"expected at most {MAX_SAMPLES:,} in a page, got {samples:,}"
            )
        )
    return samples, seed_of(whole(form, "seed", SEED))


# --- a solve's prices and robustness (the solve form's options) --------------------------


def solve_analysis(form: Any, mode: str) -> dict[str, Any] | None:
    """The solve form's analysis options as `solve_with_analysis` keywords (None: a plain
    solve), checked before any process starts, as `solve --prices | --robust` checks them."""
    prices = str(form.get("prices") or "") == "yes"
    robust_text = _text(form, "robust")
    if not robust_text:
        for field in ("samples", "seed"):
            if _text(form, field):
                raise InputError(Issue(field, None, "", "only with a robust share"))
        if not prices:
            return None
    try:
        check_analysis(mode, prices)
    except InputError as exc:
        raise InputError(Issue("prices", None, "", exc.issues[0].message)) from None
    robust = None
    if robust_text:
        robust = share_typed(robust_text, "robust")  # as `solve --robust` reads it
        check_level(robust, "robust")
        if mode != "us-best":
            raise InputError(
                Issue("robust", None, "", f"a robust solve is for the us-best mode, not {mode}")
            )
    samples, seed = samples_seed(form)
    return {"prices": prices, "robust": robust, "samples": samples, "seed": seed}


def analysis_view(job: Job, pf: Portfolio) -> dict[str, Any]:
    """What a solve's page shows of its analyses (prices, robustness), when it had any."""
    from dealbench.analyze.analysed import Analysed

    found = job.output if isinstance(job.output, Analysed) else None
    if found is None:
        return {"prices": None, "robustness": None, "robust_note": None}
    return {
        "prices": found.prices,
        "robustness": found.robustness,
        "robust_note": nothing_uncertain(pf) if found.robustness is not None else None,
    }


# --- risk: a package's acceptance under uncertainty --------------------------------------


def _package_of(request: Request, form: Any, pf: Portfolio) -> tuple[Package, dict[str, str]]:
    """The package sampled: a package file (`package`), else the editor's fields."""
    source = _text(form, "package")
    if source:
        from dealbench.web.views.packages import field_values

        try:
            package = load_package(confine(root(request), source), pf)
        except InputError as exc:  # about the package the page was asked for (its link's)
            raise FieldError("package", exc) from None
        return package, {"partner": package.partner, **field_values(package, pf)}
    values = form_values(form) if isinstance(form, FormData) else {}
    values["partner"] = _text(form, "partner")
    return package_from_form(form, pf), values


async def risk(request: Request) -> Response:
    """`dealbench risk PACKAGE --portfolio P --samples N --seed S`: from the editor's fields
    (POST) or a package file (`?package=packages/ae-offer.yaml`)."""
    name = request.path_params["name"]
    pf = portfolio(request, name)
    form: Any = await checked_form(request) if request.method == "POST" else request.query_params
    # No note that the page's figures use the means: they are the samples' (`risk` prints
    # none), and the page lists the uncertain figures it draws. Its inputs' notes, as `risk`.
    context: dict[str, Any] = {
        **notes(request, pf, means=False),
        "name": name,
        "samples": _text(form, "samples") or str(SAMPLES),
        "seed": _text(form, "seed") or str(SEED),
        "source": _text(form, "package"),
        "values": {},
        "report": None,
        "refused": None,
        "package": None,
        "compute": {},
        "files": None,
    }
    if request.method == "GET" and not context["source"]:
        # The address the editor's "Sample acceptance" leaves, opened again (a new tab, a
        # bookmark): no package. It said "security: expected an id ..., got ''" about a
        # field the page has not; it offers the package files instead, as improve does.
        context["files"] = redline_files(request)
        return page(request, "risk.html.j2", **context)
    try:
        package, values = _package_of(request, form, pf)
        context.update(values={k: v for k, v in values.items() if k not in ("filename", "replace")})
        context["package"] = package
        context["compute"] = compute_words(pf, package)
        samples, seed = samples_seed(form)
        report = await off_loop(risk_report, pf, package, samples, seed)  # no solve
    except DealbenchError as exc:
        if context["package"] is None and not context["source"] and isinstance(form, FormData):
            return editor_refused(request, name, pf, form, exc)  # the editor's fields, as typed
        if not context["values"] and isinstance(form, FormData):
            context["values"] = {**form_values(form), "partner": _text(form, "partner")}
        # The package is the page's (a link's, or the editor's fields carried hidden): an
        # error about its file is a malformed request; samples and seed are typed here.
        refused = refusal(exc, "risk", ("samples", "seed"), hidden=("package",))
        context["refused"] = refused
        return page(request, "risk.html.j2", refused.status, **context)
    from dealbench.analyze.uncertainty import accept_said

    accepted = accept_said(report.partner, report.accept_probability)
    context.update(report=report, summaries=risk_summaries(report), accepted=accepted)
    return page(request, "risk.html.j2", **context)


def compute_words(pf: Portfolio, package: Package) -> dict[str, str]:
    """Period -> the package's compute in the unit the portfolio decides it in: chips of its
    model with their H100e (`12,000 B200 chips (27,287 H100e)`), as the editor shows them,
    or chips of another model as the file wrote them; else H100e."""
    chips = {**pf.granularity.in_chips(package.compute), **package.written_in_chips()}
    out = {}
    for t, x in package.compute.items():
        if t in chips:
            n, model = chips[t]
            out[t] = f"{chips_of(n, model)} ({h100e(x)} H100e)"
        else:
            out[t] = f"{h100e(x)} H100e"
    return out


def _count(value: float) -> str:
    return f"{quantity(value)}"


#: The histogram's drawing area (SVG user units), bars below a line of labels.
CHART_W, CHART_H, BAR_H = 560, 180, 140


def risk_summaries(report: RiskReport) -> list[dict[str, Any]]:
    """The two distributions `risk` prints (US value, risk, when the partner accepts), each
    with its quantiles and its histogram's bars, labelled as the CLI labels them."""
    out = []
    for title, summary, show in (
        ("US value when the partner accepts", report.us_value, usd),
        ("Risk when the partner accepts (risk-weighted H100e)", report.risk, _count),
    ):
        if summary is not None:
            out.append(_summary(title, summary, show))
    return out


def _summary(title: str, summary: Summary, show: Any) -> dict[str, Any]:
    edges, counts = summary.histogram.edges, summary.histogram.counts
    filled = [i for i, count in enumerate(counts) if count]
    # As the CLI: every sample one value as printed is no spread to draw.
    single = len(filled) == 1 and show(edges[filled[0]]) == show(edges[filled[0] + 1])
    top = max(counts) or 1
    width = CHART_W / max(len(counts), 1)
    bars = [
        {
            "x": round(i * width, 2),
            "y": round(BAR_H - BAR_H * count / top, 2),
            "width": round(width - 2, 2),
            "height": round(BAR_H * count / top, 2),
            "low": show(edges[i]),
            "high": show(edges[i + 1]),
            "count": count,
        }
        for i, count in enumerate(counts)
    ]
    return {
        "title": title,
        "mean": show(summary.mean),
        "single": single,
        "quantiles": [(q, show(v), v) for q, v in summary.quantiles.items()],
        "bars": bars,
        "chart": {"width": CHART_W, "height": CHART_H, "bar_height": BAR_H},
        "first": show(edges[0]),
        "last": show(edges[-1]),
    }


# --- sweeps --------------------------------------------------------------------------------


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
    "scenarios": ("scenarios", "sets", "time_limit"),
    "param": ("param", "from", "to", "steps", "refine", "sets", "time_limit"),
}


def sweep_arguments(
    request: Request, form: Any, pf: Portfolio
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The sweep form as `sweep_job`'s arguments, checked in `sweep`'s order (nothing is
    solved before every field is good), and what the page says of the sweep."""
    from dealbench.analyze.scenarios import apply_overrides, load_scenarios, parse_set
    from dealbench.analyze.sweep import check_steps, sweep_values

    kind = _text(form, "kind")
    if kind not in ("scenarios", "param"):
        raise InputError(Issue("kind", None, "", "expected a scenarios file or a parameter"))
    sets = [line.strip() for line in str(form.get("sets") or "").splitlines() if line.strip()]
    text = _text(form, "time_limit")
    try:
        seconds = float(text) if text else None
    except ValueError:
        raise InputError(
            Issue("time_limit", None, "", f"expected a number, got {text!r}")
        ) from None
    time_limit = positive_seconds(seconds)
    overrides = parse_set(sets, "sets")
    base = apply_overrides(pf, overrides)
    described: dict[str, Any] = {"kind": kind, "sets": sets, "time_limit": time_limit}
    if kind == "scenarios":
        chosen = _text(form, "scenarios")
        if not chosen:
            raise InputError(Issue("scenarios", None, "", "choose a scenarios file"))
        try:  # a file outside the folder, or not a scenarios file: about the field
            path = confine(root(request), chosen)
            if not path.is_file():
                raise InputError(Issue(chosen, None, "", "no such file under the deals folder"))
            loaded = load_scenarios(path, base)
        except InputError as exc:
            raise FieldError("scenarios", exc) from None
        described["scenarios"] = chosen
        return (pf, overrides, loaded, None, time_limit), described
    param = _text(form, "param")
    if not param:
        raise InputError(Issue("param", None, "", "give the --set path to sweep"))
    start, stop = _text(form, "from"), _text(form, "to")
    for field, given in (("from", start), ("to", stop)):
        if not given:
            raise InputError(Issue(field, None, "", "needs a value, in the path's unit"))
    steps, refine = whole(form, "steps", STEPS), whole(form, "refine", REFINE)
    check_steps(steps, refine)
    sweep_values(base, param, start, stop, steps)  # the library's refusals, before any solve
    arguments = {"path": param, "start": start, "stop": stop, "steps": steps, "refine": refine}
    described.update(param=param, start=start, stop=stop, steps=steps, refine=refine)
    return (pf, overrides, None, arguments, time_limit), described


async def start_sweep(request: Request) -> Response:
    """Check the form, start the sweep beside the server (as a solve), show its page."""
    from starlette.concurrency import run_in_threadpool

    from dealbench.web.work import sweep_job

    name = request.path_params["name"]
    form = await checked_form(request)
    path = portfolio_file(request, name)
    pf = load_portfolio(path)
    try:
        args, described = sweep_arguments(request, form, pf)
    except DealbenchError as exc:  # the form again, as typed, its fields at fault marked
        kind = _text(form, "kind")
        fields = SWEEP_FIELDS.get(kind, ())
        refused = refusal(exc, f"sweep-{kind}", fields, hidden=("kind",), rename=field_name)
        return sweep_page(request, name, pf, Typed.of(f"sweep-{kind}", form), refused)
    job = await run_in_threadpool(
        request.app.state.jobs.start, name, described, sweep_job, args, "sweep"
    )
    job.cache["portfolio"] = noted(pf, args[1], described)
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
    from dealbench.analyze.sweep_words import change_sentences, row_labels, utility_labels
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
