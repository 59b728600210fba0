"""Improvements of a package (logrolling): `dealbench improve PACKAGE --portfolio P [--hold
FILE]... [--top N] [--all-variants]` in the page, through the same library calls
(`checker.evaluate`, `negotiate.concession_ranking`, `negotiate.improvements`).

The package is a file (packages/ or a round) chosen in the page's form, or the package
editor's fields as they stand ("Find improvements").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dealbench.checker import evaluate
from dealbench.errors import DealbenchError, InputError, Issue
from dealbench.model import Package, Portfolio
from dealbench.negotiate import concession_ranking, improvements, none_found
from dealbench.web.pages import page, refusal
from dealbench.web.views.common import (
    checked_form,
    chosen_package,
    notes,
    off_loop,
    portfolio,
)
from dealbench.web.views.packages import editor_refused, package_from_form, redline_files

#: `--top`'s default.
TOP = 10
#: The fields of the improve form a user fills.
IMPROVE_FIELDS = ("package", "hold", "top", "all_variants")

#: What gives the package to improve (None: none chosen yet) and the packages held.
Loader = Callable[[], tuple[Package | None, list[Package]]]


def routes() -> list[Route]:
    return [
        Route("/p/{name}/improve", improve_page, name="improve"),
        Route("/p/{name}/improve", improve_fields, methods=["POST"], name="improve_fields"),
    ]


def top_of(typed: str) -> int:
    """`top`: how many improvements to show (--top, at least 1; empty: 10)."""
    text = typed.strip()
    if not text:
        return TOP
    if not text.isdigit() or int(text) < 1:
        raise InputError(
            Issue("top", None, "", f"expected a whole number at least 1, got {text!r}")
        )
    return int(text)


def findings(
    pf: Portfolio, package: Package, others: list[Package], top: int, every_variant: bool
) -> dict[str, Any]:
    """What `improve` prints: the package's figures, its concessions ranked, the improvements."""
    base = evaluate(pf, package)
    return {
        "base": base,
        "ranking": concession_ranking(pf, package.partner),
        "found": improvements(pf, package, others, top=top, every_variant=every_variant),
        "none_found": none_found(base, bool(others)),
    }


def _fields(fields: QueryParams | FormData) -> dict[str, Any]:
    """The form's fields as typed (shown again, valid or not)."""
    return {
        "package": str(fields.get("package") or ""),
        "hold": [str(v) for v in fields.getlist("hold") if str(v)],
        "top": str(fields.get("top") or ""),
        "all_variants": fields.get("all_variants") == "yes",
    }


async def _answer(
    request: Request, name: str, pf: Portfolio, typed: dict[str, Any], load: Loader
) -> Response:
    """The page: the form holding `typed`, and `load()`'s package improved (or the refusal
    naming the field, status 400)."""
    context: dict[str, Any] = {
        "name": name,
        "files": redline_files(request),
        "typed": typed,
        **notes(request, pf),
        "refused": None,
    }
    try:
        top = top_of(typed["top"])
        package, others = load()
        if package is None:
            return page(request, "improve.html.j2", result=None, **context)
        # Checks and the trades' arithmetic: no solver runs (`off_loop`).
        result = await off_loop(findings, pf, package, others, top, typed["all_variants"])
    except DealbenchError as exc:  # the form as typed, the field at fault marked
        context["refused"] = refused = refusal(exc, "improve", IMPROVE_FIELDS)
        return page(request, "improve.html.j2", refused.status, result=None, **context)
    return page(request, "improve.html.j2", result=result, **context)


def _held(request: Request, pf: Portfolio, files: list[str]) -> list[Package]:
    """`--hold`: other partners' packages, held fixed."""
    return [chosen_package(request, pf, "hold", f) for f in files]


async def improve_page(request: Request) -> Response:
    """The form; with a package file chosen, its improvements."""
    name = request.path_params["name"]
    pf = portfolio(request, name)
    typed = _fields(request.query_params)

    def load() -> tuple[Package | None, list[Package]]:
        if not typed["package"]:
            return None, []
        package = chosen_package(request, pf, "package", typed["package"])
        return package, _held(request, pf, typed["hold"])

    return await _answer(request, name, pf, typed, load)


async def improve_fields(request: Request) -> Response:
    """The package editor's fields as they stand, improved ("Find improvements")."""
    form = await checked_form(request)
    name = request.path_params["name"]
    pf = portfolio(request, name)
    typed = {**_fields(form), "package": ""}
    try:
        package = package_from_form(form, pf)
    except DealbenchError as exc:  # the editor's fields: the editor again, as typed
        return editor_refused(request, name, pf, form, exc)

    def load() -> tuple[Package | None, list[Package]]:
        return package, _held(request, pf, typed["hold"])

    return await _answer(request, name, pf, typed, load)
