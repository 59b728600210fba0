"""Clause templates are checked at validate time and every render is bounded.

The sandbox's known escapes (attribute walks to `__globals__`, str.format, the
`self` and loop objects, removed globals) and the ways to make a render run away
(huge powers, string and list multiplication, concatenation doubling, filters with
huge widths, deep recursion, nested ranges) each end in a clear error, fast.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dealbench.errors import RenderError
from dealbench.render.environment import render_clause
from helpers import DATA, Runner

CONTEXT = {"level": {"id": "small", "title": "USD 10bn"}, "partner": {"code": "AA"}}

ESCAPES = [
    ("mro", "{{ ''.__class__.__mro__ }}", "unsafe"),
    ("subclasses", "{{ ().__class__.__base__.__subclasses__() }}", "unsafe"),
    ("globals", "{{ self.__init__.__globals__ }}", "unsafe"),
    ("format-attr", "{{ 'a{0.__class__}'.format(level) }}", "unsafe"),
    ("format-map", "{{ '{x.__class__}'.format_map({'x': level}) }}", "unsafe"),
    ("loop-attr", "{% for x in [1] %}{{ loop.__class__ }}{% endfor %}", "unsafe"),
    ("config", "{{ config }}", "unknown variable"),
    ("request", "{{ request.application }}", "unknown variable"),
    ("lipsum", "{{ lipsum(10) }}", "unknown variable"),
    ("cycler", "{{ cycler(1, 2).__init__ }}", "unknown variable"),
    ("joiner", "{{ joiner() }}", "unknown variable"),
    ("mutation", "{% set l = [1] %}{{ l.append(2) }}", "not allowed"),
    ("dict-update", "{{ level.update({'a': 1}) }}", "not allowed"),
]
RUNAWAYS = [
    ("power", "{{ 9**(9**9) }}", "a power too large"),
    ("big-int", "{{ 10**400 }}", "a power too large"),
    ("string-times", "{{ 'x' * 10**9 }}", "longer than 100,000 characters"),
    ("list-times", "{{ [1] * 10**7 }}", "longer than 100,000 characters"),
    ("range-list-times", "{{ (range(99999)|list) * 99 }}", "longer than 100,000"),
    ("concat-doubling", "{% set a = 'xxxxxxxxxx' %}" + "{% set a = a ~ a %}" * 30, "longer"),
    (
        "namespace-doubling",
        "{% set ns = namespace(x='ab') %}{% for i in range(60) %}"
        "{% set ns.x = ns.x ~ ns.x %}{% endfor %}",
        "longer",
    ),
    ("center", "{{ 'x'|center(10**9) }}", "a filter argument above 100,000"),
    ("indent", "{{ 'x'|indent(10**8) }}", "a filter argument above 100,000"),
    (
        "nested-ranges",
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
        "too many steps",
    ),
    ("huge-range", "{% for i in range(10**12) %}{% endfor %}", "a range of more than"),
    ("macro-recursion", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recursion"),
    ("loop-recursion", "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", "recursion"),
    ("output", "{% for i in range(5000) %}{{ level.title }}{% endfor %}", "output longer"),
]


@pytest.mark.parametrize(
    ("text", "says"), [pytest.param(t, s, id=i) for i, t, s in [*ESCAPES, *RUNAWAYS]]
)
def test_a_clause_cannot_escape_or_run_away(text: str, says: str) -> None:
    start = time.perf_counter()
    with pytest.raises(RenderError) as caught:
        render_clause(text, CONTEXT, "aa.yaml: concession 'x'")
    assert time.perf_counter() - start < 5.0
    assert str(caught.value).startswith("aa.yaml: concession 'x': clause ")
    assert says in str(caught.value)


def test_an_ordinary_clause_still_renders() -> None:
    text = (
        "The Partner ({{ partner.code }}) will invest {{ level.title }}"
        "{% for i in range(3) %}.{% endfor %} {{ 1500000|money }} {{ 'a' ~ 'b' }}"
    )
    assert render_clause(text, CONTEXT, "x") == (
        "The Partner (AA) will invest USD 10bn... $1.5m ab"
    )


BASE = DATA / "bad" / "_base"


@pytest.mark.parametrize(
    ("clause", "line", "field", "says"),
    [
        ("Invest {{ levle.title }}", 13, "concessions[0].clause", "unknown variable"),
        ("Invest {{ level.title }", 13, "concessions[0].clause", "not a valid template"),
        ("{{ 9**(9**9) }}", 13, "concessions[0].clause", "a power too large"),
        ("{{ level.__class__ }}", 13, "concessions[0].clause", "unsafe"),
    ],
)
def test_validate_renders_every_clause(
    run: Runner, tmp_path: Path, clause: str, line: int, field: str, says: str
) -> None:
    text = (
        (BASE / "partner.yaml")
        .read_text()
        .replace(
            "    category: investment\n", f"    category: investment\n    clause: {clause!r}\n"
        )
    )
    (tmp_path / "p.yaml").write_text(text)
    result = run("validate", tmp_path / "p.yaml")
    assert result.exit_code == 2
    assert f"p.yaml:{line}: {field}: clause " in result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.output


def test_validate_renders_security_level_clauses(run: Runner, tmp_path: Path) -> None:
    text = (
        (BASE / "policy.yaml")
        .read_text()
        .replace("mitigation: 0.9}", "mitigation: 0.9, clause: 'Operated by {{ partner.nmae }}'}")
    )
    (tmp_path / "policy.yaml").write_text(text)
    result = run("validate", tmp_path / "policy.yaml")
    assert result.exit_code == 2
    assert "policy.yaml:6: security_levels[2].clause: clause uses an unknown variable" in (
        result.stderr
    )
