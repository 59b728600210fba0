"""Units read from files: money strings, compute quantities (H100e, TPP, chips), periods.

Pure functions with no I/O. Errors are `ValueError`s with short messages; the
loader turns them into file:line: field: messages. `dealbench.figures` prints them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

#: TPP of one H100 (FP8 dense 1,979 TFLOPS x 8 bits), the H100e unit.
H100_TPP = 15_832

#: Chip catalogue: TPP per chip. Sources: shared/reference/export-policy-facts.md §2.
#: H100/H200: [D] 1,979 TF FP8 x 8. B200: [S] 4,500 TF FP8 dense -> 36,000 [D].
#: GB200: [S] 5,000 TF FP8 per GPU -> 40,000 [D]. GB300: FP4 not counted -> 40,000 [E].
CHIP_TPP: dict[str, int] = {
    "H100": 15_832,
    "H200": 15_832,
    "B200": 36_000,
    "GB200": 40_000,
    "GB300": 40_000,
}

#: The largest amount of money accepted, in USD (a thousand trillion): far above any deal,
#: far below where sums of figures lose precision or overflow.
MAX_MONEY = 1e15
#: The largest quantity of compute accepted, in H100e (or TPP converted to H100e).
MAX_COMPUTE = 1e12
#: The largest plain number accepted.
MAX_NUMBER = 1e15

_SUFFIX = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "t": 1e12}
#: Amounts written in words (`1.4 trillion`), answered with their suffix.
_WORDS = {
    f"{word}{plural}": suffix
    for word, suffix in (("thousand", "k"), ("million", "m"), ("billion", "bn"), ("trillion", "tn"))
    for plural in ("", "s")
}
_MONEY = re.compile(
    r"^(?P<sign>[-+]?)(?:\$|usd)?\s*(?P<num>\d+(?:\.\d*)?|\.\d+)\s*(?P<suf>[a-z]*)$"
)


def parse_number(value: Any, *, thousands: bool = True, unit: str | None = None) -> float:
    """A plain number, also when a YAML 1.2 loader left `200_000` as a string.

    `thousands`: the number may be meant in thousands, so `100.000` (a hundred thousand
    in German) is refused, not read as 100. Off for numbers on a share's scale.
    `unit`: what the number counts (`risk-weighted H100e`, `USD`), said where a unit was
    written after the number or a suffix of money (`number_in`)."""
    return _bounded(_finite(value, thousands, unit), MAX_NUMBER, "a number", value)


def number_in(unit: str) -> Callable[[Any], float]:
    """The parser of a field that holds a plain number of `unit`: `risk_budget: 40_000
    H100e` is refused saying the field is in risk-weighted H100e, written without a unit."""

    def parse(value: Any) -> float:
        return parse_number(value, unit=unit)

    return parse


def _finite(value: Any, thousands: bool = True, unit: str | None = None) -> float:
    if is_empty(value):
        raise ValueError(empty_value("a number"))
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")  # as YAML writes it
    try:
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            typed = _signs(value)
            if thousands:
                _refuse_point_groups(typed, value)
            text = _without_spaces(_without_separators(typed.strip(), value), value)
            try:
                number = float(text)
            except ValueError:
                hint = _hint(text) or _unit_written(typed.strip(), unit)
                raise ValueError(f"expected a number, got {_short(value)}{hint}") from None
            if math.isinf(number) and "inf" not in text.lower():
                return number  # digits beyond a float's range: too large, as the bound says
        else:
            raise ValueError(f"expected a number, got {kind_said(value)}")
    except OverflowError:
        raise ValueError(f"the number is too large, got {_short(value)}") from None
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {_short(value)}")
    return number


def is_empty(value: Any) -> bool:
    """Whether a value was left empty: `2027:` with nothing after it (YAML's null), or
    only spaces between quotes."""
    return value is None or (isinstance(value, str) and not value.strip())


#: What is said of a value left empty (`2027:` with nothing after it), never "None".
EMPTY = "the value is empty"


def empty_value(expected: str) -> str:
    """What is said of a value left empty where `expected` was meant (`2027:` under
    supply): the value is empty, not Python's None."""
    return f"{EMPTY}; expected {expected}"


def _hint(text: str) -> str:
    """For `100k` where a plain number is expected: how to write it (suffixes are for USD).
    Not for `3bn`, more likely an amount of USD in the wrong field than 3bn H100e."""
    match = _MONEY.match(text.lower().replace(" ", ""))
    if not match or match["suf"] not in ("k", "m", "mn") or text.lower().startswith(("$", "usd")):
        return ""
    number = float(match["num"]) * _SUFFIX[match["suf"]]
    if not number.is_integer() or number > MAX_NUMBER:
        return ""
    sign = "-" if match["sign"] == "-" else ""
    return f"; suffixes such as k and m are for amounts of USD: write {sign}{number:_.0f}"


#: A number with a word after it (`40_000 H100e`, `40k H100e`, `250 MW`, `5 dollars`).
_NUMBER_AND_WORD = re.compile(
    r"^(?P<num>[-+]?[\d_.,]*\d(?:e[-+]?\d+)?(?:\s*(?:k|m|mn)(?![a-z]))?)\s*"
    r"(?P<word>[^\W\d_][\w/ .-]*)$",
    re.IGNORECASE,
)


def _unit_written(text: str, unit: str | None) -> str:
    """For a number written with a unit where a plain number is expected (`risk_budget:
    40_000 H100e`): that the field is in `unit`, written without one, and the number as
    meant (`write 40_000`); a unit other than the field's is named as not its unit. A
    suffix of money (`5bn`, `$5bn`) where the field is in another unit is said to be one.
    Empty for text that is no number with a unit."""
    found = _NUMBER_AND_WORD.match(text)
    money = _MONEY.match(text.lower().replace(" ", ""))
    if found is None or found["word"].lower() in _SUFFIX:
        if unit and money and (money["suf"] or text.startswith("$")) and unit != "USD":
            return f"; suffixes such as bn are for amounts of USD: the field is in {unit}"
        if unit == "USD" and money and (meant := _meant_number(text.lower())) is not None:
            return f"; the field is in USD, written as a plain number: write {meant}"
        return ""
    number, word = found["num"], found["word"].strip()
    scale, _, rest = word.partition(" ")
    if scale.lower() in _WORDS:  # `40 million H100e`: the number is 40m, the unit after it
        number, word = number + _WORDS[scale.lower()], rest.strip()
    meant = _meant_number(number)
    write = f": write {meant}" if meant is not None else ""
    if not word:  # `40 million`: a number in words, no unit
        return f"; a number is written in digits{write}" if meant is not None else ""
    if unit is None:
        return f"; write the number without its unit ({word!r}){write}"
    if _same_unit(word, unit):
        return f"; the field is in {unit}, written without a unit{write}"
    return f"; {word!r} is not the unit of this field: it is in {unit}, written as a plain number"


def _same_unit(word: str, unit: str) -> bool:
    """Whether `word` names `unit` by its last word, singular or plural (`H100e` or `h100es`
    of `risk-weighted H100e`, `B200 chips` of `chips`)."""

    def last(text: str) -> str:
        return text.lower().split()[-1].removesuffix("s")

    return last(word) == last(unit)


def _meant_number(text: str) -> str | None:
    """The number `text` means, written as a file writes it (`40k` as 40_000, `5bn` as
    5_000_000_000), or None when it reads as none."""
    text = text.replace(" ", "")
    try:
        number = parse_number(text)
    except ValueError:
        suffix = _MONEY.match(text.lower())
        if not suffix or suffix["suf"] not in _SUFFIX:
            return None
        number = float(suffix["num"]) * _SUFFIX[suffix["suf"]]
        number = -number if suffix["sign"] == "-" else number
    if not math.isfinite(number) or abs(number) > MAX_NUMBER:
        return None
    return f"{number:_.0f}" if number.is_integer() else f"{number:_}"


#: Digits grouped by commas as thousands separators: 1,500,000 (or in lakhs, 1,00,000).
_GROUPED = re.compile(r"\d{1,3}(?:,\d{2})*(?:,\d{3})+")
_DIGITS_AND_COMMAS = re.compile(r"\d[\d,]*")
#: Digits grouped by spaces (1 500 000), and any digits with spaces between them.
_SPACED = re.compile(r"\d{1,3}(?: \d{3})+")
_DIGITS_AND_SPACES = re.compile(r"\d+(?: +\d+)+")


#: Digits grouped in threes by points: thousands in many languages (100.000 for 100,000).
_POINT_GROUPED = re.compile(r"[-+]?[1-9]\d{0,2}(?:\.\d{3})+")


#: A minus sign as typeset (U+2212, pasted from a word processor or a PDF) and its small
#: and full-width forms: each is a minus, read as `-` (it looks like one, and means one).
#: The spaces typeset between thousands (no-break, narrow no-break, thin and figure
#: spaces: `1 250 000` as a word processor or a French text writes it) are spaces.
_TYPESET = str.maketrans(
    dict.fromkeys("\u2212\ufe63\uff0d", "-") | dict.fromkeys("\u00a0\u202f\u2009\u2007", " ")
)
#: Dashes that look like a minus but are not one (hyphens, en and em dashes).
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015"


def _signs(text: str) -> str:
    """`text` with a typeset minus sign read as `-` and a typeset space as a space; a dash
    where the sign goes (`–8bn`, an en dash) is refused with the way to write it, not
    "expected an amount" of a figure that reads like one."""
    text = text.translate(_TYPESET)
    first = text.strip().lstrip("$")[:1]
    if first and first in _DASHES:
        rest = text.strip().lstrip("$")[1:]
        raise ValueError(
            f"{_short(text)}: {first!r} (U+{ord(first):04X}) is a dash, not a minus sign; "
            f"write -{rest}"
        )
    return text


def _refuse_point_groups(text: str, value: Any) -> None:
    """`100.000`: a hundred thousand in German, a hundred to YAML; refused, not guessed."""
    if _POINT_GROUPED.fullmatch(text.strip()):
        digits = text.strip().lstrip("+")
        whole = int(digits.replace(".", ""))
        # One point may be a decimal one (`100.000` is 100); two are not (`8.000.000.000`).
        decimal = f", or {float(digits):g}" if digits.count(".") == 1 else ""
        raise ValueError(
            f"{_short(value)}: a point separates decimals, not thousands; "
            f"write {whole:_} for {whole:,}{decimal}"
        )


def _without_separators(text: str, value: Any) -> str:
    """`text` without its `_` and thousands-separating commas.

    A comma that does not separate thousands is refused, not dropped: `1,5bn` (a
    decimal comma) would otherwise read as 15bn, and a share of `0,1` as 1.
    """
    for run in _DIGITS_AND_COMMAS.findall(text.replace("_", "")):
        if "," in run.rstrip(",") and not _GROUPED.fullmatch(run):
            raise ValueError(
                f"{_short(value)}: a comma separates thousands (1,500,000); "
                "write decimals with a point (1.5bn, 0.1)"
            )
    return text.replace("_", "").replace(",", "")


def _without_spaces(text: str, value: Any) -> str:
    """`text` without the spaces that separate thousands (`1 500 000`, as an amount of USD
    or a number of H100e); a space between other digits (`2 5m`: not 25m) is refused.
    A number of H100e written so was refused as "expected a number" where an amount of
    USD was read."""
    for run in _DIGITS_AND_SPACES.findall(text):
        if not _SPACED.fullmatch(run):
            raise ValueError(
                f"{_short(value)}: a space between digits separates thousands (1 500 000); "
                "write the number without it"
            )
        text = text.replace(run, run.replace(" ", ""))
    return text


def parse_share(value: Any) -> float:
    """A share from 0 to 1: a number (`0.4`) or a percentage (`40%`).

    A whole percentage written as a number (`40`, from 2 to 100) is refused with the two
    ways to write it; it would be a share 40 times too large. Other numbers are left to
    the field's bounds."""
    number = parse_share_number(value)
    hint = None if _percent(value) else percent_hint(number)
    if hint:
        raise ValueError(f"must be at most 1, got {_short(value)}; {hint}")
    return number


def percent_hint(number: float) -> str | None:
    """How to write a share that was given as a whole percentage (`40` for 40%), or None:
    a number from 2 to 100 read as a share would be that many times too large."""
    if 2 <= number <= 100:
        return f"for {number:g} percent write {number / 100:g} or {number:g}%"
    return None


def share_percent(share: float) -> str:
    """A share as the percentage it is, with the digits it has: 90%, 97.5%, 99.99%."""
    return f"{share * 100:.6g}%"


def parse_share_number(value: Any) -> float:
    """A number on a share's scale: `0.4`, or a percentage (`40%`) as its fraction, any
    size (a normal distribution's centre and spread, which may lie beyond 0..1). No share
    is meant in thousands: `1.098` is 1.098, left to the field's bounds.

    Anything else (`abc`, a list, a mapping, a `!!set`) is refused with how a share is
    written (`A_SHARE`), as a share with a unit it is not written in is."""
    if _percent(value):
        return parse_number(value.strip()[:-1], thousands=False) / 100
    if (other := _other_unit(value)) is not None:  # `30 percent`, `0.3 share`
        number = value.strip()[: -len(other)].strip()
        percent = _finite_or_none(number)
        written = (
            f"for {number} percent write {percent / 100:g} or {number}%"
            if percent is not None and other.lower().replace(" ", "") in _PERCENT_WORDS
            else f"write {A_SHARE}"
        )
        raise ValueError(
            f"expected a number, got {_short(value)}; {other!r} is not a unit a share is "
            f"written in: {written}"
        )
    try:
        return parse_number(value, thousands=False)
    except ValueError as exc:
        said = str(exc)
        if said.startswith("expected a number, got ") and ";" not in said:  # no hint of its own
            raise ValueError(f"{said}; write {A_SHARE}") from None
        raise


#: How a share is written, said of every value a share refuses (`abc`, a list, `30 MW`).
A_SHARE = "a number from 0 to 1 (such as 0.3) or a percentage (such as 30%)"


#: Words a percentage is written with instead of `%` (`30 percent`).
_PERCENT_WORDS = ("percent", "pct", "percentage")


def _finite_or_none(text: str) -> float | None:
    try:
        return _finite(text, thousands=False)
    except ValueError:
        return None


def _percent(value: Any) -> bool:
    return isinstance(value, str) and value.strip().endswith("%")


def _bounded(number: float, limit: float, what: str, value: Any) -> float:
    if abs(number) > limit:
        raise ValueError(f"{what} must be at most {limit:.0e} in magnitude, got {_short(value)}")
    return number + 0.0  # -0.0 is 0: never "-0" where the number is written out


def number_said(number: float) -> str:
    """A number as a message quotes it: every digit it has (`123,456.5`, where `%g` says
    123456, as if it were whole), an exponent only where plain digits would not do
    (`1e-320`, where `%g` says 9.99989e-321)."""
    if number.is_integer() and abs(number) < 1e16:
        return f"{int(number):,}"
    sign, text = ("-" if number < 0 else ""), repr(abs(number))
    if "e" in text or "." not in text:  # 1e-320, inf, nan
        return sign + text
    whole, fraction = text.split(".")
    return f"{sign}{int(whole):,}.{fraction}"


def as_written(value: Any, width: int = 40) -> str:
    """A value read from a file, said as the file writes it, never in Python's words: a
    date YAML read (`2026-01-01`) or a date and time, as written; a value of a tag no field
    takes (`!!set`, `!!binary`) in the words it carries (`yamlparse.Tagged`); text quoted;
    cut at `width` characters."""
    if isinstance(value, dt.datetime):  # `2026-01-01 10:00:00`, not datetime.datetime(...)
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, dt.date):  # YAML read `2026-01-01` as a date: quote it as written
        return f"the date {value.isoformat()}"
    if isinstance(value, bool):  # `true`, as YAML and the command line write it, not True
        return str(value).lower()
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


_short = as_written


#: What a money field expects, said of every value it refuses (text, a list, a `!!set`).
AN_AMOUNT = "an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000"


def parse_money(value: Any) -> float:
    """USD from `1.4tn`, `200bn`, `350m`, `75k`, `$2bn`, `-5bn` or a number; anything else
    (a list, a mapping, a boolean, a `!!set`) is refused as not `AN_AMOUNT`."""
    if is_empty(value):
        raise ValueError(empty_value(AN_AMOUNT))
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        said = str(value).lower() if isinstance(value, bool) else kind_said(value)
        raise ValueError(f"expected {AN_AMOUNT}, got {said}")
    if isinstance(value, str):
        typed = _signs(value)
        _refuse_point_groups(typed.strip().lstrip("$"), value)
        text = _without_spaces(_without_separators(typed.strip().lower(), value), value)
        text = text.replace(" ", "")
        match = _MONEY.match(text)
        if not match or match["suf"] not in ("", *_SUFFIX):
            try:
                number: float | None = _finite(value)  # a number as text, such as "1e9"
            except ValueError:
                number = None
            if number is not None:  # its bounds are said as such ("1e400": at most 1,000tn)
                return _money_bound(number, value)
            raise ValueError(f"expected {AN_AMOUNT}, got {_short(value)}{_money_hint(text)}")
        try:
            amount = float(match["num"]) * _SUFFIX.get(match["suf"], 1.0)
        except OverflowError:
            amount = math.inf
        amount = -amount if match["sign"] == "-" else amount
    else:
        amount = _finite(value)
    return _money_bound(amount, value)


#: Abbreviations of a scale a reader of finance writes (`50MM`, `2bln`), answered with
#: the suffix an amount is read with.
_SCALES = {"mm": "m", "mio": "m", "mln": "m", "bln": "bn", "bil": "bn", "trn": "tn"}
#: The currency written where an amount does not read it: after it (`50m USD`), or as
#: `US$` (`US$50m`); `$` and `USD` before it are read.
_CURRENCY = re.compile(r"^(?:us\$)|(?:usd|\$|dollars?)$")


def _money_hint(text: str) -> str:
    """`; write 50m` for an amount written otherwise than it is read (`text`: lower case,
    without spaces): a scale in words (`50million`), an abbreviation of one (`50mm`,
    `2bln`), or the currency after the number (`50musd`) or as `us$`. Empty otherwise."""
    match = _MONEY.match(_CURRENCY.sub("", text))
    if match is None:
        return ""
    suffix = _WORDS.get(match["suf"]) or _SCALES.get(match["suf"], match["suf"])
    if suffix not in ("", *_SUFFIX):
        return ""
    return f"; write {match['sign']}{match['num']}{suffix}"


def _money_bound(amount: float, value: Any) -> float:
    if not abs(amount) <= MAX_MONEY:  # also catches infinity
        raise ValueError(
            f"an amount of USD must be at most 1,000tn in magnitude, got {_short(value)}"
        )
    if 0 < abs(amount) < 1:  # `batna: 0.5` for 0.5bn: no deal's figure is a fraction of $1
        raise ValueError(
            f"an amount of USD below one dollar, got {_short(value)}; {_unit_meant(amount)}"
        )
    return amount + 0.0  # -0.0 is 0: never "-0" where the amount is written out (a level)


def _unit_meant(amount: float) -> str:
    """How to write a fraction of a dollar with the unit meant: the number as the user wrote
    it, in the digits an amount is read in (`0.00001bn`, never `1e-05bn`), with each unit
    that makes it a dollar or more (none for 1e-320)."""
    n = format(Decimal(repr(amount)), "f")
    units = [f"{n}{suffix}" for suffix in ("bn", "m", "k") if abs(amount) * _SUFFIX[suffix] >= 1]
    if not units:
        return "write 0, or the amount with its unit, such as 350m"
    listed = units[0] if len(units) == 1 else f"{', '.join(units[:-1])} or {units[-1]}"
    return f"write its unit: {listed} (or 0)"


def parse_compute(value: Any) -> float:
    """H100e from a number, `{h100e: N}`, `{tpp: N}` or `{chips: N, model: M}`."""
    amount = _compute(value)
    if abs(amount) > MAX_COMPUTE:
        raise ValueError(f"compute must be at most {MAX_COMPUTE:,.0f} H100e, got {_short(value)}")
    return amount


def _compute(value: Any) -> float:
    if isinstance(value, Mapping):
        keys = set(value)
        if keys == {"h100e"}:
            return parse_number(value["h100e"], unit="H100e")
        if keys == {"tpp"}:
            return parse_number(value["tpp"], unit="TPP") / H100_TPP
        if keys == {"chips", "model"}:
            model = str(value["model"]).upper()
            if model not in CHIP_TPP:
                known = ", ".join(CHIP_TPP)
                raise ValueError(f"unknown chip model {value['model']!r}; expected one of: {known}")
            chips = parse_number(value["chips"], unit="chips")
            if chips != int(chips):  # 1,000.5 chips: no licence names half a chip
                raise ValueError(
                    f"a number of chips is whole, got {number_said(chips)} {model} chips"
                )
            return chips * CHIP_TPP[model] / H100_TPP
        raise ValueError(
            "expected H100e as a number, {tpp: N}, {h100e: N} or {chips: N, model: NAME}, "
            f"got keys {sorted(map(str, keys))}{keys_meant(keys, ('h100e', 'tpp', 'chips', 'model'))}"
        )
    if isinstance(value, str) and (unit := _WITH_UNIT.match(value.strip())):
        raise ValueError(f"expected a number, got {_short(value)}; {_unit_hint(unit)}")
    if (other := _other_unit(value)) is not None:  # `250 MW`, `5 EFLOPS`, `500k GPUs`
        raise ValueError(
            f"expected a number, got {_short(value)}; {other!r} is not a unit compute is "
            "written in: write H100e as a plain number (such as 500_000), TPP as "
            f"{{tpp: N}}, or chips as {{chips: N, model: NAME}} ({', '.join(CHIP_TPP)})"
        )
    return parse_number(value, unit="H100e")


#: A number followed, after a space, by a word that is none of the units a field reads
#: (`250 MW`, `30 percent`): the unit is named, not only "expected a number".
_OTHER_UNIT = re.compile(
    r"^[-+]?[\d_.,]*\d(?:e[-+]?\d+)?(?:\s*(?:k|m|mn))?\s+(?P<unit>[^\W\d_][\w/ .-]*)$",
    re.IGNORECASE,
)


def _other_unit(value: Any) -> str | None:
    """The unit word after the number in `value` (`MW` of `250 MW`), or None."""
    found = _OTHER_UNIT.match(value.strip()) if isinstance(value, str) else None
    return found["unit"].strip() if found else None


def keys_meant(keys: Any, known: tuple[str, ...]) -> str:
    """`; did you mean 'chips' for 'chip'?`: each key of an amount of compute that is none
    of `known` but close to one (a typo), else empty."""
    meant = [
        f"{close[0]!r} for {key!r}"
        for key in sorted(map(str, keys))
        if key not in known and (close := difflib.get_close_matches(key, known, n=1))
    ]
    return f"; did you mean {' and '.join(meant)}?" if meant else ""


#: An amount of compute written with its unit (`600000 H100e`, `600k H100e`, `5e9 TPP`,
#: `1000 B200 chips`): the unit goes in the field's shape, not after the number.
_WITH_UNIT = re.compile(
    r"^(?P<num>[-+]?[\d_.,]*\d(?:e[-+]?\d+|\s*(?:k|m|mn))?)\s*"
    r"(?P<unit>h100e?s?|h100-?equivalents?|tpp|(?P<model>[a-z][a-z0-9]*)?\s*chips?)$",
    re.IGNORECASE,
)


def _unit_hint(unit: re.Match[str]) -> str:
    """How to write an amount given with its unit, the number as the user meant it."""
    text = unit["num"].replace(" ", "")
    try:
        number = parse_number(text)
    except ValueError:
        suffix = _MONEY.match(text.lower())
        if not suffix or suffix["suf"] not in ("k", "m", "mn"):
            return "write the number without its unit"
        number = float(suffix["num"]) * _SUFFIX[suffix["suf"]]
        number = -number if suffix["sign"] == "-" else number
    written = f"{number:_.0f}" if number.is_integer() else f"{number:_}"
    kind = unit["unit"].lower()
    if kind.startswith("tpp"):
        return f"an amount in TPP is written {{tpp: {written}}}"
    if kind.endswith(("chip", "chips")):
        model = unit["model"].upper() if unit["model"] else "NAME"
        return f"chips are written {{chips: {written}, model: {model}}}"
    return f"compute is in H100e, written without a unit: write {written}"


def compute_typed(text: str, model: str | None = None) -> Any:
    """A compute field's text as a package file writes it (the loader converts it, and
    refuses a half chip or an unknown model as in a file): `12_000 B200 chips` as
    `{chips: 12_000, model: B200}`, `5e9 TPP` as `{tpp: 5e9}`, `35_000 H100e` as the
    number. A plain number is in chips of `model` when the portfolio decides compute in
    them (a negotiator types the unit the portfolio declares), else in H100e; 0 is 0."""
    text = text.strip()
    unit = _WITH_UNIT.match(text)
    if unit is None:
        try:
            nothing = parse_number(text) == 0
        except ValueError:
            nothing = False
        return {"chips": text, "model": model} if model and not nothing else text
    number = unit["num"].replace(" ", "")
    kind = unit["unit"].lower()
    if kind.startswith("tpp"):
        return {"tpp": number}
    if kind.endswith(("chip", "chips")):
        return {"chips": number, "model": unit["model"] or model or "(none named)"}
    return number


def period_label(value: Any) -> str:
    """A period label as text: `2026` and `"2026"` are the same period."""
    if is_empty(value):
        raise ValueError(empty_value("a period label such as 2026 or 2026Q3"))
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"expected a period label such as 2026 or 2026Q3, got {kind_said(value)}")
    label = str(value).strip()
    if (part := _PART_OF_YEAR.match(label)) is not None:
        year, kind, number = part.groups()
        count, names = _PARTS[kind.upper()]
        if not 1 <= int(number) <= count:
            # `2026Q5`: refused wherever a period is written (a partner file validated on
            # its own too), not only once a portfolio's periods lack it
            raise ValueError(
                f"{label!r} cannot be a period: a year has {names}, "
                f"{year}{kind.upper()}1 {'and' if count == 2 else 'to'} {year}{kind.upper()}{count}"
            )
    return label


#: A label of a part of a year (`2026Q3`, `2026H1`, either case): year, letter, number.
_PART_OF_YEAR = re.compile(r"^(\d{4})([QqHh])(\d+)$")
#: How many parts of each letter a year has, and their name.
_PARTS = {"Q": (4, "four quarters"), "H": (2, "two halves")}


def kind_said(value: Any) -> str:
    """A value no field of its kind takes, said as the file writes it: a list, a mapping, a
    `!!set` or a date in its words (`as_written`)."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return _short(value)
