"""Pages: one strict Jinja2 environment (autoescaped), the documents' number filters.

Templates are the package's own files; nothing a user typed is ever compiled
as a template (user text reaches them only as escaped values).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup
from starlette.datastructures import FormData, ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import HTMLResponse

from dealbench.errors import ArgumentError, DealbenchError, InputError, Issue, user_lines
from dealbench.limit import broken_messages
from dealbench.list_words import plural
from dealbench.model.names import party_in_text
from dealbench.model.yamlio import display_path
from dealbench.negotiate.frontier_words import FRAMES, frames_sentence
from dealbench.render.filters import (
    h100e,
    h100e_total_head,
    money,
    percent,
    stopped_distance,
)
from dealbench.web.chart import round_kind
from dealbench.web.security import CSRF_FIELD, confine, csrf_for

HERE = Path(__file__).parent

#: What chooses an input a message names (`errors.Chosen`), in the web's words: the rounds
#: it reads are those under the deals folder it serves, which no field changes (a refusal
#: said "the commands' --rounds", an option the web has none of).
CHOOSES = {
    "rounds": "in a copy of the deals folder, served by `dealbench serve COPY`",
    "portfolio": "chosen in “Check packages against”",
    "offer": "“Propose the next offer”",
    "conclude": "the form “Conclude the deal”",
    # The web records in the rounds folder of the deals folder it serves, which no field
    # changes: the way out is a copy holding one of the two files.
    "shared": ", or serve a copy of the deals folder without the other file "
    "(`dealbench serve COPY`) to record in a copy of the talks so far",
    "hold": "“Hold other partners' packages”",
    "why": "the link below the table",
    "own-offer": "in the package editor, “Record as our offer”",
    # A round form refused for its `expect` (the round the page showed it would take)
    "overtaken": " after the page was loaded; nothing written (a form sent twice, or from a "
    "page that is out of date): look at the rounds as they stand now, shown with the "
    "negotiation, before recording again",
    "stale": "; nothing written (a form sent twice, or from a page that is out of date): look "
    "at the rounds as they stand now, shown with the negotiation, before recording again",
}

#: Sent by the page's script when it fetches a fragment to swap into the page it shows.
FRAGMENT_HEADER = "X-Dealbench-Fragment"

T = TypeVar("T")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["round_kind"] = round_kind
    env.globals["stopped_distance"] = stopped_distance
    env.filters.update(
        money=money,
        h100e=h100e,
        h100e_total_head=h100e_total_head,
        percent=percent,
        broken=broken_messages,
        in_text=party_in_text,
        plural=plural,
    )
    env.globals["marked"] = marked
    # What each frontier is drawn within, and the negotiation's frames in one sentence
    env.globals.update(frames=FRAMES, frames_sentence=frames_sentence())
    return env


def marked(field: str, fields: Iterable[str], words: str, also: str = "") -> Markup:
    """The attributes of a form's `field` when an error is about it (it is among `fields`):
    marked invalid and described by the element `words` of the error's words, which a
    screen reader reads again on the field (the error itself is announced once). `also`:
    what describes the field in any case (a hint), kept first."""
    if field not in fields:
        return Markup(' aria-describedby="{}"').format(also) if also else Markup("")
    described = f"{also} {words}" if also else words
    return Markup(' aria-invalid="true" aria-describedby="{}"').format(described)


class FieldError(InputError):
    """An InputError about one field of a form whatever its issues name: a file uploaded in
    the field (its issues name the file and its lines, which the user must read)."""

    def __init__(self, form_field: str, exc: InputError) -> None:
        self.form_field = form_field
        super().__init__(exc.issues)


class TooLarge(InputError):
    """A form refused for its size (its Content-Length) before a byte of it is read: none of
    its fields is known, not even the name of the file that made it too large. Its page
    shows the form again, empty (`Unread`, `Typed.unread`), the refusal at the form's top,
    or beside its file field when it has one (`refusal`), status 413; reading the body to
    keep what was typed would be reading what the limit refuses. The page's script refuses
    a file that large before the form is sent (`data-max-bytes`), every field kept.
    `limit`: the limit, in words ("larger than the 256 KiB allowed")."""

    def __init__(self, limit: str) -> None:
        self.limit = limit
        super().__init__(Issue("form", None, "", f"{limit}; nothing of it was read"))

    def of_file(self) -> FieldError:
        """This refusal said of a form's file field, the field that made it too large: the
        negotiation page's counter file, the package editor's upload (qa42-web: the editor's
        was an error page)."""
        said = f"the file chosen is {self.limit} (a package file is a few KB); nothing of the form was read"
        return FieldError("file", InputError(Issue("file", None, "", said)))


class Unread(FormData):
    """A form refused unread for its size: no field, and `refused`, the refusal its page
    says (`views.common.sent_form`). Every POST form's page shows it so, through `refusal`
    and `Typed.of` (qa42b-web: only the counter's and the editor's upload did; the others
    were an error page)."""

    def __init__(self, refused: TooLarge) -> None:
        super().__init__()
        self.refused = refused


class FormFaults(InputError):
    """Every fault of one form's fields, each as raised (`parts`: a `FieldError` of a file
    field, whose issues name the file's lines; issues naming their fields as their files),
    said at once by `refusal`, each beside its field."""

    def __init__(self, parts: list[InputError]) -> None:
        self.parts = list(parts)
        super().__init__([issue for part in self.parts for issue in part.issues])

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.parts,), self.__dict__)


class Faults:
    """The faults of a form's fields, gathered to be said at once, each beside its field:
    refused one at a time, a form of five fields took five sends to learn five (the solve
    and sweep forms gathered theirs; the round forms said a bad counter file, then its bad
    deadline on the next send, then its bad date). `rename`: a library parameter an issue
    names as its file, said as the form's field."""

    def __init__(self, rename: Callable[[str], str] = str) -> None:
        self.rename = rename
        self.parts: list[InputError] = []

    @property
    def issues(self) -> list[Issue]:
        """The faults' issues, each naming the field it is about as its file (a file field's
        name its file)."""
        return [issue for part in self.parts for issue in self._named(part)]

    def _named(self, exc: InputError) -> list[Issue]:
        if _about_fields(exc):
            return [replace(issue, file=self.rename(issue.file)) for issue in exc.issues]
        return exc.issues

    def add(self, issue: Issue) -> None:
        """A fault of the field `issue` names as its file."""
        self.refused(InputError(issue))

    def refused(self, exc: InputError) -> None:
        """A fault raised, kept as raised: a fault already said (both bounds of a path that
        names nothing say so) is said once."""
        if isinstance(exc, FormFaults):
            for part in exc.parts:
                self.refused(part)
        elif not all(issue in self.issues for issue in self._named(exc)):
            self.parts.append(exc)

    def checked(self, check: Callable[[], T]) -> T | None:
        """What `check` returns, or None when it refuses (its faults kept)."""
        try:
            return check()
        except InputError as exc:
            self.refused(exc)
        return None

    def raise_any(self) -> None:
        """Raise every fault found, if any: one as raised, several about fields they name as
        one InputError, else as one `FormFaults` (a file field's among them)."""
        if not self.parts:
            return
        if len(self.parts) == 1:
            raise self.parts[0]
        if all(_about_fields(part) for part in self.parts):
            raise InputError(self.issues)
        raise FormFaults(self.parts)


def about_field(exc: DealbenchError, field: str) -> bool:
    """Whether `exc` is, or holds, a fault of the file field `field` (a `FieldError`)."""
    parts = exc.parts if isinstance(exc, FormFaults) else [exc]
    return any(isinstance(p, FieldError) and p.form_field == field for p in parts)


def _about_fields(exc: InputError) -> bool:
    """Whether `exc`'s issues name the fields they are about as their files: an argument's
    (an ArgumentError) or a field's, not a file field's (`FieldError`) nor an argument's
    that chose a file (its issues name the file)."""
    if isinstance(exc, ArgumentError):
        return True
    return not isinstance(exc, (FieldError, FormFaults)) and exc.argument is None


def invalid_fields(exc: DealbenchError, rename: Callable[[str], str] = str) -> list[str]:
    """The form's fields an error is about: its issues' arguments (an InputError raised for a
    field names it as its "file"), as `rename` says them in the form."""
    if isinstance(exc, FormFaults):
        return [name for part in exc.parts for name in invalid_fields(part, rename)]
    if isinstance(exc, FieldError):
        return [exc.form_field]
    if not isinstance(exc, InputError):
        return []
    if exc.argument is not None:  # its issues name the file the argument chose
        return [rename(exc.argument)] * len(exc.issues)
    return [rename(issue.file) for issue in exc.issues]


def date_field_shows(text: str) -> bool:
    """Whether a date field (`<input type="date">`, `_form.date_field`) shows `text`: a
    browser shows a real date written YYYY-MM-DD, and any other value as empty (the memo's
    `?date=2026-13-01` typed in the address, or `today`)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Typed:
    """What a page's form `form` held when it was sent, to be shown again as typed (every
    field, valid or not: one mistyped field must not cost the others). The page's other
    forms, and a page not answering a form, show their defaults. `unread`: the form was
    refused before it was read (`TooLarge`): it holds nothing typed. A file field holds the
    name of the file chosen, none if none was (a page cannot keep the file itself: the
    counter form asks for it again, by its name, only when one was chosen)."""

    form: str = ""
    values: dict[str, list[str]] = field(default_factory=dict)
    unread: bool = False

    @classmethod
    def of(cls, form: str, sent: ImmutableMultiDict[str, Any]) -> Typed:
        """`form` as sent: a POST's form data (`Unread`: none), or a GET form's query."""
        if isinstance(sent, Unread):
            return cls(form, unread=True)
        values: dict[str, list[str]] = {}
        for key, value in sent.multi_items():
            if isinstance(value, str):
                values.setdefault(key, []).append(value)
            elif value.filename:  # a file field's file (a field left empty sends none)
                values.setdefault(key, []).append(value.filename)
        return cls(form, values)

    def value(self, form: str, name: str, default: str = "") -> str:
        """The text of `form`'s field `name`: as typed when `form` was sent, else `default`."""
        if form != self.form:
            return default
        return self.values.get(name, [""])[0]

    def chose(self, form: str, name: str, option: str, default: bool = False) -> bool:
        """Whether `option` of `form`'s select or checkbox `name` is chosen."""
        if form != self.form:
            return default
        return option in self.values.get(name, [])


@dataclass(frozen=True)
class Refusal:
    """A form refused, in its page: the lines of the summary at the page's top (each about a
    field links to it), the words of each field at fault (shown beside it, describing it),
    and the status (422; 400 when the request is malformed: a field no one types; 413 when
    the form was too large to read, `unread`: the page's summary then says it holds nothing
    typed)."""

    form: str
    lines: list[tuple[str | None, str]]
    fields: dict[str, list[str]]
    status: int
    unread: bool = False

    @property
    def invalid(self) -> list[str]:
        return list(self.fields)

    def worded(self, words: Callable[[str], str]) -> Refusal:
        """The refusal with every line and field's words passed through `words` (a page
        naming files from its folder leaves the folder's own path out)."""
        return replace(
            self,
            lines=[(name, words(line)) for name, line in self.lines],
            fields={name: [words(w) for w in said] for name, said in self.fields.items()},
        )


#: A form's field as a refusal's summary says it, where its label on the page is not its
#: name capitalised: the solve form's summary said "error: v_floor: ..." above "US utility
#: floor", and "error: gap: ..." above "Gap" (the CLI says its options, the web its labels).
FIELD_LABELS = {
    "time_limit": "Time limit",
    "v_floor": "US utility floor",
    "sets": "Overrides",
    "policy": "Regime",
    "prices": "Shadow prices",
    "explain_all": "Say why for every partner",
    "robust": "Robust to a share of samples",
    "param": "Path",
    "refine": "Bisections per change",
    "top": "Show at most",
    "hold": "Hold other partners' packages",
    "filename": "File name",
    "against": "Redline against",
    "audience": "Audience of a redline",
    "portfolio": "Check packages against",
    "scenarios": "Scenarios file",
    "security": "Security level",
    "beta": "Concession exponent",
    "round": "Agreed round",
    "by": "Who walks away",
    "allow_retreat": "Allow a retreat",
    "fix": "Keep fixed",
    "a": "Result A",
    "b": "Result B",
}


def field_label(field: str, labels: Mapping[str, str] = FIELD_LABELS) -> str:
    """`field` as a refusal's summary says it, as its label on the page says it: `labels`
    (a form's own, where one labels a field otherwise: the counter's strategy is "Weighed
    against"), else `FIELD_LABELS`, else its name capitalised ("Gap" for `gap`)."""
    said = labels.get(field) or FIELD_LABELS.get(field)
    return said or field.replace("_", " ").capitalize()


def refusal(
    exc: DealbenchError,
    form: str,
    fields: Collection[str],
    *,
    hidden: Collection[str] = (),
    rename: Callable[[str], str] = str,
    label: Callable[[str], str] = field_label,
) -> Refusal:
    """`exc` as `form`'s refusal: `fields` are the form's fields a user fills (an error about
    one marks it), `hidden` those the page fills (an error about one is a malformed request).
    A form too large to read (`TooLarge`) is refused beside its file field when it has one
    (the file made it so), else at its top, status 413. `label`: a field (as `rename` says
    it) as the summary says it, its label on the page where its name is no word of it (the
    round forms' summary said "error: allow_retreat: ..." above "Allow a retreat"), by
    default `field_label`: an issue raised for a field (naming it as its file) says it so."""
    if isinstance(exc, FormFaults):  # each fault as if alone, said in one refusal
        each = [
            refusal(part, form, fields, hidden=hidden, rename=rename, label=label)
            for part in exc.parts
        ]
        merged: dict[str, list[str]] = {}
        for one in each:
            for name, said_of in one.fields.items():
                merged.setdefault(name, []).extend(said_of)
        status = 400 if any(one.status == 400 for one in each) else 422
        return Refusal(form, [line for one in each for line in one.lines], merged, status)
    unread = isinstance(exc, TooLarge)
    if isinstance(exc, TooLarge) and "file" in fields:
        exc = exc.of_file()
    said = user_lines(exc, lambda a: label(rename(a)), CHOOSES)
    about = invalid_fields(exc, rename)
    by_field: dict[str, list[str]] = {}
    lines: list[tuple[str | None, str]] = []
    if isinstance(exc, FieldError) and exc.form_field in fields:
        if exc.remedy is None:  # an issue naming the field itself (not its file) by its label
            field = exc.form_field
            said[: len(exc.issues)] = [
                f"error: {replace(i.worded(CHOOSES), file=label(field))}"
                if i.file == field
                else line
                for i, line in zip(exc.issues, said, strict=False)
            ]
        by_field[exc.form_field] = [line.removeprefix("error: ") for line in said]
        lines = [(exc.form_field, line) for line in said]
    elif isinstance(exc, InputError) and len(about) == len(exc.issues):
        for issue, name, line in zip(exc.issues, about, said, strict=False):
            known = name if name in fields else None
            if known is not None:
                message = issue.worded(CHOOSES).message
                words = f"{issue.field}: {message}" if issue.field else message
                by_field.setdefault(known, []).append(words)
                if exc.argument is None:  # the issue names the field as its file
                    line = f"error: {replace(issue.worded(CHOOSES), file=label(known))}"
            lines.append((known, line))
        lines += [(None, line) for line in said[len(exc.issues) :]]
    else:
        lines = [(None, line) for line in said]
    status = 413 if unread else 400 if any(name in hidden for name in about) else 422
    return Refusal(form, lines, by_field, status, unread)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render `template` with what every page needs (the CSRF token, the request). A form's
    refusal names the files under DEALS_DIR from it, as the pickers show them (a missing
    package was "/home/.../deals/packages/x.yaml: file not found", beside "packages/x.yaml");
    so do an error's `lines` (the editor's verdict on a counter it could not record, an
    error page), which named them from the server's root."""
    token = request.app.state.token
    # The tab of a page answering with a failure says "Not done: " before its title, whatever
    # refused (a form's refusal, the editor's verdict on fields that make no package): one
    # rule, the status (the layout read `refused` for most pages, and the editor its own
    # `not_done=status >= 400`). An error page's own title says what failed ("Not found").
    context.setdefault("not_done", status >= 400)
    refused = context.get("refused")
    if isinstance(refused, Refusal):
        context["refused"] = refused.worded(partial(served, request))
    lines = context.get("lines")
    if isinstance(lines, list):
        context["lines"] = [served(request, x) if isinstance(x, str) else x for x in lines]
    html = (
        environment()
        .get_template(template)
        .render(request=request, csrf_field=CSRF_FIELD, csrf=csrf_for(token), **context)
    )
    return HTMLResponse(html, status_code=status)


def served(request: Request, words: str) -> str:
    """`words` with every file under DEALS_DIR named from it, as the pickers show them
    ("partners/ae.yaml:7: ...", not the server's "/home/.../deals/partners/ae.yaml:7: ...",
    cut on a phone before the file's name): what a page says of an error (`page`'s
    refusals and lines, the portfolio list's rows). Messages name a file from the working
    folder when it lies under it (`display_path`): served as `dealbench serve deals`, the
    default, they said "deals/partners/ae.yaml:7" beside the pickers' "partners/ae.yaml"."""
    root: Path = request.app.state.root
    words = words.replace(f"{root}/", "")
    shown = display_path(root)
    if shown in (".", str(root)):
        return words
    # only where a path starts: "olddeals/x.yaml" is not "deals/x.yaml"
    return re.sub(rf"(?<![\w./~-]){re.escape(shown)}/", "", words)


def wants_fragment(request: Request) -> bool:
    """Whether the page's script asked for a fragment; without it (a link followed, a form
    sent by a page without scripts) the answer must be a whole page."""
    return request.headers.get(FRAGMENT_HEADER) == "1"


def refused_page(message: str) -> HTMLResponse:
    """The 403 page of a request without the access token (or a cross-site POST): the app's
    error page, carrying no CSRF token (the visitor has not shown the access token), its
    style inline (the static files need the token too)."""
    css = Markup((HERE / "static" / "app.css").read_text(encoding="utf-8"))
    html = (
        environment()
        .get_template("error.html.j2")
        .render(
            csrf_field=CSRF_FIELD,
            csrf="",
            title="Refused",
            lines=[message],
            inline_css=css,
            not_done=False,  # its title says it
        )
    )
    return HTMLResponse(html, status_code=403)


def error_page(
    request: Request, exc: DealbenchError, title: str = "That did not work"
) -> HTMLResponse:
    """An error in the page, in the CLI's words; 400 for bad input (413 a form too large to
    read, sent by no form of a page: a button's without fields), 422 for the rest."""
    status = 413 if isinstance(exc, TooLarge) else 400 if isinstance(exc, InputError) else 422
    lines = user_lines(exc, chooses=CHOOSES)
    context = {"title": title, "lines": lines, **portfolio_of(request), **back_of(request)}
    context |= negotiation_of(request)
    return page(request, "error.html.j2", status, not_done=False, **context)  # as titled


def negotiation_of(request: Request) -> dict[str, str]:
    """`{"negotiation": path}`: the negotiation the failed request was for (its partner
    found, `partner_of`), for the error page's "Back to the negotiation", unless the
    request was for the negotiation's page itself; else nothing. The re-plan from the
    rounds of a concluded partner, reached by its address, said why it has no frontier
    with no way back but the browser's."""
    path = getattr(request.state, "negotiation", None)
    return {"negotiation": path} if path and path != request.url.path else {}


def back_of(request: Request) -> dict[str, str]:
    """`{"back": path}`: the page of this app the request came from (its Referer), for the
    error page's "Back", a plain link; else nothing. It was `javascript:history.back()`,
    which does nothing in a browser without scripts (qa35-a11y)."""
    parts = urlsplit(request.headers.get("referer", ""))
    if not parts.path.startswith("/") or parts.netloc != request.url.netloc:
        return {}
    return {"back": parts.path + (f"?{parts.query}" if parts.query else "")}


def portfolio_of(request: Request) -> dict[str, str]:
    """`{"name": N}` when the failed request was for a page of portfolio N, which exists;
    else nothing. An error page then says N in its tab and links N's pages: a refused
    resend of a round form ("reload the negotiation") was "That did not work · dealbench",
    with no way to the negotiation but the browser's Back."""
    name = request.path_params.get("name")
    if not isinstance(name, str):
        return {}
    try:
        path = confine(request.app.state.root, f"portfolios/{name}.yaml")
        return {"name": name} if path.is_file() else {}
    except (InputError, OSError):
        return {}
