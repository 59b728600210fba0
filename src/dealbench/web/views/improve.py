"""Improvements of a package (logrolling): `dealbench improve PACKAGE --portfolio P [--hold
FILE]... [--top N] [--all-variants]` in the page, through the same library calls
(`checker.evaluate`, `negotiate.concession_ranking`, `negotiate.improvements`, and
`logroll.held_beside`: a round file is improved beside the deals concluded in its rounds
folder).

The package is a file (packages/ or a round) chosen in the page's form, or the package
editor's fields as they stand ("Find improvements").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dealbench.checker import evaluate
from dealbench.errors import DealbenchError, InputError, Issue
from dealbench.model import Package, Portfolio
from dealbench.negotiate import concession_ranking, improvements, none_found
from dealbench.negotiate.logroll import UNHELD, Held, held_beside
from dealbench.web.pages import CHOOSES, Faults, page, refusal, served
from dealbench.web.security import confine
from dealbench.web.views.common import (
    address_form,
    chosen_package,
    notes,
    off_loop,
    portfolio,
    refuse_unread,
    root,
    sent_form,
)
from dealbench.web.views.packages import (
    PACKAGES,
    editor_refused,
    field_values,
    file_partner,
    package_from_form,
    redline_files,
    typed_address,
)

#: `--top`'s default.
TOP = 10
#: The fields of the improve form a user fills.
IMPROVE_FIELDS = ("package", "hold", "top", "all_variants")

#: What gives the package to improve (None: none chosen yet) and the packages held.
Loader = Callable[[Faults], tuple[Package | None, Held]]


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
    pf: Portfolio, package: Package, held: Held, top: int, every_variant: bool
) -> dict[str, Any]:
    """What `improve` prints: the package's figures, its concessions ranked, the improvements
    with the other packages `held` held."""
    base = evaluate(pf, package)
    found = improvements(pf, package, held.packages, top=top, every_variant=every_variant)
    return {
        "base": base,
        "ranking": concession_ranking(pf, package.partner),
        "found": found,
        "none_found": "" if found else none_found(base, bool(held.packages), pf),
        "unheld": "" if held.packages else UNHELD.words(CHOOSES),
    }


def _field(argument: str) -> str:
    """The form's field for a library call's parameter: `improvements`' `others` is "hold"."""
    return "hold" if argument == "others" else argument


def _fields(fields: QueryParams | FormData) -> dict[str, Any]:
    """The form's fields as typed (shown again, valid or not)."""
    return {
        "package": str(fields.get("package") or ""),
        "hold": [str(v) for v in fields.getlist("hold") if str(v)],
        "top": str(fields.get("top") or ""),
        "all_variants": fields.get("all_variants") == "yes",
    }


async def _answer(
    request: Request,
    name: str,
    pf: Portfolio,
    typed: dict[str, Any],
    load: Loader,
    own: str | None = None,
) -> Response:
    """The page: the form holding `typed`, and `load()`'s package improved (or the refusal
    naming the field, status 400). `own`: the partner of the package to improve, whose
    files "Hold other partners' packages" does not offer (it offered them, and holding one
    was refused: "AE is the package's own partner")."""
    files = redline_files(request)
    context: dict[str, Any] = {
        "name": name,
        "files": files,
        "hold_files": [f for f in files if own is None or file_partner(request, f) != own],
        "typed": typed,
        **notes(request, pf),
        "refused": None,
    }
    try:
        faults = Faults()  # every field's fault at once
        top = faults.checked(lambda: top_of(typed["top"]))
        package, held = load(faults)
        faults.raise_any()
        assert top is not None
        if package is None:
            return page(request, "improve.html.j2", result=None, **context)
        # Checks and the trades' arithmetic: no solver runs (`off_loop`).
        result = await off_loop(findings, pf, package, held, top, typed["all_variants"])
        result["held"] = served(request, held.said)  # "rounds/gulf-asia", as the pickers
        # Each improvement's package in the editor, to save, record or edit further: the
        # page listed them with no way to act on one but to type it again there.
        result["editor"] = {
            i.rank: typed_address(request, name, i.package.partner, field_values(i.package, pf))
            for i in result["found"]
        }
    except DealbenchError as exc:  # the form as typed, the field at fault marked
        context["refused"] = refused = refusal(exc, "improve", IMPROVE_FIELDS, rename=_field)
        return page(request, "improve.html.j2", refused.status, result=None, **context)
    return page(request, "improve.html.j2", result=result, **context)


def _held(
    request: Request, pf: Portfolio, faults: Faults, files: list[str], package: str = ""
) -> Held:
    """`--hold`: other partners' packages, held fixed; and beside a round file (`package`),
    the deals concluded in its rounds folder, as `improve` holds them (`held_beside`). A
    file that does not open is a fault kept in `faults` (every one said at once)."""
    chosen = [faults.checked(partial(chosen_package, request, pf, "hold", f)) for f in files]
    given = [p for p in chosen if p is not None]
    if not package or len(given) < len(chosen):  # the editor's fields: no file, so no rounds folder
        return Held(given, [])
    beside = faults.checked(lambda: held_beside(pf, confine(root(request), package), given))
    return Held(given, []) if beside is None else beside


def _source(form: FormData, package: Package) -> str:
    """The package file the editor's fields came from (its hidden `source`), when a file of
    the fields' partner: beside a round file, they are improved holding the deals concluded
    in its rounds folder, as `improve FILE` holds them (they held none, qa42b-web); "" when
    the editor opened no file (nothing is then held but `--hold`'s, and the page says so)."""
    source = str(form.get("source") or "")
    in_rounds = PurePosixPath(source).parent.name
    return source if in_rounds in ("", PACKAGES, package.partner) else ""


async def improve_page(request: Request) -> Response:
    """The form; with a package file chosen, its improvements; with the editor's fields in
    the address (`improve_fields`' redirect), theirs."""
    name = request.path_params["name"]
    pf = portfolio(request, name)
    if "security" in request.query_params and not request.query_params.get("package"):
        return await _editor_fields(request, name, pf, address_form(request))
    typed = _fields(request.query_params)

    def load(faults: Faults) -> tuple[Package | None, Held]:
        if not typed["package"]:
            return None, Held([], [])
        package = faults.checked(lambda: chosen_package(request, pf, "package", typed["package"]))
        held = _held(
            request, pf, faults, typed["hold"], "" if package is None else typed["package"]
        )
        return package, held

    own = file_partner(request, typed["package"]) if typed["package"] else None
    return await _answer(request, name, pf, typed, load, own)


#: The editor's fields `improve_fields` carries to the page's address: the package's (as
#: `package_from_form` reads them), the file they came from, and the form's own.
_CARRIED = ("partner", "security", "title", "source", "hold", "top", "all_variants")


async def improve_fields(request: Request) -> Response:
    """The package editor's fields as they stand ("Find improvements"), redirected to the
    page's address holding them (303: Post/Redirect/Get): the page answered the POST, and
    reloading it sent the form again (the browser asking to resend it). The fields only:
    the editor's own, such as the file name or a round's note, are not the package's."""
    form = await sent_form(request)
    name = request.path_params["name"]
    pf = portfolio(request, name)
    try:  # fields that make no package: refused in the editor, every field as typed (the
        # file name, a round's note: an address holding the package's alone lost them)
        refuse_unread(form)
        package_from_form(form, pf)
    except DealbenchError as exc:
        return editor_refused(request, name, pf, form, exc)
    kept = [
        (key, str(value))
        for key, value in form.multi_items()
        if isinstance(value, str)
        and (key in _CARRIED or key.startswith(("compute.", "concession.")))
    ]
    url = request.url_for("improve", name=name).path
    return RedirectResponse(f"{url}?{urlencode(kept)}", status_code=303)


async def _editor_fields(request: Request, name: str, pf: Portfolio, form: FormData) -> Response:
    """The editor's fields (`form`) improved; fields that make no package: the editor again,
    as typed, the field at fault marked."""
    typed = {**_fields(form), "package": ""}
    try:
        refuse_unread(form)
        package = package_from_form(form, pf)
    except DealbenchError as exc:  # the editor's fields: the editor again, as typed
        return editor_refused(request, name, pf, form, exc)

    def load(faults: Faults) -> tuple[Package | None, Held]:
        return package, _held(request, pf, faults, typed["hold"], _source(form, package))

    return await _answer(request, name, pf, typed, load, package.partner)
