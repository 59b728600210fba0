"""What a validation error says to the user: pydantic's error, in the words of the file's
fields (`expected an amount of money such as 75bn, got ...`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from dealbench.list_words import did_you_mean
from dealbench.units import EMPTY, as_written, is_empty, number_said

#: pydantic's errors for a value too long: a string's, or any value's under `max_length`.
_TOO_LONG = {"too_long", "string_too_long"}


#: The type of an error a model's own rules raise (`refuse_problems`): said in the rule's
#: own words, at the place it names, as a loader said each before the rules were the model's.
RULE = "rule"


def refuse_problems(title: str, problems: Iterable[tuple[tuple[str | int, ...], str]]) -> None:
    """A ValidationError of `problems`, `(loc, message)` pairs (`rules.Problem`), if any: raised
    from a model's validator, each is an error at its own place, under the place the model
    is validated at (a partner of a portfolio too), read from a file or built in code."""
    errors = [
        InitErrorDetails(
            type=PydanticCustomError(RULE, "{message}", {"message": message}), loc=loc, input=None
        )
        for loc, message in problems
    ]
    if errors:
        raise ValidationError.from_exception_data(title, errors)


def value_said(error: Any) -> str:
    """One of pydantic's errors in the files' words ("expected a whole number, got 'four'"),
    for a value given elsewhere than in a file: a command-line option's."""
    return error_message(error)


def error_message(
    error: Any, written: str | None = None, numbers: Mapping[float, str | None] | None = None
) -> str:
    """`error` in the files' words; `written`: its value as the file writes it (`-600_000`,
    `Source.written`), quoted where a bound is broken; `numbers`: the numbers of a mapping
    it is as written (`{tpp: -5_0}`, `Source.numbers_in`)."""
    if error["type"] == RULE:
        return str(error["msg"])
    numbers = numbers or {}
    message, value = _said(error, written, numbers), error.get("input")
    got = f", got {_short(value)}"
    if error["type"] != "missing" and is_empty(value) and message.endswith(got):
        # `2027:` or `id:` with nothing after it: the value is empty, not "got None".
        return f"{EMPTY}; {message.removesuffix(got)}"
    if isinstance(value, dict):  # `{chips: 1_0.5, model: H100}`: "got 10.5 H100 chips"
        for each in value.values():
            message = as_typed(message, each, _typed(each, numbers), at_start=False)
        return message
    return as_typed(message, value, written)


def as_typed(message: str, value: Any, written: str | None, *, at_start: bool = True) -> str:
    """`message` quoting the number `value` as the user wrote it (`written`: `1_0`,
    `0.50e1`) where it quotes it as Python writes it: a validator sees the value only, and
    says "got 10", "got 5.0" or "-75000000000 is a negative amount". The quote after "got"
    is replaced, else one the message starts with; any other figure is left as it is."""
    if written is None or isinstance(value, bool) or not isinstance(value, int | float):
        return message
    forms = sorted(_python_forms(value), key=len, reverse=True)
    for lead in (r"(?<=\bgot )", r"^")[: 2 if at_start else 1]:
        for form in forms:
            pattern = rf"{lead}{re.escape(form)}(?![\w.]|,\d)"
            new, found = re.subn(pattern, lambda _: written, message, count=1)
            if found:
                return new
    return message


def _python_forms(value: int | float) -> set[str]:
    """The ways a message may have written a number from its value: 5.0, 5, 10,000."""
    forms = {repr(value), str(value)}
    if isinstance(value, int):
        return forms | {f"{value:,}"}
    return forms | {f"{value:g}", number_said(value)}


def _said(error: Any, written: str | None, numbers: Mapping[float, str | None]) -> str:
    kind = error["type"]
    # The value as the user wrote it where that is not as Python writes it (`1_0`, `4.50`).
    said = written if written is not None else _short(error.get("input"))
    if kind == "string_type" and _field_of(error) in _TEXTS:
        return f"expected {_TEXTS[_field_of(error)]}, got {said}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {said}"
    if kind == "int_parsing_size":  # `round: 1e308`: not "unable to parse input string ..."
        return f"expected a whole number, got {said}, too large to count with"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; unknown fields are not allowed)"
    if kind == "missing":
        return "missing required field"
    message, ctx = str(error["msg"]), error.get("ctx", {})
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    bound = _BOUNDS.get(kind)
    if bound is not None and bound[0] in error.get("ctx", {}):
        got = written or _written(error.get("input"), numbers)
        return f"must be {bound[1]} {error['ctx'][bound[0]]:g}, got {got}"
    if kind == "dict_type":
        mapping = _MAPPINGS.get(_field_of(error))
        return f"expected {mapping}, got {said}" if mapping else _mapping_under(error, said)
    if kind == "too_short" and "min_length" in error.get("ctx", {}):
        return _too_few(error)
    if kind in _TOO_LONG and isinstance(error.get("input"), str) and "max_length" in ctx:
        # an id of 5,000 letters: characters, not pydantic's "items after validation"
        text, most = error["input"], ctx["max_length"]
        return f"is {len(text):,} characters long; at most {most:,} characters are allowed"
    if kind in ("model_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {said}"
    if kind == "string_pattern_mismatch":
        what = _PATTERNS.get(error.get("ctx", {}).get("pattern", ""))
        if what:
            return f"expected {what}, got {said}"
    if kind in ("literal_error", "enum") and "expected" in error.get("ctx", {}):
        expected = str(error["ctx"]["expected"])
        return f"expected {expected}, got {said}{_choice_meant(error, expected)}"
    message = message[0].lower() + message[1:] if message else message
    if kind == "value_error" or "got " in message:
        return message
    return f"{message}, got {said}"


def _mapping_under(error: Any, got: str) -> str:
    """What a mapping field named by its key expects: a portfolio's `caps: {KW: 30_000}` is
    a partner's caps by security level (a policy's tier may be one number for every level;
    a partner's own caps name each level they replace)."""
    loc = error.get("loc", ())
    if len(loc) >= 2 and loc[-2] == "caps" and isinstance(loc[-1], str):
        code = loc[-1]
        return (
            f"expected {code}'s caps by security level, such as {{veu: 500_000}} (H100e per "
            f"period), got {got}; to cap {code} under every level, name each level"
        )
    given = error.get("input")
    if loc and loc[-1] == "set" and isinstance(given, str) and "=" in given:
        # a scenario's `set: portfolio.supply.2027=900_000`, as --set writes it
        path, _, value = given.partition("=")
        return (
            f"expected a mapping of paths to values, got {got}; a scenario writes "
            f"set: {{{path.strip()}: {value.strip()}}}"
        )
    if loc and loc[-1] == "set" and isinstance(given, list):
        # `set: [portfolio.supply.2027=900_000]` or `set: [- portfolio.supply.2027: 9]`
        return (
            f"expected a mapping of paths to values, got {got}; a scenario writes "
            f"set: {{{_pairs(given)}}}, each PATH: VALUE with a colon and a space"
        )
    return f"expected a mapping of keys to values, got {got}"


def _pairs(items: list[Any]) -> str:
    """A scenario's `set` written as a list, as the mapping it means: `[A=1, {B: 2}]` is
    `A: 1, B: 2` (items neither: an example)."""
    pairs = []
    for item in items:
        if isinstance(item, str) and "=" in item:
            path, _, value = item.partition("=")
            pairs.append(f"{path.strip()}: {value.strip()}")
        elif isinstance(item, dict) and item:
            pairs.extend(f"{k}: {v}" for k, v in item.items())
    return ", ".join(pairs) or "partners.AE.batna: 12bn"


def _choice_meant(error: Any, expected: str) -> str:
    """`side: Partner`, `status: walked away`, `side: countr`: the choice meant, written in
    another case, with a space for its hyphen or misspelt, named as an id is
    (`list_words.did_you_mean`)."""
    given = error.get("input")
    if not isinstance(given, str):
        return ""
    hyphened = re.sub(r"[\s_]+", "-", given.strip()).lower()
    choices = re.findall(r"'([^']*)'", expected)
    if hyphened in choices and hyphened != given:
        return f"; did you mean {hyphened!r}?"
    return did_you_mean(given, choices)


def _field_of(error: Any) -> str:
    """The name of the field an error is of (its last named part: `code`, `supply`)."""
    return next((str(part) for part in reversed(error.get("loc", ())) if isinstance(part, str)), "")


def _too_few(error: Any) -> str:
    """`periods: []`: how many items the field needs, in its own words, not pydantic's."""
    # The field's own name, not a union's tag after it (`value_per_h100e.list[Segment]`).
    noun = next((_ITEMS[p] for p in reversed(error.get("loc", ())) if p in _ITEMS), "item")
    least, actual = error["ctx"]["min_length"], error["ctx"].get("actual_length")
    return f"expected at least {least} {noun}{'' if least == 1 else 's'}, got {actual or 'none'}"


#: What a field of a plain type expects, by pydantic's error type, in the files' words
#: (not "input should be a valid integer, unable to parse string as an integer").
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "date_type": "a date such as 2026-03-14",
    "date_parsing": "a date such as 2026-03-14",
    "date_from_datetime_parsing": "a date such as 2026-03-14",
    "date_from_datetime_inexact": "a date such as 2026-03-14",
}


#: What one item of a list (or mapping) that may not be empty is, by the field's name.
_ITEMS = {
    "periods": "period",
    "partners": "partner file",
    "security_levels": "security level",
    "security_costs": "security level with its cost",
    "levels": "level",
    "value_per_h100e": "segment ({upto, value})",
    "scenarios": "scenario",
}


#: What a field that holds a mapping expects, for a value that is not one (`ask: 40_000`).
_MAPPINGS = {
    "ask": "H100e per period, e.g. {2026: 40_000, 2027: 40_000}",
    "supply": "H100e per period, e.g. {2026: 1_000_000, 2027: 1_000_000}",
    "security_costs": "a cost per security level, e.g. {baseline: 0, kyc: 400m}",
    "caps": "caps by partner and security level, e.g. {AE: {veu: 800_000}}",
    # a package's: `concessions: [invest-us, no-prc-hardware]` names no level granted
    "compute": "H100e per period, e.g. {2026: 500_000, 2027: 600_000}",
    "concessions": (
        "the concessions granted, each id with its level or true, e.g. "
        "{invest-us: 1400bn, no-prc-hardware: true}"
    ),
}


_A_CODE = "a country code of two or three capital letters, such as AE"


_PATTERNS = {
    "^[A-Z]{2,3}$": _A_CODE,
    "^[A-Za-z0-9][A-Za-z0-9_.-]*$": (
        "an id of letters, digits, '_', '.' and '-', starting with a letter or digit"
    ),
}


#: What a text field that holds a partner's code takes, by the field's name, for a value
#: that is not text (`code:` left empty, `partner: [AE]`): not "expected text".
_TEXTS = {
    "code": _A_CODE,
    "partner": "a partner's code, such as AE",
}


_BOUNDS = {
    "less_than_equal": ("le", "at most"),
    "greater_than_equal": ("ge", "at least"),
    "less_than": ("lt", "less than"),
    "greater_than": ("gt", "greater than"),
}


def _written(value: Any, numbers: Mapping[float, str | None]) -> str:
    """A value as a file writes it, where a bound is broken: compute is often a mapping
    (`{tpp: -5}`), and "got a mapping" would not say which figure; its numbers as
    `numbers` writes them (`-5_0`)."""
    if isinstance(value, dict) and all(not isinstance(v, dict | list) for v in value.values()):
        text = "{" + ", ".join(f"{k}: {_typed(v, numbers) or v}" for k, v in value.items()) + "}"
        if len(text) <= 60:
            return text
    return _short(value)


def _typed(value: Any, numbers: Mapping[float, str | None]) -> str | None:
    """The number `value` as `numbers` writes it, or None (not a number, or as Python)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return numbers.get(value)


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return as_written(value, 60)  # a date, a !!set: as the file writes it
