"""Checks of the arguments library calls take, each an `ArgumentError` naming the argument.

The library checks what it is given before any work, so a call from a notebook is refused
as the CLI refuses the same option, never answered with a result of an objective nobody
asked for. The error names the library's parameter (`gap`, `time_limit`); the CLI says
its option instead (`--gap`, `dealbench.cli.errors.option_name`).
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import math
import numbers
import os
import re
import reprlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, TypeVar, cast

from dealbench.errors import ArgumentError, InputError, Issue
from dealbench.list_words import unknown

T = TypeVar("T", bound=str)
F = TypeVar("F", bound=Callable[..., Any])
K = TypeVar("K")


class TypedNumber(float):
    """A number an option was given, that remembers it as typed (`5`, `1_0`, `150%`): a
    check that refuses it quotes that (`said`), not Python's 5.0, 10.0 or 1.5, as `--set`'s
    numbers are quoted (`override_values.Sets`). The checks return a plain float."""

    text: str

    def __new__(cls, number: float, text: str) -> TypedNumber:
        out = super().__new__(cls, number)
        out.text = text.strip()
        return out

    def __reduce__(self) -> tuple[type[TypedNumber], tuple[float, str]]:
        return TypedNumber, (float(self), self.text)


def said(value: object) -> str:
    """A value an argument was given, as the user typed it where that is known."""
    return value.text if isinstance(value, TypedNumber) else str(value)


def one_of(value: str, allowed: Sequence[T], name: str, what: str) -> T:
    """`value` when it is one of `allowed`; else an ArgumentError listing them (a value that
    is no text too: `solve(pf, 3)` was an AttributeError where the list was spelt)."""
    if not isinstance(value, str):
        listed = ", ".join(str(option) for option in allowed)
        raise ArgumentError(
            name, f"expected a {what}, one of: {listed}; got {given_briefly(value)}"
        )
    for option in allowed:
        if value == option:
            return option
    raise ArgumentError(name, unknown(what, value, [str(option) for option in allowed]))


def relative_gap(gap: float, name: str = "gap") -> float:
    """A relative gap, 0 <= gap < 1 (0.01 stops within 1% of the best)."""
    if isinstance(gap, bool) or not isinstance(gap, int | float) or not math.isfinite(gap):
        _bad_gap(gap, name)
    if not 0 <= gap < 1:
        _bad_gap(gap, name)
    return float(gap)


def share_typed(text: str, name: str) -> TypedNumber:
    """A share as typed (`--gap`, `--robust`, a form's field): a number (`0.05`) or a
    percentage (`5%`), read as the data files read shares, that remembers its text; its
    bounds are the caller's to check (`nan` and `inf` too: they are numbers to Python, and
    the check names the range, quoting the text: `5`, not 5.0)."""
    from dealbench.units import parse_share_number

    try:
        return TypedNumber(parse_share_number(text), text)
    except ValueError:
        pass
    try:
        return TypedNumber(float(text), text)
    except ValueError:
        raise ArgumentError(
            name, f"expected a number such as 0.05, or a percentage such as 5%, got {text!r}"
        ) from None


def number_typed(text: str, name: str) -> TypedNumber:
    """A number as typed (`--time-limit`, a form's field), that remembers its text; its
    bounds are the caller's to check."""
    try:
        return TypedNumber(float(text), text)
    except ValueError:
        raise ArgumentError(name, f"expected a number, got {text!r}") from None


def _bad_gap(gap: object, name: str) -> None:
    raise ArgumentError(
        name,
        f"expected a relative gap from 0 to below 1 (such as 0.01 for 1%), got {said(gap)}",
    )


def positive_seconds(seconds: float | None, name: str = "time_limit") -> float | None:
    """A positive, finite number of seconds, or None (no limit)."""
    if seconds is None:
        return None
    ok = isinstance(seconds, int | float) and not isinstance(seconds, bool)
    if not ok or not math.isfinite(seconds) or seconds <= 0:
        raise ArgumentError(
            name, f"expected a positive number of seconds, such as 30, got {said(seconds)}"
        )
    return float(seconds)


def seed_of(value: int, name: str = "seed") -> int:
    """A seed of random draws: a whole number 0 or more (numpy's seeds; a negative one was a
    traceback)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ArgumentError(name, f"expected a whole number 0 or more, got {value}")
    return value


def at_least_one(value: int, name: str, unit: str = "") -> int:
    """A count of at least 1 (samples, processes); else an ArgumentError in the words every
    such count is refused in (`expected at least 1 sample, got 0`)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ArgumentError(name, f"expected at least 1{' ' + unit if unit else ''}, got {value}")
    return int(value)  # numpy's integers are whole numbers too


def zero_or_more(value: int | None, name: str, unit: str) -> int | None:
    """A count of 0 or more `unit`s, or None (no limit); else an ArgumentError (`limit=-1`
    kept all but the last, as a slice does)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ArgumentError(name, f"expected 0 or more {unit}, or None (no limit), got {value}")
    return int(value)


#: The most samples of uncertain figures a run draws: each takes some 70 bytes held at
#: once (10,000,000 about 1 GB), and a share's standard error is then at most 0.016%.
#: `risk --samples 10_000_000_000` (three zeros too many) was killed for want of memory.
MAX_SAMPLES = 10_000_000


def sample_count(value: int, name: str = "samples") -> int:
    """A number of samples: at least 1 and at most `MAX_SAMPLES`."""
    at_least_one(value, name, "sample")
    if value > MAX_SAMPLES:
        raise ArgumentError(
            name,
            f"expected at most {MAX_SAMPLES:,} samples (a share's standard error is then "
            f"0.016% or less, and each sample is held in memory), got {value:,}",
        )
    return value


def instance_of(value: object, kind: type[K], name: str, source: str) -> K:
    """`value` when it is a `kind`; else an ArgumentError naming the argument `name` and
    saying where a `kind` comes from (`source`): a path or a dict given where a loaded
    object goes was an AttributeError deep inside."""
    if not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise ArgumentError(
            name, f"expected {article} {kind.__name__} ({source}), got {given_briefly(value)}"
        )
    return value


def texts(value: object, name: str, what: str) -> list[str]:
    """Texts a call takes as a list (partner codes, formats, `PATH=VALUE`s), one of which
    may be given alone as a str; else an ArgumentError naming `name` (None or a number was
    a TypeError, a loaded object an AttributeError, from inside). A mapping or a path is no
    list of them, though Python iterates one."""
    if isinstance(value, str):
        return [value]
    listed = (
        None
        if isinstance(value, bytes | os.PathLike | dict) or not isinstance(value, Iterable)
        else list(value)
    )
    if listed is None or not all(isinstance(item, str) for item in listed):
        raise ArgumentError(
            name,
            f"expected a list of {what}s (each a str) or one alone, got {given_briefly(value)}",
        )
    return listed


def given_briefly(value: object) -> str:
    """What a call was given instead, briefly: a path, or a DealFigures' first 60 characters."""
    brief = reprlib.Repr()
    brief.maxstring = brief.maxother = 60
    return brief.repr(value)


def a_date(value: object, name: str = "date") -> dt.date | None:
    """A date a call was given (`datetime.date`), or None; else an ArgumentError (a
    '2026-03-01' given as a str was an AttributeError where it was first used)."""
    if value is None or isinstance(value, dt.date):
        return value
    raise ArgumentError(
        name,
        "expected a datetime.date, such as datetime.date(2026, 3, 1) or "
        f"datetime.date.fromisoformat('2026-03-01'), got {given_briefly(value)}",
    )


def amount_of_usd(value: object, name: str) -> float:
    """A finite amount of USD given as a number (`30e9`); else an ArgumentError."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value):  # type: ignore[arg-type]
        raise ArgumentError(
            name, f"expected an amount of USD as a number, such as 30e9, got {given_briefly(value)}"
        )
    return float(value)  # type: ignore[arg-type]


def positive_usd(value: object, name: str) -> float:
    """A positive, finite amount of USD (`1e6`); else an ArgumentError."""
    amount = amount_of_usd(value, name)
    if amount <= 0:
        raise ArgumentError(
            name, f"expected a positive amount of USD, such as 1e6, got {given_briefly(value)}"
        )
    return amount


def compute_step(value: object, name: str = "step") -> float:
    """A step of compute in H100e: 0 (any amount) or a positive finite number (`500`);
    else an ArgumentError (-1 and nan were taken as 0, steps asked for and none made)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value < 0:  # type: ignore[operator, arg-type]
        raise ArgumentError(
            name,
            "expected 0 (any amount) or a positive number of H100e, such as 500, "
            f"got {given_briefly(value)}",
        )
    return float(value)  # type: ignore[arg-type]


def frontier_points(text: str, name: str = "points") -> int | Literal["all"]:
    """How many frontier points to draw (`frontier`, `history`): a number from 2 to 1000, or
    'all' (every non-dominated package)."""
    if text == "all":
        return "all"
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 2 <= n <= 1000:
        raise ArgumentError(name, f"expected a number 2-1000 or 'all', not {text!r}")
    return n


def document_date(text: str | None, name: str = "date") -> dt.date | None:
    """A document's date as the user wrote it: an ISO date, or `today` (the only way the
    clock reaches a document); None for none. An InputError names `name`, the field or
    option it came from (`--date` in the CLI, `date` in the web)."""
    if text is None:
        return None
    if text.strip().lower() == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        # `2026-02-30` is written as asked: what is wrong is the date (Python's words).
        why = f": no such date ({exc})" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()) else ""
        raise InputError(
            Issue(name, None, "", f"expected YYYY-MM-DD or today, got {text!r}{why}")
        ) from None


#: The plain kinds an annotation of a public call may name (`str | None`, `int`), each with
#: what a value of it is, and the words that say it.
_PLAIN: dict[str, tuple[Callable[[object], bool], str]] = {
    "str": (lambda v: isinstance(v, str), "text (a str)"),
    "int": (
        lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool),
        "a whole number (an int)",
    ),
    "float": (lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool), "a number"),
    "bool": (lambda v: isinstance(v, bool), "True or False"),
    "os.PathLike[str]": (lambda v: isinstance(v, os.PathLike), "an os.PathLike"),
}

#: How a path parameter (`str | os.PathLike[str]`) says what it takes, in place of the two
#: kinds' words.
_PATH = ("str", "os.PathLike[str]")
_PATH_WORDS = "a path (a str or an os.PathLike, such as pathlib.Path)"


def plain_kinds(annotation: object) -> tuple[str, ...] | None:
    """The kinds an annotation names when it names plain ones only (`int | None`:
    ("int", "None")); None for any other (`Portfolio`, `Sequence[str]`, `Mode`), which the
    call checks itself."""
    text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    kinds = tuple(kind.strip() for kind in text.split("|"))
    if not all(kind in _PLAIN or kind == "None" for kind in kinds):
        return None
    return kinds if any(kind in _PLAIN for kind in kinds) else None


def plain_argument(value: object, kinds: Sequence[str], name: str) -> None:
    """Refuse `value` for the parameter `name` unless it is of one of `kinds` (`str`,
    `int`, `float`, `bool`, `None`; a bool is no number, an int is a float): an
    ArgumentError naming the parameter and what it takes."""
    if value is None and "None" in kinds:
        return
    if any(_PLAIN[kind][0](value) for kind in kinds if kind in _PLAIN):
        return
    if (own := _OWN_WORDS.get(name)) is not None:
        own(value, name)  # its own words: `gap: expected a relative gap from 0 to below 1 ...`
    path = all(kind in kinds for kind in _PATH)
    words = [_PLAIN[kind][1] for kind in kinds if kind in _PLAIN and not (path and kind in _PATH)]
    if path:
        words.insert(0, _PATH_WORDS)
    if "None" in kinds:
        words.append("None")
    expected = ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]
    raise ArgumentError(name, f"expected {expected}, got {given_briefly(value)}")


#: The parameters whose checks say what they take in words of their own, the same in every
#: call that has one (a relative gap, seconds, an amount of USD): said for a value of the
#: wrong kind too, rather than `expected a number`.
_OWN_WORDS: dict[str, Callable[[Any, str], object]] = {
    "gap": relative_gap,
    "time_limit": positive_seconds,
    "partner_utility": amount_of_usd,
    "seed": seed_of,
    "samples": sample_count,
}


def checked(call: F) -> F:
    """`call` with its plain arguments (those its annotations say are `str`, `int`,
    `float` or `bool`, or None) checked before it runs, as `plain_argument` does: what
    `dealbench` exports goes through here, so that `record_offer(pf, root, 3)` or
    `solve(pf, threads="x")` is an ArgumentError naming `partner` or `threads`, never an
    AttributeError or a ValueError from deep inside, in every call, one added later too.
    A call without a plain parameter is returned as it is."""
    signature = inspect.signature(call)
    plan = {
        name: kinds
        for name, parameter in signature.parameters.items()
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
        and (kinds := plain_kinds(parameter.annotation)) is not None
    }
    if not plan:
        return call

    @functools.wraps(call)
    def checking(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:  # a missing or unknown argument: Python's own words, from the call
            return call(*args, **kwargs)
        for name, value in bound.arguments.items():
            if name in plan:
                plain_argument(value, plan[name], name)
        return call(*args, **kwargs)

    return cast(F, checking)
