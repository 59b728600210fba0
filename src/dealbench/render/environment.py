"""The one Jinja2 environment for documents, its filters, and the clause sandbox.

Templates receive plain data and hold no business logic; dates come in
explicitly. Every template, shipped or from a user's `--templates` folder,
renders in a sandboxed, StrictUndefined environment: a house template or a
clause text from a data file cannot reach the file system or run code.
Errors name the template (or data file) and the line.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from dealbench.errors import RenderError
from dealbench.units import H100_TPP
from dealbench.units import usd as money  # the `money` filter: one form of USD everywhere

__all__ = ["h100e", "money", "percent", "render_clause", "render_template"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

#: What a template's own mistakes raise at render time (bad filters, bad data use).
_TEMPLATE_FAULTS = (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError)


# --- filters -------------------------------------------------------------------------------


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 deal`, `2 deals`, `0 deals` (never `deal(s)`)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def h100e(amount: float | None, signed: bool = False) -> str:
    """A quantity of H100e (or risk-weighted H100e), rounded to the unit."""
    if amount is None:
        return "n/a"
    rounded = round(amount)
    text = f"{rounded:,.0f}" if rounded else "0"
    return f"+{text}" if signed and rounded > 0 else text


def tpp(amount_h100e: float) -> str:
    """The TPP equivalent of an amount of H100e, as export rules count it."""
    return f"{amount_h100e * H100_TPP:,.0f}"


def percent(share: float | None, digits: int = 1) -> str:
    return "n/a" if share is None else f"{share * 100:.{digits}f}%"


def long_date(iso: str | None, undated: str = "Draft, undated") -> str:
    """`2026-03-01` -> `1 March 2026`; None -> the undated wording."""
    if not iso:
        return undated
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%B')} {day.year}"


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell: `|` escaped, line breaks as spaces."""
    return " ".join(str(value).split("\n")).replace("|", "\\|")


FILTERS = {
    "money": money,
    "h100e": h100e,
    "tpp": tpp,
    "percent": percent,
    "date": long_date,
    "cell": cell,
    "plural": plural,
}


# --- the document environment ----------------------------------------------------------------


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".html.j2", ".html"))


@lru_cache(maxsize=8)
def environment(templates: str | None = None) -> jinja2.Environment:
    """The strict, sandboxed document environment.

    `templates` is a folder of house templates that override shipped ones by
    name; the rest fall back to the shipped set. Autoescaping is on for every
    `*.html.j2` template, so a value from a data file is always text in HTML.
    """
    paths = [str(TEMPLATES)] if templates is None else [templates, str(TEMPLATES)]
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(paths),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=_autoescape,
    )
    env.filters.update(FILTERS)
    env.globals["clause"] = clause
    return env


@jinja2.pass_context
def clause(context: jinja2.runtime.Context, name: str) -> list[str]:
    """The paragraphs of clause `name` (`clauses/<name>.txt.j2`), rendered as plain text.

    A document template places them (`{% for p in clause("term") %}`); HTML
    escapes them on the way out like any other value. A house template of the
    same name replaces the shipped clause.
    """
    text = context.environment.get_template(f"clauses/{name}.txt.j2").render(context.get_all())
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def render_template(name: str, context: Mapping[str, Any], templates: str | None = None) -> str:
    """Render one document template; any template fault is a RenderError naming file and line."""
    if templates is not None and not Path(templates).is_dir():
        raise RenderError(f"--templates {templates}: not a folder of templates")
    env = environment(templates)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        where = f"{templates} or {TEMPLATES}" if templates else str(TEMPLATES)
        raise RenderError(f"template {exc.name!r} not found in {where}") from None
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
def _clause_env() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters.update(FILTERS)
    return env


@lru_cache(maxsize=4096)
def _clause_template(text: str) -> jinja2.Template:
    return _clause_env().from_string(text)


def render_clause(text: str, context: Mapping[str, Any], where: str) -> str:
    """Render a clause from a data file; errors name the file and the clause."""
    try:
        return " ".join(_clause_template(text).render(**context).split())
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{where}: clause uses an unknown variable ({exc.message})") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{where}: clause is not a valid template ({exc.message})") from None
    except SecurityError as exc:
        raise RenderError(f"{where}: clause tries something not allowed ({exc})") from None
    except _TEMPLATE_FAULTS as exc:
        raise RenderError(f"{where}: clause cannot be rendered ({_describe(exc)})") from None
