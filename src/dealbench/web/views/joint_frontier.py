"""The frontier with every other deal re-optimized at each point: `dealbench frontier
PORTFOLIO --partner CODE --jointly` as a job beside the server (seconds of solves: its
progress, Cancel, and its page when done), as solves and sweeps run.

The page shows what the CLI prints (its table, the points off the step, the marked points,
the Nash bound, the zone of agreement, the notes: `negotiate.frontier_words`) and the
frontier's chart as the negotiation's frontier pages draw theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dealbench.arguments import frontier_points, one_of, relative_gap, share_typed
from dealbench.errors import InputError, Issue
from dealbench.model import Portfolio
from dealbench.negotiate.chart import chart_stem, out_files
from dealbench.negotiate.frontier import AXES, Axis, Frontier
from dealbench.negotiate.frontier_words import frontier_words
from dealbench.web.chart import frontier_chart
from dealbench.web.jobs import Job
from dealbench.web.views.common import notes, off_loop
from dealbench.web.views.frontier_files import file_names, file_response
from dealbench.web.views.solve_jobs import job_state

#: The job's kind (its page is `frontier_job`).
KIND = "frontier"
#: `frontier`'s default number of points, axis and gap (`--points`, `--axis`, `--gap`).
POINTS = 25
AXIS = "partner"
GAP = "1e-6"

T = TypeVar("T")


def routes() -> list[Route]:
    # The form's POST route is the negotiation's (`negotiation.post_joint_frontier`): a
    # refusal is shown in the negotiation page, the form as typed.
    return [
        Route("/frontiers/{job}", show_joint_frontier, name="frontier_job"),
        # Its state and Cancel are a solve's (`/jobs/{job}/cancel`): one runner, one way.
        Route("/frontiers/{job}/state", job_state, name="frontier_state"),
        Route("/frontiers/{job}/{file}", joint_frontier_file, name="frontier_file"),
    ]


def joint_frontiers(request: Request, name: str, code: str) -> list[Job]:
    """This session's joint frontiers of `code` in portfolio `name`, newest first."""
    jobs: list[Job] = request.app.state.jobs.for_portfolio(name, KIND)
    return [j for j in jobs if j.options.get("partner") == code]


#: The form's fields (its refusal marks them, in the negotiation page: `negotiation`).
FIELDS = ("points", "axis", "gap")


def _points(form: Any) -> int:
    """The form's number of points, checked as `frontier --points` checks it ('all' is for
    one partner with the others held)."""
    text = str(form.get("points") or "").strip() or str(POINTS)
    n = frontier_points(text)
    if not isinstance(n, int):
        raise InputError(
            Issue(
                "points", None, "", "give a number: 'all' is for the frontier with the others held"
            )
        )
    return n


def joint_options(form: Any) -> tuple[int, Axis, float]:
    """The form's points, axis and gap, checked as `frontier --jointly` checks `--points`,
    `--axis` and `--gap` (the library's calls, in its words), each field's fault at once."""
    issues: list[Issue] = []

    def checked(field: str, check: Callable[[], T]) -> T | None:
        try:
            return check()
        except InputError as exc:  # an ArgumentError names its argument: the field
            issues.extend(replace(i, file=field) for i in exc.issues)
            return None

    points = checked("points", lambda: _points(form))
    axis = checked("axis", lambda: one_of(str(form.get("axis") or AXIS), AXES, "axis", "axis"))
    text = str(form.get("gap") or "").strip() or GAP
    gap = checked("gap", lambda: relative_gap(share_typed(text, "gap")))
    if issues:
        raise InputError(issues)
    assert points is not None and axis is not None and gap is not None
    return points, axis, gap


def command_line(code: str, points: int, axis: str, gap: float) -> str:
    """The CLI's command for the joint frontier the form asked for (its defaults left out)."""
    words = [f"dealbench frontier --partner {code} --jointly --points {points}"]
    if axis != AXIS:
        words.append(f"--axis {axis}")
    if gap != float(GAP):
        words.append(f"--gap {gap:g}")
    return " ".join(words)


async def start_joint_frontier(request: Request, form: Any, pf: Portfolio, code: str) -> Response:
    """Check the form (before any process), start the joint frontier beside the server, and
    show its page. The negotiation's POST route calls it, and shows a refusal in its page."""
    from dealbench.web.work import joint_frontier_job

    points, axis, gap = joint_options(form)
    name = request.path_params["name"]
    options = {
        "mode": "frontier --jointly",
        "partner": code,
        "points": points,
        "axis": axis,
        "gap": gap,
        "command": command_line(code, points, axis, gap),
    }
    job = await run_in_threadpool(
        request.app.state.jobs.start,
        name,
        options,
        joint_frontier_job,
        (pf, code, points, gap, axis),
        KIND,
    )
    job.cache["portfolio"] = pf
    return RedirectResponse(request.url_for("frontier_job", job=job.id), status_code=303)


def _frontier_job(request: Request) -> Job:
    job: Job | None = request.app.state.jobs.get(request.path_params["job"])
    if job is None or job.kind != KIND:
        raise HTTPException(404, "No such frontier (frontiers are kept while the server runs).")
    return job


async def show_joint_frontier(request: Request) -> Response:
    from dealbench.web.pages import page

    job = _frontier_job(request)
    state = job.state  # read once: the job may end while the page is drawn
    code = job.options["partner"]
    context: dict[str, Any] = {"job": job, "name": job.portfolio, "code": code, "state": state}
    pf = job.cache.get("portfolio")
    if isinstance(pf, Portfolio):
        context.update(partner=pf.partner(code), **notes(request, pf))
    curve = job.output
    if state == "done" and isinstance(curve, Frontier):
        if "chart" not in job.cache:
            job.cache["chart"] = frontier_chart(curve, [])  # jointly, no round is drawn
        context.update(curve=curve, chart=job.cache["chart"], words=frontier_words(curve))
        context["files"] = frontier_files(job)
        context["files_base"] = f"/frontiers/{job.id}/"
        o = job.options
        command = o.get("command") or command_line(code, o["points"], AXIS, float(GAP))
        context["files_command"] = f"{command} --out DIR"
        context["frame"] = "jointly"
    return page(request, "frontier_job.html.j2", **context)


def frontier_files(job: Job) -> list[tuple[str, str]]:
    """A done joint frontier's downloads: each file `frontier --out` writes (frontier-KZ.json,
    or frontier-KZ-risk.json on the risk axis), with the name it is saved under: the
    portfolio's and the job's number after it, as a sweep's (every joint frontier of KZ was
    otherwise "frontier-KZ.json", saved as "frontier-KZ (1).json", ...)."""
    stem = chart_stem(job.options["partner"], job.options.get("axis", AXIS))
    return file_names(stem, f"{stem}-{job.portfolio}-{job.id}")


async def joint_frontier_file(request: Request) -> Response:
    """One of a done joint frontier's files, to download under its own name."""
    job = _frontier_job(request)
    curve = job.output
    file = str(request.path_params["file"])
    if job.state != "done" or not isinstance(curve, Frontier):
        raise HTTPException(404, f"No file {file!r} of frontier {job.id}: it has not ended.")
    if "files" not in job.cache:  # drawn once (a chart: a second or so); jointly no round is
        job.cache["files"] = await off_loop(out_files, curve)
    return file_response(job.cache["files"], frontier_files(job), file)
