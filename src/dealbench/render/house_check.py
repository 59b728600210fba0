"""A house template (`render --templates FOLDER`) checked before any document renders it.

`validate` reads a folder of data files; the house templates beside them (deals/house/)
were found faulty only when a document rendered: a syntax error, an unknown filter or a
misspelt placeholder (`{{ partnr }}`) failed the render, after the solve. Here each is
parsed and compiled as the document environment compiles it, and every placeholder it
reads is one some shipped template is given (the documents' context); each fault names
the file and the line.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2 import meta, nodes

from dealbench.errors import Issue, RenderError
from dealbench.list_words import and_list

__all__ = ["TEMPLATE_SUFFIX", "house_template_issues", "is_template"]

#: A template's name ends so (`clauses/confidentiality.txt.j2`, `term_sheet.md.j2`).
TEMPLATE_SUFFIX = ".j2"


def is_template(path: Path) -> bool:
    return path.name.endswith(TEMPLATE_SUFFIX)


@lru_cache(maxsize=1)
def _shipped() -> tuple[frozenset[str], frozenset[str]]:
    """The shipped templates' names (relative, `clauses/term.txt.j2`) and every name a
    shipped template reads from its context, with the environment's globals."""
    from dealbench.render.environment import TEMPLATES, environment

    env = environment(None)
    names = set(env.globals)
    paths = sorted(TEMPLATES.rglob(f"*{TEMPLATE_SUFFIX}"))
    for path in paths:
        names |= meta.find_undeclared_variables(env.parse(path.read_text("utf-8")))
    shipped = {path.relative_to(TEMPLATES).as_posix() for path in paths}
    return frozenset(shipped), frozenset(names)


def _name_in_folder(path: Path) -> str:
    """The template's name as a document asks for it: its path from the folder holding
    the shipped names (`house/clauses/x.txt.j2` is `clauses/x.txt.j2`)."""
    parts = path.parts
    for i in range(len(parts)):
        if parts[i] == "clauses":
            return "/".join(parts[i:])
    return path.name


def house_template_issues(path: Path) -> tuple[list[Issue], list[Issue]]:
    """(issues, notes) of the house template at `path`: issues a render would fail on
    (not UTF-8, a syntax error, an unknown filter or test, a placeholder no document
    gives), notes of what passes but does nothing (a name no shipped template has, so it
    replaces nothing)."""
    from dealbench.render.environment import environment, is_markdown, template_source

    shown = str(path)
    try:
        source = template_source(path)
    except RenderError as exc:
        return [Issue(shown, None, "", str(exc).removeprefix(f"{path}: "))], []
    env = environment(None, markdown=is_markdown(path.name))
    try:
        tree = env.parse(source, path.name, shown)
        env.compile(tree, path.name, shown)  # unknown filters and tests fail here
    except jinja2.TemplateSyntaxError as exc:
        return [Issue(shown, exc.lineno, "", f"template syntax error: {exc.message}")], []
    shipped, known = _shipped()
    issues = []
    for name in sorted(meta.find_undeclared_variables(tree) - known):
        line = min((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), default=None)
        close = difflib.get_close_matches(name, known, 1)
        hint = f"did you mean {close[0]}?" if close else "the shipped templates use e.g. partner"
        issues.append(
            Issue(
                shown,
                line,
                "",
                f"unknown placeholder {name!r}: no document gives a template that name ({hint})",
            )
        )
    notes = []
    name = _name_in_folder(path)
    if name not in shipped:
        clauses = sorted(s.removeprefix("clauses/") for s in shipped if s.startswith("clauses/"))
        near = [s for s in shipped if "/" not in s and not s.startswith("_")]
        expected = (
            f"a clause's name, one of {and_list(clauses, 'or')}"
            if name.startswith("clauses/")
            else f"a document template's name, one of {and_list(sorted(near), 'or')}"
        )
        notes.append(
            Issue(
                shown,
                None,
                "",
                f"replaces no shipped template, so no document uses it; expected {expected}",
            )
        )
    return issues, notes
