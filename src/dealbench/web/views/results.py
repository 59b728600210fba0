"""What changed between two results: `dealbench diff RESULT_A RESULT_B` in the page, through
the same library calls (`analyze.diff.load_result`, `diff_results`).

A result is a solve of this session (a job's result, as its `result.json` would hold it) or
a `result.json` file under DEALS_DIR (`solve --out`, `compare --out`), chosen in a form.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dealbench.analyze.diff import diff_results, load_result
from dealbench.errors import DealbenchError, InputError, Issue
from dealbench.folders import unhidden
from dealbench.optimize import SolveResult
from dealbench.web.pages import page, refusal
from dealbench.web.security import confine
from dealbench.web.views.common import portfolio_files, relative, root

#: How a job's result is named in the form (`jobs/3`), beside the files' paths.
JOB_PREFIX = "jobs/"


def routes() -> list[Route]:
    return [Route("/diff", diff_page, name="diff")]


def choices(request: Request) -> list[tuple[str, str]]:
    """(value, label) of every result the form offers: this session's solves that ended
    with a result, newest first (they were listed by portfolio, then newest), then every
    result.json under DEALS_DIR."""
    names = {p.stem for p in portfolio_files(request)}
    found = [
        (
            f"{JOB_PREFIX}{j.id}",
            f"solve {j.id} of this session ({j.portfolio}, {j.described()})",
        )
        for j in request.app.state.jobs.newest()
        if j.portfolio in names and j.result is not None
    ]
    base = root(request)
    files = [p for p in unhidden(base, "result.json") if p.is_file()]
    return found + [(relative(request, p), relative(request, p)) for p in files]


def result_of(request: Request, field: str, value: str) -> tuple[SolveResult, str]:
    """The result a form field names, and its label (the solve, or the file's path)."""
    if not value:
        raise InputError(Issue(field, None, "", "choose a result"))
    if value.startswith(JOB_PREFIX):
        job = request.app.state.jobs.get(value.removeprefix(JOB_PREFIX))
        if job is None or job.result is None:
            raise InputError(
                Issue(
                    field,
                    None,
                    "",
                    f"no solve {value.removeprefix(JOB_PREFIX)!r} with a "
                    "result in this session (solves are kept while the server runs)",
                )
            )
        return job.result, f"solve {job.id} ({job.portfolio})"
    try:
        path = confine(root(request), value)
        return load_result(path), value
    except InputError as exc:  # said of the field, its file named as the user chose it
        # at its line, as `diff` says it (the line was dropped: "x/result.json: not a
        # dealbench result.json: invalid JSON (..., column 1)", column 1 of no line)
        said = [Issue(field, None, "", str(replace(i, file=value))) for i in exc.issues]
        raise InputError(said) from None


async def diff_page(request: Request) -> Response:
    """The form; with two results chosen, what changed from A to B, partner by partner."""
    a_value = request.query_params.get("a", "")
    b_value = request.query_params.get("b", "")
    context: dict[str, Any] = {
        "choices": choices(request),
        "a": a_value,
        "b": b_value,
        "refused": None,
    }
    if not a_value and not b_value:
        return page(request, "diff.html.j2", diff=None, **context)
    try:
        a, a_label = result_of(request, "a", a_value)
        b, b_label = result_of(request, "b", b_value)
    except DealbenchError as exc:  # the form as chosen, the field at fault marked
        context["refused"] = refused = refusal(exc, "diff", ("a", "b"))
        return page(request, "diff.html.j2", refused.status, diff=None, **context)
    found = diff_results(a, b, (a_label, b_label))
    return page(request, "diff.html.j2", diff=found, **context)
