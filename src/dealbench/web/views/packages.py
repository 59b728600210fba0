"""The package editor: a package as form fields, re-evaluated by `check` on every change.

A package built in the form, or uploaded as a file, goes through the same
loader as `dealbench evaluate` (written to a private temporary file first),
so the page and the CLI accept and refuse exactly the same packages.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

import yaml
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dealbench.atomic_write import write_atomic, write_failure
from dealbench.checker import DealFigures, check
from dealbench.errors import DealbenchError, InputError, Issue, user_lines
from dealbench.model import Package, Portfolio, load_package
from dealbench.model.amounts import amount_text
from dealbench.model.concession import GRANTED
from dealbench.model.yamlio import read_yaml
from dealbench.negotiate import STRATEGIES
from dealbench.negotiate.rounds.write import package_yaml
from dealbench.output_errors import OutputError
from dealbench.render.filters import h100e
from dealbench.units import compute_typed
from dealbench.web.pages import (
    CHOOSES,
    Faults,
    Refusal,
    TooLarge,
    Unread,
    field_label,
    page,
    wants_fragment,
)
from dealbench.web.security import confine, inside
from dealbench.web.views.common import (
    address_form,
    notes,
    portfolio,
    portfolio_file,
    refuse_unread,
    relative,
    root,
    sent_form,
)

PACKAGES = "packages"
#: A package file's loader: `load_package`, or `load_counter` for a counter.
Loader = Callable[[Path, Portfolio], Package]
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


def routes() -> list[Route]:
    return [
        Route("/p/{name}/editor", editor, name="editor"),
        Route("/p/{name}/evaluate", evaluate_form, methods=["POST"], name="evaluate"),
        Route("/p/{name}/upload", upload, methods=["POST"], name="upload"),
        Route("/p/{name}/save", save, methods=["POST"], name="save"),
        Route("/p/{name}/saved", saved_page, name="saved"),
    ]


def package_files(request: Request, pf: Portfolio | None = None) -> list[str]:
    """The package files of DEALS_DIR/packages; with `pf`, those it could open: not a
    package for a partner of another portfolio (gulf-asia's editor offered KR's counter,
    and opening it was an error page). A file that does not read stays, to be refused."""
    folder = root(request) / PACKAGES
    files = sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []
    if pf is not None:
        codes: set[str | None] = {p.code for p in pf.partners} | {None}
        files = [p for p in files if _partner_in(p) in codes]
    return [relative(request, p) for p in files]


def redline_files(request: Request) -> list[str]:
    """Every package file a redline may compare: packages/ (those of the portfolio's
    partners: gulf-asia's pickers offered KR's counter, refused when chosen), then each
    round's package of the portfolio's negotiations (a round file loads as its package)."""
    from dealbench.negotiate import rounds_root

    name = request.path_params["name"]
    pf = portfolio(request, name)
    rounds = _round_packages(pf, rounds_root(portfolio_file(request, name), pf))
    inside_root = [p for p in rounds if p.resolve().is_relative_to(root(request))]
    return package_files(request, pf) + [relative(request, p) for p in inside_root]


def _round_packages(pf: Portfolio, folder: Path) -> list[Path]:
    """The round files under `folder` (the portfolio's rounds) that record a package, as the
    negotiation loader read them: a walk-away records none (offered, it was refused when
    chosen, "round 1 records no package (walked-away)"). The files of a negotiation that
    does not load stay, each to be refused with its fault when chosen."""
    from dealbench.negotiate import load_negotiation

    found: list[Path] = []
    for partner in pf.partners:
        try:
            negotiation = load_negotiation(pf, folder, partner.code)
        except InputError:
            found += (folder / partner.code).glob("*.yaml")
            continue
        found += [r.path for r in negotiation.rounds if r.package is not None]
    return sorted(found)


def file_partner(request: Request, file: str) -> str | None:
    """The partner of a package file a picker offers (`redline_files`): a round's, the
    folder it lies in; a file of packages/, the one it names; None when it cannot be read."""
    path = PurePosixPath(file)
    if path.parent.as_posix() != PACKAGES:
        return path.parent.name
    return _partner_in(root(request) / path)


def _partner_in(path: Path) -> str | None:
    """The partner a package file names, or None when that cannot be read from it."""
    try:
        code = read_yaml(path).tree.get("partner")
    except InputError:
        return None
    return code if isinstance(code, str) else None


def load_checked(
    text: str | bytes,
    pf: Portfolio,
    label: str,
    *,
    lines: bool = True,
    loader: Loader = load_package,
) -> Package:
    """`text` read as a package file by the CLI's loader (errors name `label`, and its lines
    unless `lines` is false: those of a file the user never saw mean nothing to them). The
    label is words only: the private file has a name of the page's own. `loader`: the
    CLI's for what the file is taken as (`load_counter`, a counter's). Bytes (an upload)
    are written as sent, so the loader reads them as it reads the file on disk: a byte
    that is not UTF-8 is said at its line with why, UTF-16 as UTF-16 (qa46-input)."""
    with tempfile.TemporaryDirectory(prefix="dealbench-web-") as tmp:
        path = Path(tmp) / "package.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        try:
            return loader(path, pf)
        except InputError as exc:
            raise InputError(
                [Issue(label, i.line if lines else None, i.field, i.message) for i in exc.issues]
            ) from None


#: The longest name of an uploaded file taken, in UTF-8 bytes: a file name's limit on the
#: common file systems, so that every name taken is one a file can have.
UPLOAD_NAME_BYTES = 255


def upload_name(item: UploadFile) -> str:
    """The name a file was uploaded under, which the page's words call it by; one that is
    no plain file name (".", "..", a folder separator, a control character, longer than a
    file name may be: a browser sends none of these) is refused in the upload's field."""
    name = item.filename or ""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in name)
    shown = shown if len(shown) <= 60 else f"{shown[:57]}..."
    if not name.strip() or name in (".", ".."):
        why = "it names no file"
    elif "/" in name or "\\" in name:
        why = "it holds a folder separator"
    elif not name.isprintable():
        why = "it holds a control character"
    elif len(name.encode("utf-8")) > UPLOAD_NAME_BYTES:
        why = f"it is longer than the {UPLOAD_NAME_BYTES} bytes a file name may have"
    else:
        return name
    raise InputError(
        Issue(
            "file",
            None,
            "",
            f"the file was sent under the name '{shown}', which is not a file's name ({why}); "
            "choose a package file saved under a plain name, such as ae-counter.yaml; "
            "nothing was read",
        )
    )


async def read_upload(
    request: Request, item: UploadFile, pf: Portfolio, loader: Loader = load_package
) -> Package:
    """An uploaded package file, size-limited and read by the CLI's loader (`loader`, as
    `load_checked`); its name is checked (`upload_name`) before a byte of it is read."""
    name = upload_name(item)
    limit: int = request.app.state.max_upload
    data = await item.read(limit + 1)
    if len(data) > limit:
        raise InputError(
            Issue(name, None, "", f"the file is larger than the {limit // 1024} KiB allowed")
        )
    return load_checked(data, pf, name, loader=loader)  # decoded by the loader, as on disk


def package_from_form(form: FormData, pf: Portfolio) -> Package:
    """The editor's fields as a package file, loaded as the CLI would load it."""
    data: dict[str, Any] = {
        "partner": str(form.get("partner") or ""),
        "security": str(form.get("security") or ""),
        "compute": {},
        "concessions": {},
    }
    for t in pf.periods:  # in the portfolio's declared unit (chips of its model, or H100e)
        text = str(form.get(f"compute.{t}") or "").strip()
        if text:
            data["compute"][t] = compute_typed(text, pf.granularity.model)
    for key, value in form.multi_items():
        if key.startswith("concession.") and str(value):
            data["concessions"][key.removeprefix("concession.")] = (
                True if value == "yes" else str(value)
            )
    title = str(form.get("title") or "").strip()
    if title:
        data["title"] = title
    return load_checked(yaml.safe_dump(data, sort_keys=False), pf, FORM_LABEL, lines=False)


def evaluation(pf: Portfolio, package: Package) -> DealFigures:
    """As `dealbench evaluate`: the package alone against the portfolio's limits."""
    checked = check(pf, [package])
    deal = checked.deals[0]
    return deal.model_copy(update={"violations": deal.violations + checked.violations})


def field_of(violation: str, pf: Portfolio, package: Package) -> str:
    """The form field a violation is about, so the page can show it beside that field."""
    for t in pf.periods:
        if f" {t} compute" in violation or f"({t}:" in violation:
            return f"compute.{t}"
    for cid in package.concessions:
        if f"'{cid}'" in violation:
            return f"concession.{cid}"
    return "security" if "security" in violation else "package"


def field_values(package: Package, pf: Portfolio) -> dict[str, str]:
    """The editor's fields holding `package`, as the text each shows. Compute is in the
    portfolio's declared unit (`Granularity.field_text`: whole chips of its model in a
    portfolio decided in chips, where the editor took H100e only; else whole H100e as
    integers, anything else as it is: the fields showed it rounded to whole H100e, and the
    next edit or save dropped the fraction)."""
    values = {"security": package.security, "title": package.title or ""}
    written = package.written()
    for t, x in package.compute.items():
        values[f"compute.{t}"] = pf.granularity.field_text(x, written.get(t))
    for cid, level in package.granted().items():
        values[f"concession.{cid}"] = "yes" if level == GRANTED else level
    return values


#: The editor's fields other than compute and concessions, kept as typed.
_FIELDS = ("security", "title", "filename", "replace")
#: The fields of its "Record as counter" (`counter --date --author --note --strategy
#: --deadline`), kept as typed too.
COUNTER_FIELDS = ("date", "author", "note", "strategy", "deadline")
#: "Record as our offer"'s own field (with the date, author and note above).
OFFER_FIELDS = ("allow_retreat",)
#: "Sample acceptance"'s fields (`risk --samples --seed`), kept as typed and said beside.
RISK_FIELDS = ("samples", "seed")


def form_values(form: FormData) -> dict[str, str]:
    """The editor's fields as the user typed them (shown again as typed, valid or not)."""
    return {
        key: str(value)
        for key, value in form.multi_items()
        if isinstance(value, str)
        and (
            key in (*_FIELDS, *COUNTER_FIELDS, *OFFER_FIELDS, *RISK_FIELDS)
            or key.startswith(("compute.", "concession."))
        )
    }


def editor_context(pf: Portfolio, code: str, values: dict[str, str]) -> dict[str, Any]:
    """What the editor shows of partner `code`, its fields holding `values` (by field name)."""
    partner = pf.partner(code)
    if partner is None:
        raise HTTPException(404, f"No partner {code!r} in portfolio {pf.id}.")
    step = pf.granularity
    return {
        "partner": partner,
        "periods": pf.periods,
        # The compute fields' unit: chips of the portfolio's model, or H100e.
        "chips_model": step.model,
        "step_words": step.describe(),
        "asks_in_chips": {
            t: f"{step.whole_chips(x):,} {step.model} chips ({h100e(x)} H100e)"
            for t, x in partner.ask.items()
        }
        if step.model
        else {},
        "levels": [(lvl, pf.policy.level(lvl).title) for lvl in pf.levels_for(partner)],
        "values": values,
        # A range concession takes any amount from its first breakpoint to its last.
        "ranges": {
            c.id: (amount_text(c.points[0][0]), amount_text(c.points[-1][0]))
            for c in partner.concessions
            if c.is_range
        },
    }


#: What the editor's package is called in the errors of its fields.
FORM_LABEL = "the package form"


def error_verdict(exc: DealbenchError) -> dict[str, Any]:
    """The verdict of fields that do not make a package: the error's lines, and each field's
    words by field (shown beside it, which is marked: "compute.2026: expected a number" was
    in the verdict only, the field as if nothing were wrong)."""
    by_field: dict[str, list[str]] = {}
    if isinstance(exc, InputError):
        for issue in exc.issues:
            if issue.file == FORM_LABEL and issue.field:
                field = issue.field.replace("concessions.", "concession.", 1)
                by_field.setdefault(field, []).append(f"{issue.field}: {issue.message}")
            elif issue.file in (*_FIELDS, *RISK_FIELDS):  # one of the editor's own fields
                by_field.setdefault(issue.file, []).append(issue.message)
    lines = user_lines(exc, chooses=CHOOSES)
    if isinstance(exc, InputError) and exc.remedy is None:  # the editor's fields as labelled
        lines[: len(exc.issues)] = [
            f"error: {replace(i.worded(CHOOSES), file=field_label(i.file, _LABELS))}"
            if i.file in (*_FIELDS, *RISK_FIELDS)
            else line
            for i, line in zip(exc.issues, lines, strict=False)
        ]
    return {"lines": lines, "by_field": by_field}


def verdict_context(pf: Portfolio, package: Package) -> dict[str, Any]:
    deal = evaluation(pf, package)
    by_field: dict[str, list[str]] = {}
    for v in deal.violations:
        by_field.setdefault(field_of(v.message, pf, package), []).append(v.message)
    return {"deal": deal, "by_field": by_field}


def next_round(request: Request, name: str, pf: Portfolio, partner: str) -> tuple[int | None, str]:
    """The number the partner's next round would take, for the editor's "Record as counter":
    0 when the negotiation is closed (no round may follow; then how it ended, "the United
    States walked away from MX"), None when its rounds do not load (recording then says why)."""
    from dealbench.negotiate import load_negotiation, rounds_root

    try:
        folder = inside(root(request), rounds_root(portfolio_file(request, name), pf))
        negotiation = load_negotiation(pf, folder, partner)
    except DealbenchError:
        return None, ""
    ended = negotiation.how_ended
    return (0, ended) if ended is not None else (negotiation.next_number, "")


def _next_round_context(request: Request, name: str, pf: Portfolio, code: str) -> dict[str, Any]:
    number, ended = next_round(request, name, pf, code)
    return {"next_round": number, "ended": ended[:1].upper() + ended[1:]}


#: The editor's fields other than compute and concessions, by their labels on the page,
#: the security level before compute and concessions, the others after, in its order.
_LABELS = {
    "security": "Security level",
    "filename": "File name",
    "date": "Date",  # the round's fields, as the page lays them out
    "author": "Author",
    "note": "Note",
    "strategy": "Weighed against",
    "deadline": "Deadline",
    "allow_retreat": "Allow a retreat",
    "samples": "Samples",
    "seed": "Seed",
}


class Fault(NamedTuple):
    """A field of the editor at fault, as its summary links to it: the field's name, its id
    on the page, its label and its words."""

    field: str
    id: str
    label: str
    words: str


def at_fault(
    pf: Portfolio, code: str, verdict: dict[str, Any], refused: Refusal | None
) -> list[Fault]:
    """The editor's fields at fault when its fields were refused (the verdict is an error's,
    `lines`), in the page's order: of the package's fields (`by_field`) and the round's
    (`refused`, its date among them); none otherwise. The page focuses the first, and its
    summary at the top links to each: a refusal of several (at 390 px) was said beside
    fields a long form apart and in the verdict under the form, the top of the page silent."""
    if "lines" not in verdict:
        return []
    said = {name: list(words) for name, words in verdict.get("by_field", {}).items()}
    if refused is not None and refused.form == "counter":
        for name in refused.invalid:  # the round's fields but the date are in `by_field`
            said.setdefault(name, refused.fields[name])
    partner = pf.partner(code)
    concessions = partner.concessions if partner is not None else []
    security, *rest = _LABELS.items()
    labels = dict(
        [
            security,
            *((f"compute.{t}", f"Compute {t}") for t in pf.periods),
            *((f"concession.{c.id}", c.title) for c in concessions),
            *rest,
        ]
    )
    faults = []
    for name, label in labels.items():
        if name in said:
            # a package field's words name it as its file does ("compute.2026: ...")
            prefix = name.replace("concession.", "concessions.", 1) + ": "
            words = " ".join(w.removeprefix(prefix) for w in said[name])
            element = "counter-date" if name == "date" else "f-" + name.replace(".", "-")
            faults.append(Fault(name, element, label, words))
    return faults


def editor_page(
    request: Request,
    name: str,
    pf: Portfolio,
    code: str,
    values: dict[str, str],
    verdict: dict[str, Any],
    source: str = "",
    status: int = 200,
    refused: Refusal | None = None,
) -> Response:
    """The editor of partner `code`, its fields holding `values`, beside `verdict` (a
    `verdict_context`, or the `lines` of the error the fields gave); `refused`: its "Record
    as counter" refused (the counter form's refusal, marking the date as the round forms do)."""
    faults = at_fault(pf, code, verdict, refused)
    return page(
        request,
        "editor.html.j2",
        status,
        name=name,
        partners=[(p.code, p.name) for p in pf.partners],
        files=package_files(request, pf),
        source=source,
        **_next_round_context(request, name, pf, code),
        strategies=sorted(STRATEGIES),  # what "Record as counter" weighs the verdict against
        **notes(request, pf),
        **editor_context(pf, code, values),
        refused=refused,
        faults=faults,
        focus=faults[0].field if faults else "",
        **verdict,
    )


def editor_refused(
    request: Request, name: str, pf: Portfolio, form: FormData, exc: DealbenchError
) -> Response:
    """The editor again, every field as typed and the fields at fault marked (422): what a
    button of the editor (Save, Find improvements, Sample acceptance, Record as counter)
    answers when its fields do not make a package, or the file cannot be saved. It was an
    error page, or the improve page, and the package typed was gone. A form too large to
    read (`sent_form`) has no field: the editor of the partner its address names, 413."""
    code = editor_partner(request, pf, form)
    status = 413 if isinstance(exc, TooLarge) else 422
    return editor_page(
        request, name, pf, code, form_values(form), error_verdict(exc), status=status
    )


def package_page(
    request: Request,
    name: str,
    pf: Portfolio,
    package: Package,
    source: str = "",
    refused: dict[str, list[str]] | None = None,
    status: int = 422,
) -> Response:
    """The editor holding `package`, with its verdict; `refused`: the words of a package
    file that did not open, by the picker that chose it (`package`, the file chosen being
    `source`; `file`, an upload), said beside it, with `status` (422; 413 for a form too
    large to read)."""
    values = field_values(package, pf)
    verdict = {**verdict_context(pf, package), "unopened": refused or {}}
    status = status if refused else 200
    return editor_page(request, name, pf, package.partner, values, verdict, source, status)


async def editor(request: Request) -> Response:
    """The editor of a partner's new package (`partner`), of a package file (`package`), or
    holding the fields one of its forms sent (`typed_address`: Evaluate, Upload), evaluated.
    A file that does not open is refused beside its picker, which keeps it chosen, over a
    new package of the partner (it was an error page)."""
    name = request.path_params["name"]
    pf = portfolio(request, name)
    form = address_form(request)
    if form_values(form):  # fields in the address: a form of the editor redirected here
        code = editor_partner(request, pf, form)
        came_from = str(form.get("source") or "")
        came_from = came_from if came_from in package_files(request, pf) else ""
        verdict = typed_verdict(pf, form)
        return editor_page(request, name, pf, code, form_values(form), verdict, came_from)
    code = request.query_params.get("partner") or pf.partners[0].code
    source = request.query_params.get("package")
    if source:
        try:
            package = load_package(confine(root(request), source), pf)
        except InputError as exc:  # each issue of the file named as the picker shows it
            words = [str(replace(issue, file=source)) for issue in exc.issues]
            return package_page(
                request, name, pf, _new_package(pf, code), source, {"package": words}
            )
        return package_page(request, name, pf, package, source)
    return package_page(request, name, pf, _new_package(pf, code))


#: The longest editor address a form's fields are redirected to (`typed_address`): beyond
#: it (a note of pages), the POST is answered in place, as it was, for an address that long
#: is refused by the server (HTTP 400 past some 100 KiB) and by proxies well before.
ADDRESS_LIMIT = 16 * 1024


def typed_address(request: Request, name: str, code: str, fields: dict[str, str]) -> str | None:
    """The editor's address holding `fields` (field name to text) of partner `code`'s
    editor: where Evaluate and Upload redirect (303, Post/Redirect/Get), so that reloading
    the page they lead to sends nothing again. None when it would be too long to follow."""
    query = urlencode([("partner", code), *fields.items()])
    url = f"{request.url_for('editor', name=name).path}?{query}"
    return url if len(url) <= ADDRESS_LIMIT else None


def typed_verdict(pf: Portfolio, form: FormData) -> dict[str, Any]:
    """The verdict of the editor's fields in `form`: the package's, or the error's lines."""
    try:
        refuse_unread(form)
        return verdict_context(pf, package_from_form(form, pf))
    except DealbenchError as exc:
        return error_verdict(exc)


def _new_package(pf: Portfolio, code: str) -> Package:
    partner = pf.partner(code)
    if partner is None:
        raise HTTPException(404, f"No partner {code!r} in portfolio {pf.id}.")
    return Package(partner=code, security=pf.levels_for(partner)[0])


async def evaluate_form(request: Request) -> Response:
    """The verdict of the editor's current fields: the fragment the page's script swaps in,
    or, to the Evaluate button of a page without scripts, a redirect (303) to the editor's
    address holding the fields as typed (`typed_address`), shown there beside their
    verdict. It answered with the bare fragment, and the editor was gone; then with the
    editor in place, and reloading that page asked to send the form again."""
    form = await sent_form(request)
    name = request.path_params["name"]
    pf = portfolio(request, name)
    verdict = typed_verdict(pf, form)
    if wants_fragment(request):
        template = "_verdict_error.html.j2" if "lines" in verdict else "_verdict.html.j2"
        return page(request, template, **verdict)
    code = editor_partner(request, pf, form)
    typed = form_values(form)
    source = str(form.get("source") or "")
    address = None
    if not isinstance(form, Unread):
        address = typed_address(
            request, name, code, {**typed, **({"source": source} if source else {})}
        )
    if address is not None:
        return RedirectResponse(address, status_code=303)
    status = 413 if isinstance(form, Unread) else 200
    return editor_page(request, name, pf, code, typed, verdict, source, status=status)


async def upload(request: Request) -> Response:
    """An uploaded package file (an offer, a counter) opened in the editor, redirected to
    (303) as its fields (`typed_address`). A file that does not load is refused beside the
    upload field, over the editor's fields as typed (sent with it). A file over the
    size limit is refused unread (`sent_form`) beside the upload field too, status 413, as
    the negotiation page's counter file is (it was an error page): the partner is then the
    one the form's address names (`?partner=`), its hidden field being unread."""
    form = await sent_form(request)
    name = request.path_params["name"]
    pf = portfolio(request, name)
    item = form.get("file")
    try:
        if isinstance(form, Unread):
            raise form.refused.of_file()
        if not isinstance(item, UploadFile) or not item.filename:
            raise InputError(Issue("file", None, "", "choose a package file to upload"))
        package = await read_upload(request, item, pf)
    except InputError as exc:  # beside the upload field, over the fields as typed
        words = [issue.message if issue.file == "file" else str(issue) for issue in exc.issues]
        status = 413 if isinstance(form, Unread) else 422
        typed = form_values(form)
        if not typed:  # a form too large to read, or a file sent alone: the partner's new one
            new = _new_package(pf, editor_partner(request, pf, form))
            return package_page(request, name, pf, new, refused={"file": words}, status=status)
        # The editor's Upload sends the package form's fields with the file (it is that
        # form's button): they are kept, with their verdict. It was a new package of the
        # partner, all that was typed gone, as if the refusal had cleared it.
        source = str(form.get("source") or "")
        source = source if source in package_files(request, pf) else ""
        verdict = {**typed_verdict(pf, form), "unopened": {"file": words}}
        code = editor_partner(request, pf, form)
        return editor_page(request, name, pf, code, typed, verdict, source, status=status)
    # Opened: the editor's address holding the file's package as fields (303,
    # Post/Redirect/Get): it answered the POST in place, and reloading asked to send the
    # file again. The fields are all of a package the editor shows (a site's words, which
    # no field holds, neither weigh in the verdict nor were kept by Save).
    address = typed_address(request, name, package.partner, field_values(package, pf))
    if address is None:
        return package_page(request, name, pf, package)
    return RedirectResponse(address, status_code=303)


def editor_partner(request: Request, pf: Portfolio, form: FormData) -> str:
    """The partner whose editor sent `form`: its hidden field, else its address's (the
    editor's forms name it there too: a form too large to read has no field), else the
    portfolio's first."""
    code = str(form.get("partner") or request.query_params.get("partner") or "")
    return code if pf.partner(code) is not None else pf.partners[0].code


async def save(request: Request) -> Response:
    """Save the editor's package as DEALS_DIR/packages/<file>.yaml (never over another file
    unless asked), then redirect to `saved_page` (303: Post/Redirect/Get). It answered the
    POST in place: reloading that page sent the save again, which wrote the file again
    without a word when 'replace' was ticked (over any change made to it since), or
    refused it as existing under the "Saved" it had just shown. Refused, the editor is
    shown again, every field as typed (it was an error page: the package typed was gone),
    the field at fault marked."""
    form = await sent_form(request)
    name = request.path_params["name"]
    pf = portfolio(request, name)
    try:
        refuse_unread(form)
        target = _save(request, form, pf)
    except DealbenchError as exc:
        return editor_refused(request, name, pf, form, exc)
    url = request.url_for("saved", name=name).path
    return RedirectResponse(f"{url}?package={quote(relative(request, target))}", status_code=303)


async def saved_page(request: Request) -> Response:
    """The page of a package file saved by the editor (`save`): reloading it, or coming
    Back to it, writes nothing."""
    name = request.path_params["name"]
    portfolio(request, name)  # a portfolio that does not open is said as on every page
    shown = request.query_params.get("package", "")
    target = confine(root(request), shown) if shown else None
    if (
        target is None
        or target.parent != (root(request) / PACKAGES).resolve()
        or not target.is_file()
    ):
        raise HTTPException(404, f"No package file {shown!r} in {PACKAGES}/.")
    return page(request, "saved.html.j2", name=name, path=relative(request, target))


def _save_target(request: Request, form: FormData) -> Path:
    """The file the editor's file name names, under packages/ (refused in the field)."""
    stem = str(form.get("filename") or "").strip().lower().removesuffix(".yaml")
    if not stem:
        raise InputError(Issue("filename", None, "", "name the file to save the package in"))
    if not set(stem) <= _NAME_CHARS:
        raise InputError(Issue("filename", None, "", "use letters, digits, '-' and '_' only"))
    try:
        target = confine(root(request), f"{PACKAGES}/{stem}.yaml")
    except InputError as exc:  # a name too long for a file: the field's to fix
        raise InputError([Issue("filename", None, "", i.message) for i in exc.issues]) from None
    where = relative(request, target)
    if target.exists() and not target.is_file():
        raise InputError(
            Issue("filename", None, "", f"{where} is a folder, not a file; choose another name")
        )
    if target.exists() and form.get("replace") != "yes":
        raise InputError(
            Issue("filename", None, "", f"{where} exists; tick 'replace' to overwrite it")
        )
    return target


def _save(request: Request, form: FormData, pf: Portfolio) -> Path:
    """The editor's package written where its file name says: the file. The package's
    faults and the file name's are said at once (`Faults`): a bad compute field and a bad
    file name took two sends, the name's fault said once the package was good."""
    faults = Faults()
    package = faults.checked(lambda: package_from_form(form, pf))
    target = faults.checked(lambda: _save_target(request, form))
    faults.raise_any()
    assert package is not None and target is not None
    where = relative(request, target)
    # As every package file dealbench writes: whole H100e as integers, text as written.
    text = package_yaml(package, header="Saved from the package editor of `dealbench serve`.")
    try:
        write_atomic(target, text.encode("utf-8"))
    except OSError as exc:  # a read-only folder, a full disk: said in words, nothing replaced
        raise OutputError(f"cannot save {where}: {write_failure(exc)}; nothing written") from None
    return target
