"""The one Jinja2 environment for documents, its filters, and the clause sandbox.

Templates receive plain data and hold no business logic; dates come in
explicitly. Every template, shipped or from a user's `--templates` folder,
renders in a sandboxed, StrictUndefined environment: a house template or a
clause text from a data file cannot reach the file system or run code.
Errors name the template (or data file) and the line.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from markupsafe import Markup

from dealbench.errors import ArgumentError, RenderError
from dealbench.figures import exact_total, h100e, quantity, rows_note, rows_sum
from dealbench.figures import usd as money
from dealbench.list_words import and_list, periods_said
from dealbench.model.names import party_in_text  # a partner's name in running English
from dealbench.model.yamlio import read_regular_file
from dealbench.units import H100_TPP

__all__ = [
    "and_list",
    "exact_total",
    "h100e",
    "md_escape",
    "money",
    "percent",
    "periods_said",
    "ratio",
    "render_clause",
    "render_template",
    "rows_note",
    "rows_sum",
]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

#: What a template's own mistakes raise at render time (bad filters, bad data use).
_TEMPLATE_FAULTS = (
    jinja2.TemplateError,
    TypeError,
    ValueError,
    ArithmeticError,
    LookupError,
    RecursionError,
    MemoryError,
)


# --- filters -------------------------------------------------------------------------------


#: A sign before a dollar amount (`-$2.00bn`, `+$356.3m`): a line may break after a
#: hyphen-minus, which left "partner utility -" at a line's end and "$2.00bn" on the next in
#: the PDF. The paginated formats keep them together: the PDF with a word joiner (U+2060,
#: invisible, and absent from the text a reader copies), the DOCX with Word's non-breaking
#: hyphen (read back as "-").
SIGNED_AMOUNT = re.compile(r"(?<![\w$])([-+])(?=\$\d)")


_TAG = re.compile(r"(<[^>]*>)")


def joined_signs(html: str) -> str:
    """`html` with no line break allowed between a sign and the dollar amount it signs, in
    its text (an attribute, such as a chart's `alt`, is read aloud as it is)."""
    return "".join(
        part if part.startswith("<") else SIGNED_AMOUNT.sub("\\1\u2060", part)
        for part in _TAG.split(html)
    )


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 deal`, `2 deals`, `0 deals` (never `deal(s)`)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def shown_usd(amount: float) -> float:
    """`amount` as the `money` filter prints it, as a number: $992.9m is 992,900,000 for
    an amount of 992,937,500. Summing these says whether a column of money adds up to
    the total printed under it."""
    text = money(amount)
    match = re.fullmatch(r"([-+]?)\$([0-9,.]+)(tn|bn|m)?", text)
    if match is None:  # pragma: no cover - usd() writes only this form
        raise ValueError(f"not a money figure: {text!r}")
    sign, digits, suffix = match.groups()
    scale = {"tn": 1e12, "bn": 1e9, "m": 1e6, None: 1.0}[suffix]
    value = float(digits.replace(",", "")) * scale
    return -value if sign == "-" else value


def number(amount: float) -> str:
    """A whole number with thousands separators (`880,488,000`): a total of TPP."""
    return quantity(amount)


def tpp(amount_h100e: float) -> str:
    """The TPP equivalent of an amount of H100e, as export rules count it."""
    return quantity(amount_h100e * H100_TPP)


def distance_to_best(gap: float | None, digits: int = 2) -> str:
    """How far a solve stopped by its time limit may be from the best, in words.

    A relative gap of 100% or more (nothing found yet worth much, such as V = 0 against
    a bound of billions) bounds nothing a reader can use: it is said so, not printed as a
    percentage of eleven digits."""
    if gap is None:
        return "at an unknown distance from the best"
    if gap >= 1:
        return "with no useful bound on the distance to the best (a relative gap above 100%)"
    return f"within {percent(gap, digits)} of the best"


def percent(share: float | None, digits: int = 1) -> str:
    """`12.5%`; a share that is not zero but rounds to it is `less than 0.1%`, never `0.0%`;
    one short of the whole that rounds to it is `more than 99.9%`, never `100.0%` (a budget
    with 133 of 327,000 left is not used in full)."""
    if share is None:
        return "n/a"
    smallest = 10.0**-digits
    if 0 < abs(share) * 100 < smallest / 2:
        return f"less than {smallest:.{digits}f}%"
    if 0 < 100 - share * 100 < smallest / 2:
        return f"more than {100 - smallest:.{digits}f}%"
    return f"{share * 100:.{digits}f}%"


def ratio(value: float, digits: int = 2, suffix: str = "") -> str:
    """`4.00`, or `4.0×` with `suffix`; a ratio that is not zero but rounds to it is `less
    than 0.01` (USD 75k of US value against USD 2.5tn of partner cost), never `0.00`,
    which reads as worth nothing."""
    smallest = 10.0**-digits
    if 0 < abs(value) < smallest / 2:
        bound = "less than" if value > 0 else "more than -"
        return f"{bound}{'' if value < 0 else ' '}{smallest:.{digits}f}{suffix}"
    return f"{value:.{digits}f}{suffix}"


#: The months in a document's dates: the documents are English whatever the locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(iso: str | None, undated: str = "Draft, undated") -> str:
    """`2026-03-01` -> `1 March 2026`; None -> the undated wording.

    The month is named here, not by `strftime("%B")`, which names it in the process's
    locale once anything has set it: matplotlib does (`locale.setlocale(LC_ALL, "")`)
    for a user whose matplotlibrc asks for `axes.formatter.use_locale`, and a memo
    rendered after a chart read "1 März 2026" under a German locale, its term sheets
    "1 March 2026"."""
    if not iso:
        return undated
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell: `|` escaped, line breaks as spaces.

    In Markdown documents every value is escaped on output (`md_escape`) and `cell`
    there is `md_cell`; this form serves templates outside that environment.
    """
    return " ".join(str(value).split("\n")).replace("|", "\\|")


#: Markdown's inline markup: backslash-escaped wherever it appears in a value.
_MD_INLINE = re.compile(r"([\\`*~\[\]|])")
#: `_` opens or closes emphasis only at a word's edge (`no_prc` is left as written).
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
#: What makes a line a heading, a quote or a bullet when a value starts it.
_MD_LINE_START = re.compile(r"^(\s*)(#|>|[-+](?=\s))")


def md_escape(value: object) -> Markup:
    """A value from the data as literal text in Markdown: nothing in it can forge structure.

    `&` and `<` become entities (so no HTML tag or entity can start; `->` stays as
    written); `\\`, backticks, `*`, `~`, brackets, `|` and `_` at a word's edge are
    backslash-escaped; a leading `#`, `>` or bullet (`- `, `+ `) is escaped (not
    `1. `: section titles start so); line breaks become spaces. A value already
    escaped (a macro's output, `md_cell`) passes as it is.
    """
    if isinstance(value, Markup):
        return value
    text = re.sub(r"[\r\n\v\f\u2028\u2029]+", " ", str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;")  # no tag or entity can start
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    text = _MD_LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}", text, count=1)
    return Markup(text)


def md_cell(value: object) -> Markup:
    """`cell` for Markdown documents: the value escaped (so `|` too), on one line."""
    return Markup(" ".join(md_escape(value).split("\n")))


FILTERS = {
    "money": money,
    "h100e": h100e,
    "tpp": tpp,
    "number": number,
    "percent": percent,
    "date": long_date,
    "cell": cell,
    "plural": plural,
    "in_text": party_in_text,
}


# --- the bounded sandbox ------------------------------------------------------------------------

#: Limits on one render (a document or a clause): what a template may cost.
MAX_OUTPUT_CHARS = {"document": 5_000_000, "clause": 20_000}
#: Steps (attribute lookups, calls, operators, loop items) and seconds of one render.
MAX_STEPS = {"document": 50_000_000, "clause": 200_000}
MAX_SECONDS = {"document": 120.0, "clause": 5.0}
#: The longest string or list an operator or filter may make.
MAX_VALUE_CHARS = {"document": 5_000_000, "clause": 100_000}
MAX_ARGUMENT = 100_000  # the largest number a filter takes (a width, a count)
_BUDGET = threading.local()


class TemplateBudgetError(SecurityError):
    """A template went over its budget of output, work or time."""


def _value_limit() -> int:
    return getattr(_BUDGET, "value_limit", None) or MAX_VALUE_CHARS["document"]


def _check_size(value: Any) -> None:
    limit = _value_limit()
    if isinstance(value, str | list | tuple) and len(value) > limit:
        raise TemplateBudgetError(f"a text or list longer than {limit:,} characters")


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles `~` (concatenation) through the environment, where it is bounded."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


class _BoundedNamespace(Namespace):
    """`namespace()` whose attributes (`{% set ns.x = ... %}`) are bounded too."""

    def __setitem__(self, name: str, value: Any) -> None:
        _step()
        _check_size(value)
        super().__setitem__(name, value)


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose numeric arguments (widths, counts) and result are bounded."""

    skip = 2 if hasattr(function, "jinja_pass_arg") else 1  # the value (and the context)

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _step()
        for arg in (*args[skip:], *kwargs.values()):
            big = isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_ARGUMENT
            if big:
                raise TemplateBudgetError(f"a filter argument above {MAX_ARGUMENT:,}")
        result = function(*args, **kwargs)
        _check_size(result)
        return result

    return guarded


class _GuardedFilters(dict[str, Any]):
    """The filter table: every filter, shipped or added later, is guarded."""

    def __init__(self, filters: Mapping[str, Any]) -> None:
        super().__init__({name: _guarded(f) for name, f in filters.items()})

    def __setitem__(self, name: str, function: Any) -> None:
        super().__setitem__(name, _guarded(function))

    def update(self, *args: Any, **kwargs: Any) -> None:
        for name, function in dict(*args, **kwargs).items():
            self[name] = function


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with every render bounded in work, time and output size.

    Each attribute lookup, call, arithmetic operator and loop item (`range` is the only
    way to loop over something not in the data) costs one step. `*` cannot make strings
    or lists longer than MAX_VALUE_CHARS, `**` cannot make numbers of more than a
    few hundred digits.
    """

    intercepted_binops = frozenset(["*", "**", "+", "//", "%"])

    code_generator_class = _BoundedCodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _bounded_range
        self.globals["namespace"] = _BoundedNamespace
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)
        self.filters = _GuardedFilters(self.filters)

    def bounded_concat(self, value: Any) -> Any:
        """`a ~ b`: checked like the other operators."""
        _step()
        _check_size(value)
        return value

    def getattr(self, obj: Any, attribute: str) -> Any:
        _step()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _step()
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _step()
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _step()
        if operator == "**" and _big_power(left, right):
            raise TemplateBudgetError("a power too large to compute in a template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                repeated = isinstance(seq, str | list | tuple) and isinstance(times, int)
                if repeated and len(seq) * max(times, 0) > _value_limit():
                    raise TemplateBudgetError(
                        f"a repeated text or list longer than {_value_limit():,} characters"
                    )
        result = super().call_binop(context, operator, left, right)
        _check_size(result)
        return result


def _big_power(base: Any, exponent: Any) -> bool:
    if not isinstance(base, int | float) or not isinstance(exponent, int | float):
        return False
    if abs(base) <= 1:
        return False
    return abs(exponent) * math.log10(abs(float(base))) > 300


def _step() -> None:
    budget = getattr(_BUDGET, "left", None)
    if budget is None:
        return
    _BUDGET.left = budget - 1
    if budget <= 0:
        raise TemplateBudgetError("too many steps of template work (a loop without end?)")
    if budget % 1000 == 0 and time.monotonic() > _BUDGET.deadline:
        raise TemplateBudgetError("too long a render (a loop without end?)")


def _bounded_range(*args: int) -> Iterator[int]:
    numbers = range(*args)
    if len(numbers) > MAX_STEPS["clause"]:
        raise TemplateBudgetError(f"a range of more than {MAX_STEPS['clause']:,} numbers")
    for n in numbers:
        _step()
        yield n


def bounded_render(template: jinja2.Template, context: Mapping[str, Any], kind: str) -> str:
    """Render within the budget: steps, seconds and output characters."""
    limit = MAX_OUTPUT_CHARS[kind]
    outer = [getattr(_BUDGET, name, None) for name in ("left", "deadline", "value_limit")]
    _BUDGET.left, _BUDGET.deadline = MAX_STEPS[kind], time.monotonic() + MAX_SECONDS[kind]
    _BUDGET.value_limit = MAX_VALUE_CHARS[kind]
    try:
        parts, size = [], 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > limit:
                raise TemplateBudgetError(f"output longer than {limit:,} characters")
            _step()
            parts.append(chunk)
        return "".join(parts)
    except RecursionError:
        raise TemplateBudgetError("recursion too deep") from None
    finally:
        _BUDGET.left, _BUDGET.deadline, _BUDGET.value_limit = outer


# --- the document environment ----------------------------------------------------------------


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".html.j2", ".html"))


def _markdown_autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".md.j2", ".md"))


def is_markdown(name: str) -> bool:
    """Whether a template writes Markdown (and renders in the Markdown environment)."""
    return _markdown_autoescape(name)


class TemplateLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, reading each template as a data file is read
    (`yamlio.read_regular_file`): a house template that is a FIFO, a device or a folder is
    refused by name before a byte is read, not waited on or passed over for the shipped
    one; one that is not UTF-8 is named."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            path = os.path.join(folder, *pieces)
            if os.path.exists(path):
                return _template_source(Path(path)), os.path.normpath(path), _unchanged(path)
        raise jinja2.TemplateNotFound(template)


def _template_source(path: Path) -> str:
    raw = read_regular_file(path, str(path), expected="a template")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # a house template saved in another encoding
        raise RenderError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the template as UTF-8"
        ) from None


def _unchanged(path: str) -> Callable[[], bool]:
    """Whether the template at `path` is the one loaded (Jinja's check before its cache)."""
    mtime = os.path.getmtime(path)

    def same() -> bool:
        try:
            return os.path.getmtime(path) == mtime
        except OSError:
            return False

    return same


@lru_cache(maxsize=8)
def environment(templates: str | None = None, markdown: bool = False) -> jinja2.Environment:
    """The strict, sandboxed document environment.

    `templates` is a folder of house templates that override shipped ones by
    name; the rest fall back to the shipped set. Autoescaping is on for every
    `*.html.j2` template, so a value from a data file is always text in HTML.

    `markdown=True` gives the environment of `*.md.j2` templates: every value a
    template writes goes through `md_escape` (Jinja's `finalize`), so a value
    from a data file is always text in Markdown too. Autoescaping is on there
    so that macros return escaped markup that is not escaped twice.
    """
    paths = [str(TEMPLATES)] if templates is None else [templates, str(TEMPLATES)]
    options: dict[str, Any] = {"autoescape": _autoescape}
    if markdown:
        options = {"autoescape": _markdown_autoescape, "finalize": md_escape}
    env = BoundedSandbox(
        loader=TemplateLoader(paths),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
    env.filters.update(FILTERS)
    if markdown:
        env.filters.update(cell=md_cell)
    env.globals["clause"] = clause
    return env


@jinja2.pass_context
def clause(context: jinja2.runtime.Context, name: str) -> list[str]:
    """The paragraphs of clause `name` (`clauses/<name>.txt.j2`), rendered as plain text.

    A document template places them (`{% for p in clause("term") %}`); HTML
    escapes them on the way out like any other value. A house template of the
    same name replaces the shipped clause.
    """
    env = context.environment
    text = env.get_template(f"clauses/{name}.txt.j2").render(context.get_all())
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    if env.finalize is md_escape:  # the values in them are escaped already
        return [Markup(p) for p in paragraphs]
    return paragraphs


def templates_folder(templates: str | os.PathLike[str] | None) -> str | None:
    """A house templates folder given as a str or a path, as the str the environment keys on."""
    return None if templates is None else os.fspath(templates)


def render_template(
    name: str, context: Mapping[str, Any], templates: str | os.PathLike[str] | None = None
) -> str:
    """Render one document template; any template fault is a RenderError naming file and line."""
    templates = templates_folder(templates)
    if templates is not None and not Path(templates).is_dir():
        raise ArgumentError("templates", f"{templates}: not a folder of templates")
    env = environment(templates, markdown=is_markdown(name))
    try:
        return bounded_render(env.get_template(name), context, "document")
    except jinja2.TemplateNotFound as exc:
        where = f"{templates} or {TEMPLATES}" if templates else str(TEMPLATES)
        # Named by another template (an include, an extends): said at the line naming it.
        at = _template_line(exc, name)
        by = f"{at}: " if at != name else ""
        raise RenderError(f"{by}template {exc.name!r} not found in {where}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(
            f"{exc.filename or exc.name or name}:{exc.lineno}: template syntax error: {exc.message}"
        ) from None
    except _TEMPLATE_FAULTS as exc:
        raise RenderError(f"{_template_line(exc, name)}: {_describe(exc)}") from None


def _template_line(exc: BaseException, name: str) -> str:
    """`file:line` of the innermost template frame of an error raised while rendering."""
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith((".j2", ".html"))
    ]
    if not frames:
        return name
    return f"{frames[-1].filename}:{frames[-1].lineno}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"unknown variable ({exc.message})"
    if isinstance(exc, SecurityError):
        return f"not allowed in a template ({exc})"
    return f"{type(exc).__name__}: {exc}"


# --- clause texts from data files ------------------------------------------------------------


@lru_cache(maxsize=1)
def _clause_env() -> BoundedSandbox:
    env = BoundedSandbox(undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters.update(FILTERS)
    return env


@lru_cache(maxsize=4096)
def _clause_template(text: str) -> jinja2.Template:
    return _clause_env().from_string(text)


def render_clause(text: str, context: Mapping[str, Any], where: str) -> str:
    """Render a clause from a data file; errors name the file and the clause."""
    try:
        return " ".join(bounded_render(_clause_template(text), context, "clause").split())
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{where}: clause uses an unknown variable ({exc.message})") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{where}: clause is not a valid template ({exc.message})") from None
    except SecurityError as exc:
        raise RenderError(f"{where}: clause tries something not allowed ({exc})") from None
    except _TEMPLATE_FAULTS as exc:
        raise RenderError(f"{where}: clause cannot be rendered ({_describe(exc)})") from None
