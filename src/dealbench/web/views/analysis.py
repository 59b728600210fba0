"""Analysis in the browser: a solve's shadow prices and robustness, and a package's risk
sampling; sweeps (named scenarios, or one figure from A to B) are `web.views.sweeps`.

Each page makes the library call its CLI command makes (`solve --prices | --robust`,
`risk`), with the same arguments, and says what it found in the CLI's words.
A form with a bad field is shown again as typed, with the error naming the field.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dealbench.analyze.analysed import SAMPLES, SEED, check_analysis, nothing_uncertain
from dealbench.analyze.robust import check_level
from dealbench.analyze.uncertainty import RiskReport, Summary, risk_report
from dealbench.arguments import at_least_one, seed_of, share_typed
from dealbench.errors import DealbenchError, InputError, Issue
from dealbench.figures import chips_of, h100e, quantity, usd
from dealbench.model import Package, Portfolio, load_package
from dealbench.web.jobs import Job
from dealbench.web.pages import Faults, FieldError, Unread, about_field, page, refusal
from dealbench.web.security import confine
from dealbench.web.views.common import (
    address_form,
    notes,
    off_loop,
    portfolio,
    refuse_unread,
    root,
    sent_form,
)
from dealbench.web.views.packages import (
    editor_refused,
    form_values,
    package_from_form,
    redline_files,
    typed_address,
)

T = TypeVar("T")

#: The most samples one page draws (the CLI takes any number; a page that asked for a
#: billion would hold the server's memory): 100 times the default.
MAX_SAMPLES = 1_000_000
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
    ]


def field_name(argument: str) -> str:
    """A library parameter as the form's field."""
    return FIELDS.get(argument, argument)


def form_text(form: Any, field: str) -> str:
    """What was typed in `field`, stripped (nothing: empty)."""
    return str(form.get(field) or "").strip()


def whole(form: Any, field: str, default: int) -> int:
    """A whole number as typed in `field` (empty: `default`)."""
    text = form_text(form, field).replace("_", "").replace(",", "")
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise InputError(
            Issue(field, None, "", f"expected a whole number, got {form_text(form, field)!r}")
        ) from None


def samples_seed(form: Any, faults: Faults) -> tuple[int, int] | None:
    """The samples and seed fields, checked as the library checks them, their faults kept
    in `faults` (None: one is at fault)."""
    samples = faults.checked(lambda: _samples(form))
    seed = faults.checked(lambda: seed_of(whole(form, "seed", SEED)))
    return None if samples is None or seed is None else (samples, seed)


def _samples(form: Any) -> int:
    samples = at_least_one(whole(form, "samples", SAMPLES), "samples", "sample")
    if samples > MAX_SAMPLES:
        raise InputError(
            Issue(
                "samples", None, "", f"expected at most {MAX_SAMPLES:,} in a page, got {samples:,}"
            )
        )
    return samples


# --- a solve's prices and robustness (the solve form's options) --------------------------


def solve_analysis(form: Any, mode: str, faults: Faults) -> dict[str, Any] | None:
    """The solve form's analysis options as `solve_with_analysis` keywords (None: a plain
    solve, or a field at fault), checked before any process starts, as `solve --prices |
    --robust` checks them; each field's fault kept in `faults`."""
    prices = str(form.get("prices") or "") == "yes"
    robust_text = form_text(form, "robust")
    if not robust_text:
        for field in ("samples", "seed"):
            if form_text(form, field):
                faults.add(Issue(field, None, "", "only with a robust share"))
        if not prices:
            return None
    try:
        check_analysis(mode, prices)
    except InputError as exc:
        faults.add(Issue("prices", None, "", exc.issues[0].message))
    robust = None
    if robust_text:
        # as `solve --robust` reads it, quoted as typed when it is refused
        robust = faults.checked(lambda: check_level(share_typed(robust_text, "robust"), "robust"))
        if mode != "us-best":
            message = f"a robust solve is for the us-best mode, not {mode}"
            faults.add(Issue("robust", None, "", message))
        sampling = samples_seed(form, faults)
    else:
        sampling = (SAMPLES, SEED)
    if sampling is None:
        return None
    samples, seed = sampling
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
    source = form_text(form, "package")
    if source:
        from dealbench.web.views.packages import field_values

        try:
            package = load_package(confine(root(request), source), pf)
        except InputError as exc:  # about the package the page was asked for (its link's)
            raise FieldError("package", exc) from None
        return package, {"partner": package.partner, **field_values(package, pf)}
    values = form_values(form) if isinstance(form, FormData) else {}
    values["partner"] = form_text(form, "partner")
    return package_from_form(form, pf), values


#: The fields of a risk page's address: the package's (a file, or the editor's fields, as
#: `package_from_form` reads them) and the sampling's.
_RISK_FIELDS = ("package", "partner", "security", "title", "samples", "seed")


def risk_address(request: Request, name: str, form: FormData) -> str:
    """The risk page of what `form` sends (the editor's "Sample acceptance"): its address
    holds the package and the sampling, so the page is a GET that reloading, Back and a
    bookmark show again without sending a form (the fields only: the editor's own, such
    as the file name or a round's note, are not the package's)."""
    kept = [
        (key, str(value))
        for key, value in form.multi_items()
        if isinstance(value, str)
        and (key in _RISK_FIELDS or key.startswith(("compute.", "concession.")))
    ]
    return f"{request.url_for('risk', name=name).path}?{urlencode(kept)}"


def _reads(form: FormData, pf: Portfolio) -> bool:
    """Whether the form's package reads (a file named, or the editor's fields that make a
    package): those that do not are refused in the form sent, as typed, which an address
    holding the package's fields alone could not show (the file name, a round's note)."""
    if isinstance(form, Unread):
        return False
    if form_text(form, "package"):
        return True
    try:
        package_from_form(form, pf)
    except DealbenchError:
        return False
    return True


async def risk(request: Request) -> Response:
    """`dealbench risk PACKAGE --portfolio P --samples N --seed S`: from the editor's fields
    or a package file (`?package=packages/ae-offer.yaml`), each in the page's address. The
    editor's form (POST) is redirected there (303: Post/Redirect/Get): the page answered
    the POST, and reloading it sent the form again (the browser asking to resend it)."""
    name = request.path_params["name"]
    pf = portfolio(request, name)
    form: Any
    if request.method == "POST":
        form = await sent_form(request)
        if _reads(form, pf):  # else refused below, in the editor, every field as typed
            return RedirectResponse(risk_address(request, name, form), status_code=303)
    elif "security" in request.query_params:  # the editor's fields, as the POST's were
        form = address_form(request)
    else:
        form = request.query_params
    # No note that the page's figures use the means: they are the samples' (`risk` prints
    # none), and the page lists the uncertain figures it draws. Its inputs' notes, as `risk`.
    context: dict[str, Any] = {
        **notes(request, pf, means=False),
        "name": name,
        "samples": form_text(form, "samples") or str(SAMPLES),
        "seed": form_text(form, "seed") or str(SEED),
        "source": form_text(form, "package"),
        "values": {},
        "report": None,
        "refused": None,
        "package": None,
        "compute": {},
        "files": None,
        "editor": None,
    }
    if not (context["source"] or isinstance(form, FormData)):
        # The address the editor's "Sample acceptance" leaves, opened again (a new tab, a
        # bookmark): no package. It said "security: expected an id ..., got ''" about a
        # field the page has not; it offers the package files instead, as improve does.
        context["files"] = redline_files(request)
        return page(request, "risk.html.j2", **context)
    try:
        refuse_unread(form)  # the editor's fields, or the page's own, too many to read
        faults = Faults()  # the package's file, samples and seed at once
        found = faults.checked(lambda: _package_of(request, form, pf))
        if found is not None:
            package, values = found
            kept = {k: v for k, v in values.items() if k not in ("filename", "replace")}
            context.update(values=kept, package=package)
            context["compute"] = compute_words(pf, package)
            if not context["source"]:  # "Back to the editor": its fields as sampled (it
                # opened a new package of the partner, and what was typed there was gone)
                fields = {k: v for k, v in context["values"].items() if k != "partner"}
                context["editor"] = typed_address(request, name, package.partner, fields)
        sampling = samples_seed(form, faults)
        faults.raise_any()
        assert found is not None and sampling is not None
        samples, seed = sampling
        report = await off_loop(risk_report, pf, found[0], samples, seed)  # no solve
    except DealbenchError as exc:
        if context["package"] is None and not context["source"] and isinstance(form, FormData):
            return editor_refused(request, name, pf, form, exc)  # the editor's fields, as typed
        if not context["values"] and isinstance(form, FormData):
            context["values"] = {**form_values(form), "partner": form_text(form, "partner")}
        offered = redline_files(request) if request.method == "GET" else []
        if about_field(exc, "package") and context["source"] in offered:
            # A package file chosen in the picker (or a link's) that does not open: the
            # picker again, the file chosen and marked, as improve's. The page showed the
            # error over Samples and Seed alone, the broken file carried hidden, and no
            # way to choose another but the browser's Back (qa41-web). A file no picker
            # offers (a path out of the deals folder) is a malformed request, below.
            context["files"] = offered
            refused = refusal(exc, "risk", ("package", "samples", "seed"))
            context["refused"] = refused
            return page(request, "risk.html.j2", refused.status, **context)
        # The package is the page's (the editor's fields carried hidden): an error about
        # its file is a malformed request; samples and seed are typed here.
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
