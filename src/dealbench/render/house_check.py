"""A house template (`render --templates FOLDER`) checked before any document renders it.

`validate` reads a folder of data files; the house templates beside them (deals/house/)
were found faulty only when a document rendered: a syntax error, an unknown filter or a
misspelt placeholder (`{{ partnr }}`) failed the render, after the solve. Here each is
parsed and compiled as the document environment compiles it, and every placeholder it
reads is one its documents give it: a document template's own render model
(`documents.CONTEXT_KEYS`), a partial's or a clause's that of every document whose shipped
templates use it; each fault names the file and the line.
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
def _shipped() -> tuple[frozenset[str], frozenset[str], dict[str, frozenset[str]]]:
    """The shipped templates' names (relative, `clauses/term.txt.j2`); every name a
    document gives (its render model) or a template has from the environment; and by
    template, the names it is given: those of every document whose shipped templates
    reach it (by include, extends, import or `clause()`), with those its own shipped text
    reads (a macro of its own, a loop variable of the template including it)."""
    from dealbench.render.documents import CONTEXT_KEYS, TEMPLATE_STEM
    from dealbench.render.environment import TEMPLATES, environment

    env = environment(None)
    paths = sorted(TEMPLATES.rglob(f"*{TEMPLATE_SUFFIX}"))
    shipped = [path.relative_to(TEMPLATES).as_posix() for path in paths]
    trees = {
        name: env.parse(path.read_text("utf-8")) for name, path in zip(shipped, paths, strict=True)
    }
    clauses = [name for name in shipped if name.startswith("clauses/")]

    def used_by(name: str) -> set[str]:
        tree = trees[name]
        used = {ref for ref in meta.find_referenced_templates(tree) if ref in trees}
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == "clause":
                arg = call.args[0] if call.args else None
                named = isinstance(arg, nodes.Const) and isinstance(arg.value, str)
                used |= {f"clauses/{arg.value}.txt.j2"} if named else set(clauses)  # type: ignore[union-attr]
        return used

    common = set(env.globals)
    given = {name: set(common) for name in shipped}
    for kind, keys in CONTEXT_KEYS.items():
        for form in ("md", "html"):
            seen, todo = set(), [f"{TEMPLATE_STEM[kind]}.{form}{TEMPLATE_SUFFIX}"]
            while todo:
                name = todo.pop()
                if name in seen or name not in trees:
                    continue
                seen.add(name)
                given[name] |= keys
                todo += used_by(name)
    for name, tree in trees.items():
        given[name] |= meta.find_undeclared_variables(tree)
    known = frozenset().union(*given.values())
    return frozenset(shipped), known, {n: frozenset(g) for n, g in given.items()}


def _kinds_given(placeholder: str) -> list[str]:
    """The documents whose render model gives `placeholder`, in words ("deal memo")."""
    from dealbench.render.documents import CONTEXT_KEYS

    return [kind.replace("-", " ") for kind, keys in CONTEXT_KEYS.items() if placeholder in keys]


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
    shipped, known, given = _shipped()
    name = _name_in_folder(path)
    # A template that replaces no shipped one (a note below) is checked against every name.
    own = given.get(name, known)
    issues = []
    for placeholder in sorted(meta.find_undeclared_variables(tree) - own):
        line = min(
            (n.lineno for n in tree.find_all(nodes.Name) if n.name == placeholder), default=None
        )
        close = difflib.get_close_matches(placeholder, own, 1)
        if placeholder in known:
            kinds = _kinds_given(placeholder)
            which = f", only the {and_list(kinds)}" if kinds else ": another template defines it"
            hint = f"did you mean {close[0]}?" if close else "a render would fail"
            said = f"{_what(name)} is not given that name{which} ({hint})"
        else:
            hint = (
                f"did you mean {close[0]}?" if close else "the shipped templates use e.g. partner"
            )
            said = f"no document gives a template that name ({hint})"
        issues.append(Issue(shown, line, "", f"unknown placeholder {placeholder!r}: {said}"))
    notes = []
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


def _what(name: str) -> str:
    """The template `name` in words: "a term sheet", "a clause", "the template _head.md.j2"."""
    from dealbench.render.documents import TEMPLATE_STEM

    for kind, stem in TEMPLATE_STEM.items():
        if name.startswith(f"{stem}."):
            return f"a {kind.replace('-', ' ')}"
    return "a clause" if name.startswith("clauses/") else f"the template {name}"
