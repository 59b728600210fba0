"""The one Jinja2 environment for documents, its filters, and the clause sandbox.

Templates receive plain data and hold no business logic; dates come in
explicitly. Clause texts from data files are rendered in a sandboxed,
StrictUndefined environment so nothing in a data file can reach the file
system or run code.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from dealbench.errors import RenderError
from dealbench.units import H100_TPP

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def money(amount: float | None, signed: bool = False) -> str:
    """USD for people: $1.40tn, $200.0bn, $350.0m, $75,000."""
    if amount is None:
        return "n/a"
    sign = "-" if amount < 0 else ("+" if signed and amount > 0 else "")
    a = abs(amount)
    if a >= 1e12:
        return f"{sign}${a / 1e12:,.2f}tn"
    if a >= 1e9:
        return f"{sign}${a / 1e9:,.2f}bn"
    if a >= 1e6:
        return f"{sign}${a / 1e6:,.1f}m"
    return f"{sign}${a:,.0f}"


def h100e(amount: float | None) -> str:
    return "n/a" if amount is None else f"{amount:,.0f}"


def tpp(amount_h100e: float) -> str:
    """The TPP equivalent of an amount of H100e, as export rules count it."""
    return f"{amount_h100e * H100_TPP:,.0f}"


def percent(share: float | None, digits: int = 1) -> str:
    return "n/a" if share is None else f"{share * 100:.{digits}f}%"


FILTERS = {"money": money, "h100e": h100e, "tpp": tpp, "percent": percent}


@lru_cache(maxsize=8)
def environment(templates: str | None = None, autoescape: bool = False) -> jinja2.Environment:
    """The strict document environment; `templates` overrides shipped templates by name."""
    paths = [str(TEMPLATES)] if templates is None else [templates, str(TEMPLATES)]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=autoescape,
    )
    env.filters.update(FILTERS)
    return env


def render_template(name: str, context: Mapping[str, Any], templates: str | None = None) -> str:
    env = environment(templates, autoescape=name.endswith(".html.j2"))
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound:
        raise RenderError(f"template {name!r} not found in {templates or TEMPLATES}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"template {name!r}: {exc.message}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(
            f"{exc.filename or name}:{exc.lineno}: template syntax error: {exc.message}"
        ) from None


@lru_cache(maxsize=1)
def _clause_env() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters.update(FILTERS)
    return env


def render_clause(text: str, context: Mapping[str, Any], where: str) -> str:
    """Render a clause from a data file; errors name the file and the clause."""
    try:
        return _clause_env().from_string(text).render(**context).strip()
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{where}: clause uses an unknown variable ({exc.message})") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{where}: clause is not a valid template ({exc.message})") from None
    except jinja2.exceptions.SecurityError as exc:
        raise RenderError(f"{where}: clause tries something not allowed ({exc})") from None
