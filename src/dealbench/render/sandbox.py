"""The bounded sandbox every template renders in: limits on work, time and output.

Jinja2's immutable sandbox keeps a template from reaching the file system or running code;
this one also bounds each render (a document's or a clause's) in steps, seconds and
characters, so a house template or a clause text from a data file cannot hang or swamp
the process.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

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
