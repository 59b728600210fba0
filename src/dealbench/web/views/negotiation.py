"""A partner's negotiation and the deal room: rounds, the frontier, counters, next offers.

Everything here is a call into `dealbench.negotiate` (the same calls `dealbench
offer | counter | history | room` make); work that solves runs in a worker
thread so other pages keep answering meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dealbench.arguments import document_date
from dealbench.errors import ArgumentError, DealbenchError, InputError, Issue
from dealbench.list_words import unknown
from dealbench.model import Portfolio
from dealbench.model.load_package import load_counter
from dealbench.negotiate import (
    STRATEGIES,
    conclude,
    history,
    load_negotiation,
    record_counter,
    record_offer,
    room,
    rounds_root,
    walk_away,
)
from dealbench.negotiate.documents import round_documents
from dealbench.negotiate.offers.strategy_args import (
    BETAS,
    DEFAULT_DEADLINE,
    MODES,
    beta_typed,
    deadline_typed,
)
from dealbench.negotiate.rounds.check import check_date
from dealbench.negotiate.rounds.negotiation import Round
from dealbench.negotiate.rounds.write import refuse_shared
from dealbench.web.pages import (
    CHOOSES,
    Faults,
    FieldError,
    FormFaults,
    Refusal,
    Typed,
    field_label,
    page,
    refusal,
)
from dealbench.web.security import inside
from dealbench.web.views import joint_frontier
from dealbench.web.views.common import (
    drawn,
    notes,
    off_loop,
    portfolio,
    portfolio_file,
    refuse_unread,
    relative,
    root,
    sent_form,
    solving,
)
from dealbench.web.views.documents import documents_page, serve_file
from dealbench.web.views.joint_frontier import joint_frontiers
from dealbench.web.views.packages import (
    COUNTER_FIELDS,
    OFFER_FIELDS,
    editor_page,
    error_verdict,
    form_values,
    package_from_form,
    read_upload,
)

FIXABLE = ("compute", "security")

#: What records a round from these pages, as its file's first comment says it (it said
#: "Recorded by `dealbench offer`", a command never run; `record._header`).
RECORDED_BY = "the web workbench (`dealbench serve`)"

#: The fields a user fills in each round form of the negotiation page (its hidden `expect`
#: is the page's: an error about it is a malformed request).
ROUND_FIELDS = {
    "counter": ("file", "strategy", "deadline", "date", "author", "note"),
    "offer": ("strategy", "deadline", "beta", "fix", "allow_retreat", "date", "author", "note"),
    "conclude": ("round", "date", "author", "note", "confirm"),
    "walk-away": ("by", "date", "author", "note", "confirm"),
}
#: The library's parameters, said as the round forms' fields (a point of the frontier, the
#: CLI's `--mode`, is chosen in the offer form's strategy list; `record_counter`'s counter
#: is the uploaded file).
ROUND_ARGUMENTS = {"round_number": "round", "mode": "strategy", "counter": "file"}
#: Each round form's fields as its labels say them, where they differ from other forms'
#: (`field_label`): the closing forms' summary said "error: confirm: tick 'Agree' ...".
ROUND_LABELS = {
    "counter": {"file": "Package file", "strategy": "Weighed against"},
    "offer": {},
    "conclude": {"confirm": "Agree"},
    "walk-away": {"confirm": "End the talks"},
}
#: Each round form's button, which alone records its round (negotiation.html.j2 says them).
RECORD_BUTTONS = {
    "counter": "Record counter",
    "offer": "Propose and record",
    "conclude": "Conclude the deal",
    "walk-away": "Walk away",
}
#: The field of a round form's first, hidden button: what Enter in one of its fields sends
#: (a browser's implicit submission presses a form's first button), never a round.
ENTER = "enter"
#: The section of a partner's negotiation page whose form makes each next move the room
#: names: the room's move was a word the user then had to find the form for, where the
#: terminal's room names the command that makes it (qa49-room).
MOVE_FORMS = {"accept": "close-h", "walk away": "close-h", "offer": "offer-h", "counter": "offer-h"}


def routes() -> list[Route]:
    return [
        Route("/p/{name}/room", show_room, name="room"),
        Route("/p/{name}/n/{code}", show_partner, name="negotiation"),
        Route(
            "/p/{name}/n/{code}/frontier/jointly",
            post_joint_frontier,
            methods=["POST"],
            name="joint_frontier",
        ),
        Route("/p/{name}/n/{code}/counter", post_counter, methods=["POST"], name="counter"),
        Route("/p/{name}/n/{code}/offer", post_offer, methods=["POST"], name="offer"),
        Route("/p/{name}/n/{code}/conclude", post_conclude, methods=["POST"], name="conclude"),
        Route("/p/{name}/n/{code}/walk-away", post_walk_away, methods=["POST"], name="walk_away"),
        Route("/p/{name}/n/{code}/recorded/{number:int}", recorded_page, name="recorded"),
        Route("/p/{name}/n/{code}/rounds/{number:int}", round_page, name="round"),
        Route("/p/{name}/n/{code}/rounds/{number:int}/{file:path}", round_file, name="round_file"),
    ]


def setup(request: Request) -> tuple[str, Portfolio, Path]:
    """The portfolio and its rounds folder (which must lie under DEALS_DIR)."""
    name = request.path_params["name"]
    pf = portfolio(request, name)
    folder = inside(root(request), rounds_root(portfolio_file(request, name), pf))
    return name, pf, folder


def partner_of(request: Request, pf: Portfolio) -> str:
    """The partner of the negotiation the request's address names; an error page of the
    request then links back to that negotiation (`pages.negotiation_of`)."""
    code = str(request.path_params["code"]).upper()
    if pf.partner(code) is None:
        raise HTTPException(404, f"No partner {code!r} in portfolio {pf.id}.")
    request.state.negotiation = f"/p/{quote(str(request.path_params['name']), safe='')}/n/{code}"
    return code


async def show_room(request: Request) -> Response:
    name, pf, folder = setup(request)
    why = request.query_params.get("why") == "1"
    # Drawn once per state of the files it reads, as the memo's room (the same one, with
    # why): Back from a negotiation re-planned every open negotiation again (qa43-scale).
    found = await drawn(request, folder, ("room", why), partial(room, pf, folder, why=why))
    the_room = found.worded(CHOOSES)
    return page(
        request,
        "room.html.j2",
        name=name,
        room=the_room,
        why=why,
        move_forms=MOVE_FORMS,
        **notes(request, pf),
    )


async def show_partner(request: Request) -> Response:
    name, pf, folder = setup(request)
    code = partner_of(request, pf)
    return negotiation_page(request, name, pf, folder, code)


def negotiation_page(
    request: Request,
    name: str,
    pf: Portfolio,
    folder: Path,
    code: str,
    typed: Typed | None = None,
    refused: Refusal | None = None,
) -> Response:
    """The negotiation with `code` as it stands; with `refused`, the round form it names
    holding what was `typed`, the fields at fault marked, the refusal at the top."""
    found = history(pf, folder, code)
    # A counter is built in the editor from the last round's package, as a partner answers
    # it: the editor opened a new package (baseline, no compute, no concession) to retype.
    last = next((r for r in reversed(found.rounds) if r.package is not None), None)
    response = page(
        request,
        "negotiation.html.j2",
        refused.status if refused is not None else 200,
        typed=typed or Typed(),
        refused=refused,
        name=name,
        code=code,
        partner=pf.partner(code),
        history=found,
        next_round=len(found.rounds) + 1,
        closed=bool(found.rounds) and found.rounds[-1].status != "open",
        strategies=sorted(STRATEGIES),
        record_buttons=RECORD_BUTTONS,
        enter_words={kind: enter_words(kind) for kind in RECORD_BUTTONS},
        modes=MODES,
        default_deadline=DEFAULT_DEADLINE,
        betas=BETAS,
        fixable=FIXABLE + tuple(c.id for c in pf.partner(code).concessions),  # type: ignore[union-attr]
        joint_frontiers=joint_frontiers(request, name, code),
        editor_from=None if last is None else (last, relative(request, folder / code / last.file)),
        **notes(request, pf),
    )
    # Never from the browser's cache: Back after a round was recorded showed the page as it
    # was before, without the round (its frontier is drawn once per state of the files).
    response.headers["Cache-Control"] = "no-store"
    return response


async def post_joint_frontier(request: Request) -> Response:
    """Start `frontier --jointly` as a job (`joint_frontier`); refused, the negotiation page
    again, the form holding what was typed and every field at fault marked (a separate
    error page said the first fault only, and lost what was typed)."""
    form = await sent_form(request)
    name, pf, folder = setup(request)
    code = partner_of(request, pf)
    try:
        refuse_unread(form)
        return await joint_frontier.start_joint_frontier(request, form, pf, code)
    except DealbenchError as exc:
        refused = refusal(exc, "joint", joint_frontier.FIELDS)
        return negotiation_page(request, name, pf, folder, code, Typed.of("joint", form), refused)


@dataclass(frozen=True)
class Sent:
    """A round form sent: the request, its fields, the portfolio, rounds folder and partner."""

    request: Request
    form: FormData
    name: str
    pf: Portfolio
    folder: Path
    code: str


async def _round_form(
    request: Request, kind: str, record: Callable[[Sent], Awaitable[Response]]
) -> Response:
    """The round form `kind` sent to `record`; refused, the negotiation page again, the form
    holding what was typed and the fields at fault marked (a separate error page lost it all).
    A form too large to read (`sent_form`) is refused there too, empty: a counter's beside its
    file field (it was an error page naming neither the file nor the form)."""
    form = await sent_form(request)
    name, pf, folder = setup(request)
    code = partner_of(request, pf)
    if ENTER in form and not _from_editor(request, form):
        # Enter in a field (without the page's script, which keeps Enter from sending the
        # form): a round is never taken back, so it is recorded by its button alone.
        refused = Refusal(kind, [(None, enter_words(kind))], {}, 422)
        return negotiation_page(request, name, pf, folder, code, Typed.of(kind, form), refused)
    try:
        refuse_unread(form)
        refuse_shared(portfolio_file(request, name), pf)
        return await record(Sent(request, form, name, pf, folder, code))
    except DealbenchError as exc:
        if _from_editor(request, form):  # the editor again, as typed
            # its round fields are the counter's form's (the date field's id), the offer's
            # retreat beside them
            fields = (*ROUND_FIELDS[kind], *COUNTER_FIELDS)
            said = partial(field_label, labels=ROUND_LABELS["counter"])
            refused = refusal(exc, "counter", fields, hidden=("expect",), rename=_field, label=said)
            verdict = error_verdict(exc)
            if isinstance(exc, (ArgumentError, FormFaults)):  # arguments as the page labels them
                verdict["lines"] = [line for _, line in refused.lines]
            for field in (*COUNTER_FIELDS, *OFFER_FIELDS):  # the round's own fields at
                if field in refused.fields and field != "date":  # fault; the date: `refused`'s
                    verdict["by_field"].setdefault(field, []).extend(refused.fields[field])
            values = form_values(form)
            status = refused.status
            return editor_page(
                request, name, pf, code, values, verdict, status=status, refused=refused
            )
        said = partial(field_label, labels=ROUND_LABELS[kind])
        refused = refusal(
            exc, kind, ROUND_FIELDS[kind], hidden=("expect",), rename=_field, label=said
        )
        return negotiation_page(request, name, pf, folder, code, Typed.of(kind, form), refused)


#: What each round form records, in its message about Enter.
_ROUND_WORDS = {
    "counter": "counter",
    "offer": "offer",
    "conclude": "deal",
    "walk-away": "end of the talks",
}


def enter_words(kind: str) -> str:
    """What Enter in a field of round form `kind` does: the answer of a page without script,
    and what the page's script says in the form's status (it said nothing: a keyboard user
    pressed Enter, and nothing happened)."""
    return (
        f"Enter in a field records nothing: press “{RECORD_BUTTONS[kind]}” to record "
        f"the {_ROUND_WORDS[kind]}."
    )


def _field(argument: str) -> str:
    """A library parameter as the round form's field."""
    return ROUND_ARGUMENTS.get(argument, argument)


def _from_editor(request: Request, form: FormData) -> bool:
    """Whether a round was sent by the package editor's "Record as counter" or "Record as
    our offer" (its fields are the package), not by the negotiation page's forms (a file,
    a strategy): the editor's forms name their partner, in a field and in their address
    (a form too large to read has none)."""
    return "partner" in form or "partner" in request.query_params


async def post_counter(request: Request) -> Response:
    """Record the partner's counter (an uploaded file, or the editor's fields) and its verdict."""
    return await _round_form(request, "counter", _record_counter)


async def _record_counter(sent: Sent) -> Response:
    form, pf = sent.form, sent.pf
    faults = Faults(_field)  # every field's fault at once, each beside its field
    item = form.get("file")
    package = None
    if isinstance(item, UploadFile) and item.filename:
        try:
            # as `counter FILE` reads it: a round file gives its package, not its date
            package = await read_upload(sent.request, item, pf, load_counter)
        except InputError as exc:  # its words name the file and its lines: the field is at fault
            faults.refused(FieldError("file", exc))
    elif _from_editor(sent.request, form):
        package = faults.checked(lambda: package_from_form(form, pf))
    else:
        faults.add(Issue("file", None, "", "choose the counter's package file"))
    # What the verdict weighs the counter against, as `counter --strategy --deadline` (the
    # library checks both before it writes; the editor's button sends neither: as recorded)
    strategy = str(form.get("strategy") or "") or None
    deadline = faults.checked(lambda: deadline_typed(str(form.get("deadline") or "")))
    said = round_fields(form, pf, faults)
    faults.raise_any()
    assert package is not None
    result = await solving(
        lambda: record_counter(
            pf, sent.folder, sent.code, package, note=said.note, author=said.author,
            date=said.date, strategy=strategy, deadline=deadline, expect=said.expect,
            recorded_by=RECORDED_BY,
        )
    )  # fmt: skip
    return shown(
        sent,
        "recorded.html.j2",
        kind="counter",
        round=result.round,
        file_round=result.file_round,  # as `counter` says it: "(the file says round 2)"
        verdict=result.verdict,
        periods=pf.periods,  # the frontier's package's compute, period by period
        proposal=None,
    )


async def post_offer(request: Request) -> Response:
    """Propose and record the next US offer by the chosen strategy."""
    return await _round_form(request, "offer", _record_offer)


async def _record_offer(sent: Sent) -> Response:
    if _from_editor(sent.request, sent.form):
        return await _record_own_offer(sent)
    form = sent.form
    faults = Faults(_field)  # every field's fault at once, each beside its field
    strategy = str(form.get("strategy") or "") or None
    if strategy is not None and strategy not in (*STRATEGIES, *MODES):
        # as `offer --strategy` says it, the frontier's points (`--mode`) offered beside
        choices = [*sorted(STRATEGIES), *MODES]
        faults.add(Issue("strategy", None, "", unknown("strategy", strategy, choices)))
    # `offer --mode` as the CLI has it: a point of the frontier, chosen in the same list
    mode = strategy if strategy in MODES else None
    strategy = None if mode is not None else strategy
    fix = [str(v) for v in form.getlist("fix") if str(v)]
    # `offer --deadline`, `offer --beta`
    deadline = faults.checked(lambda: deadline_typed(str(form.get("deadline") or "")))
    beta = faults.checked(lambda: beta_typed(str(form.get("beta") or "")))
    how = {"strategy": strategy, "mode": mode, "deadline": deadline, "beta": beta, "fix": fix}
    return await _offered(sent, faults, **how)


async def _record_own_offer(sent: Sent) -> Response:
    """The editor's package recorded as our offer, as `offer --package` records a file (its
    strategy and deadline fields weigh a counter's verdict: not read here)."""
    faults = Faults(_field)
    package = faults.checked(lambda: package_from_form(sent.form, sent.pf))
    return await _offered(sent, faults, package=package)


async def _offered(sent: Sent, faults: Faults, **how: Any) -> Response:
    """Our offer recorded as `how` chooses it (a strategy, a mode, or the editor's
    `package`), with the form's round fields, and its page: a package of our own shows
    what it gives each side (`offered`), a strategy's offer its proposal. `faults`: those
    of the form's own fields, said with the round fields' at once."""
    form, said = sent.form, round_fields(sent.form, sent.pf, faults)
    faults.raise_any()
    result = await solving(
        lambda: record_offer(
            sent.pf, sent.folder, sent.code, note=said.note, author=said.author, date=said.date,
            expect=said.expect, allow_retreat=form.get("allow_retreat") == "yes",
            recorded_by=RECORDED_BY, **how,
        )
    )  # fmt: skip
    own = {"offered": result} if "package" in how else {}
    return shown(
        sent,
        "recorded.html.j2",
        kind="offer",
        round=result.round,
        file_round=None,
        verdict=None,
        proposal=None if own else result.proposal,
        step_note=result.step_note,
        repeat_note=result.repeat_note,
        no_deal_note=result.no_deal_note,
        previous=result.previous,  # what a retreat takes back from (`offer`'s warning)
        **own,
    )


#: What each round recorded from these pages showed when it was recorded (its verdict, the
#: strategy's proposal: worked out once, at the write), by the round file as written
#: (`_written`): the POST redirects to `recorded_page`, which shows it, so that reloading
#: that page, or Back to it, sends nothing again. It answered the POST in place: a reload
#: sent the form again, refused as "round N was recorded after the page was loaded"
#: right below the success it had just shown.
_SHOWN: dict[tuple[str, int, int], tuple[str, dict[str, Any]]] = {}


def _written(path: Path) -> tuple[str, int, int]:
    """A round file as it was written (another file of that name later is another round)."""
    stat = path.stat()
    return str(path.resolve()), stat.st_mtime_ns, stat.st_size


def shown(sent: Sent, template: str, **context: Any) -> Response:
    """A recorded round's page kept for `recorded_page`, and the redirect there (303: Post/
    Redirect/Get); `context["round"]`, the round written."""
    written: Round = context["round"]
    if len(_SHOWN) > 64:
        _SHOWN.clear()
    _SHOWN[_written(written.path)] = (template, context)
    url = sent.request.url_for("recorded", name=sent.name, code=sent.code, number=written.number)
    return RedirectResponse(url.path, status_code=303)


async def recorded_page(request: Request) -> Response:
    """The page of a round just recorded by a round form (`shown`). A round recorded by
    another way, or before the server started, is shown from its file alone: the page
    says where it was written, links its documents, and what was worked out then (a
    verdict, a proposal) is in the negotiation's history."""
    name, pf, folder = setup(request)
    code = partner_of(request, pf)
    number = int(request.path_params["number"])
    found = {r.number: r for r in load_negotiation(pf, folder, code).rounds}.get(number)
    if found is None:
        raise HTTPException(404, f"No round {number} with {code}.")
    template, context = _SHOWN.get(_written(found.path), ("", {}))
    if not template:  # from the file: a closing round says it all; a counter or offer, less
        closing = found.status != "open"
        template = "closed.html.j2" if closing else "recorded.html.j2"
        kind = found.status if closing else "offer" if found.side == "us" else "counter"
        context = {"round": found, "kind": kind, "file_round": None, "verdict": None}
        context |= {"proposal": None, "from_file": True}
    return page(request, template, name=name, code=code, **context, **notes(request, pf))


@dataclass(frozen=True)
class RoundSaid:
    """What every round form says of its round, as `--note`, `--author` and `--date` do, and
    `expect` (the number the page showed the round would take: a form sent twice, or from
    an out-of-date page, is refused rather than recorded)."""

    note: str | None
    author: str | None
    date: dt.date | None
    expect: int | None


def round_fields(form: FormData, pf: Portfolio, faults: Faults) -> RoundSaid:
    """A round form's note, author, date and `expect` (empty: as the CLI without the option:
    no note, the side's delegation, the package's date or none), their faults kept in
    `faults` with the form's other fields' (a date `pf`'s rounds cannot have, as the
    library checks it: it was said once the other fields were good)."""
    note = str(form.get("note") or "").strip() or None
    author = str(form.get("author") or "").strip() or None
    # The room memo's date field's check, as the CLI's `--date` (YYYY-MM-DD or `today`)
    typed = str(form.get("date") or "").strip() or None
    date = faults.checked(lambda: document_date(typed, "date"))
    if date is not None:
        faults.checked(partial(check_date, pf, date))
    return RoundSaid(note, author, date, faults.checked(lambda: _round_number(form, "expect")))


def _round_number(form: Any, field: str) -> int | None:
    """A round number from a form field (None: left empty)."""
    text = str(form.get(field) or "").strip()
    if text and not text.isdigit():
        raise InputError(Issue(field, None, "", f"expected a round number, got {text!r}"))
    return int(text) if text else None


async def post_conclude(request: Request) -> Response:
    """Record that the deal is concluded on a round's package (`dealbench conclude`)."""

    def record(form: FormData, faults: Faults) -> Callable[..., Any]:
        number = faults.checked(lambda: _round_number(form, "round"))
        # Enter in the date or note field sends the form: it must not fix a deal for good
        why = "conclude the deal, which fixes the deal's package"
        faults.checked(lambda: _confirmed(form, why))
        return partial(conclude, round_number=number)

    return await _round_form(request, "conclude", partial(_close, "concluded", record))


def _confirmed(form: FormData, why: str) -> None:
    """Refuse a closing form whose box is not ticked, saying `why` in its field."""
    if form.get("confirm") != "yes":
        message = f"not ticked; tick it to {why} (a round is never taken back)"
        raise InputError(Issue("confirm", None, "", message))


async def post_walk_away(request: Request) -> Response:
    """Record that the talks ended without a deal (`dealbench walk-away`)."""

    def record(form: FormData, faults: Faults) -> Callable[..., Any]:
        by = str(form.get("by") or "us")
        if by not in ("us", "partner"):
            faults.add(Issue("by", None, "", f"expected us or partner, got {by!r}"))
        # one click must not end the talks: history stays
        why = "record a walk-away, which ends the negotiation"
        faults.checked(lambda: _confirmed(form, why))
        return partial(walk_away, by="us" if by == "us" else "partner")

    return await _round_form(request, "walk-away", partial(_close, "walked-away", record))


async def _close(
    kind: str, record: Callable[[FormData, Faults], Callable[..., Any]], sent: Sent
) -> Response:
    """Record the round that ends a negotiation and show it: `record(form, faults)` reads
    the form's own fields (their faults kept, said with the round fields' at once) and
    gives the call, `call(pf, folder, code, note=, author=, date=, expect=)`."""
    faults = Faults(_field)
    call = record(sent.form, faults)
    said = round_fields(sent.form, sent.pf, faults)
    faults.raise_any()
    done = await solving(
        lambda: call(
            sent.pf, sent.folder, sent.code, note=said.note, author=said.author,
            date=said.date, expect=said.expect, recorded_by=RECORDED_BY,
        )
    )  # fmt: skip
    return shown(sent, "closed.html.j2", round=done, kind=kind)


def _round_docs(request: Request) -> tuple[str, str, int, list[Any]]:
    name, pf, folder = setup(request)
    code = partner_of(request, pf)
    number = int(request.path_params["number"])
    negotiation = load_negotiation(pf, folder, code)
    rounds = {r.number: r for r in negotiation.rounds}
    current = rounds.get(number)
    if current is None or current.package is None:
        raise HTTPException(404, f"No round {number} with a package for {code}.")
    # A US offer is redlined against the previous US offer; a counter against the
    # US offer it answers: both are the last US round before it.
    earlier = [r for r in negotiation.rounds if r.number < number and r.package is not None]
    previous = next((r for r in reversed(earlier) if r.side == "us"), None)
    return name, code, number, round_documents(pf, code, current, previous)


async def round_page(request: Request) -> Response:
    name, code, number, docs = await off_loop(_round_docs, request)
    heading = f"Documents of round {number} with {code} ({name})"
    negotiation = f"/p/{quote(name, safe='')}/n/{code}"
    back = (negotiation, "Back to the negotiation")
    return documents_page(request, heading, f"{negotiation}/rounds/{number}/", docs, name, back)


async def round_file(request: Request) -> Response:
    name, _, _, docs = await off_loop(_round_docs, request)
    return await serve_file(request, docs, request.path_params["file"], name)
