"""The one Jinja2 environment for documents, and the clause sandbox.

Templates receive plain data and hold no business logic; dates come in
explicitly. Every template, shipped or from a user's `--templates` folder,
renders in a sandboxed, StrictUndefined environment (`render.sandbox`): a house
template or a clause text from a data file cannot reach the file system or run code.
Its filters are `render.filters`. Errors name the template (or data file) and the line.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from dealbench.errors import ArgumentError, RenderError
from dealbench.folders import present
from dealbench.model.yamlio import read_regular_file
from dealbench.render.filters import FILTERS, md_cell, md_escape
from dealbench.render.sandbox import BoundedSandbox, bounded_render

__all__ = ["render_clause", "render_template"]

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
            if present(path):
                return template_source(Path(path)), os.path.normpath(path), _unchanged(path)
        raise jinja2.TemplateNotFound(template)


def template_source(path: Path) -> str:
    """A template file's text, read as a data file is read: a FIFO, device or folder is
    refused by name, and text that is not UTF-8 is named (`RenderError`)."""
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
    paragraphs = _paragraphs(env.get_template(clause_template(name)).render(context.get_all()))
    if env.finalize is md_escape:  # the values in them are escaped already
        return [Markup(p) for p in paragraphs]
    return paragraphs


def clause_template(name: str) -> str:
    return f"clauses/{name}.txt.j2"


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def clause_paragraphs(
    name: str, context: Mapping[str, Any], templates: str | os.PathLike[str] | None = None
) -> list[str]:
    """The paragraphs of clause `name` as a term sheet of render model `context` states
    them (`clause`), in plain text: a house template of that name in `templates` replaces
    the shipped one, as in the term sheet. A redline compares two term sheets' by this."""
    return _paragraphs(render_template(clause_template(name), context, templates))


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
