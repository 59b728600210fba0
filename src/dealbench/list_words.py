"""Lists in a sentence: `2026, 2027 and 2028`, and runs of periods (`2026Q1–2027Q4`); the
words for an id that is none of those allowed (`unknown`)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from dealbench.units import EMPTY, is_empty


def and_list(items: Iterable[str], word: str = "and") -> str:
    """`2026`, `2026 and 2027`, `2026, 2027 and 2028`: a list in a sentence (`or_list`:
    with "or")."""
    names = list(items)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {word} {names[-1]}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 deal`, `2 deals`, `0 deals`, `10,000 samples` (never `deal(s)`, nor `1 samples`):
    a count and its noun, in the one form every document, command and page writes it."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def or_list(items: Iterable[str]) -> str:
    """`'a'`, `'a' or 'b'`, `'a', 'b' or 'c'`: choices offered in a sentence."""
    return and_list(items, "or")


#: The shortest run of periods a sentence writes as first–last: "2026, 2027 and 2028",
#: but "2026Q1–2027Q4".
IN_A_SENTENCE = 4


def periods_said(order: Sequence[str] | None, periods: Iterable[str]) -> str:
    """Periods in a sentence: "2026, 2027 and 2028", "2026Q1–2028Q3 and 2028Q4" (`runs`)."""
    return and_list(runs(order, periods, IN_A_SENTENCE))


def spans(order: Sequence[str], periods: Iterable[str]) -> str:
    """`2026, 2028` or `2026–2028`: `periods` in the order of `order`, each run of
    consecutive periods as its first and last."""
    return ", ".join(runs(order, periods))


def runs(order: Sequence[str] | None, periods: Iterable[str], shortest: int = 2) -> list[str]:
    """`["2026Q1–2027Q2", "2028Q1"]`: `periods` in the order of `order`, each run of
    `shortest` or more consecutive periods as its first and last (`and_list` makes them
    a sentence's: `periods_said`).
    Periods run when their labels follow one another (2026, 2027; 2026Q4, 2027Q1: never
    2026, 2028, whatever the order); labels that do not say their length, when they are
    neighbours in `order` (without one, `periods` as given, such labels never run)."""
    given = list(dict.fromkeys(periods))
    if order is not None:
        given.sort(key=list(order).index)
    found: list[list[str]] = []
    for t in given:
        last = found[-1][-1] if found else None
        after = None if last is None else _next(last)
        if last is not None and (
            t == after
            if after is not None
            else order is not None and order.index(t) == order.index(last) + 1
        ):
            found[-1].append(t)
        else:
            found.append([t])
    return [t for r in found for t in ([span(r[0], r[-1])] if len(r) >= shortest else r)]


def span(first: str, last: str) -> str:
    """`2026–2028`, `2026Q1–2028Q4`: the periods from `first` to `last`, in the one form
    every document writes a span of periods in (the term sheet's term, a memo's runs)."""
    return first if first == last else f"{first}–{last}"


_ORDINALS = ("first", "second", "third", "fourth")


def period_words(period: str) -> str | None:
    """`2026Q1` as a reader says it, "the first quarter of 2026" (`2026H2`: "the second
    half of 2026"); None for a year, or a label that does not say its length."""
    if m := re.fullmatch(r"(\d{4})([QH])([1-4])", period):
        if m[2] == "H" and m[3] not in "12":
            return None
        return f"the {_ORDINALS[int(m[3]) - 1]} {'quarter' if m[2] == 'Q' else 'half'} of {m[1]}"
    return None


def _next(period: str) -> str | None:
    """The label of the period after `period` (`2027` after `2026`, `2027Q1` after
    `2026Q4`, `2027H1` after `2026H2`), or None for a label that does not say its length."""
    if re.fullmatch(r"\d{4}", period):
        return str(int(period) + 1)
    if m := re.fullmatch(r"(\d{4})Q([1-4])", period):
        year, quarter = int(m[1]), int(m[2])
        return f"{year + 1}Q1" if quarter == 4 else f"{year}Q{quarter + 1}"
    if m := re.fullmatch(r"(\d{4})H([12])", period):
        year, half = int(m[1]), int(m[2])
        return f"{year + 1}H1" if half == 2 else f"{year}H2"
    return None


def each_once(items: Iterable[str], name: str, what: str) -> list[str]:
    """`items` as given, each once; an `ArgumentError` naming `name` (the caller's
    parameter, the CLI's option) when one is given twice.

    A list option (`--regimes tiered,tiered`, `--format md,md`, `--require-deal AE
    --require-deal ae`, `--set PATH=...` twice) dropped the repeat without a word: the
    user who meant two different items (a typo for `tiered,monopoly`) got one, and two
    values of one `--set` path kept the last."""
    from dealbench.errors import ArgumentError

    seen: list[str] = []
    for item in items:
        if item in seen:
            raise ArgumentError(name, f"{item} is given twice; name each {what} once")
        seen.append(item)
    return seen


#: How near a name must be spelt to a choice to be taken for it (difflib's ratio):
#: `vue` for veu, `bilaterall` for bilateral, `countr` for counter.
NEAR = 0.6
#: How much less near than the nearest a choice may be spelt and still be offered beside
#: it: `btna` is batna (0.89), not also us_batna (0.67).
AS_NEAR = 0.1


def meant(value: str, choices: Iterable[str]) -> list[str]:
    """Every choice `value`, which is none of them, likely means, in the order given, or
    none, by the first rule that finds any:
    - the same but for the case (`VEU` for veu);
    - `value` is one whole word of it, or a run of its words, each such choice (`memo`
      for deal-memo and portfolio-memo, `best` for us-best and partner-best, `term` for
      term-sheet, `risk_penalty` for risk_penalty_per_h100e): a word names each choice it
      is in alike, so offering one would send the user to it unasked;
    - near by spelling, in any case (`vue` for veu): the nearest, and any other
      `AS_NEAR` as near.
    A choice spelt near whose digits differ is not near: `300bn` does not mean the level
    `200bn`, nor `tier3` or `tier` tier2; a number is another number, not a typo. Whole
    words are words, whatever digits the choice's other words have (`value` for
    value_per_h100e).

    The one place every "unknown ...; expected one of: ..." message finds its "did you
    mean" (`did_you_mean`): the same choices for the same mistake wherever it is met."""
    known = [c for c in dict.fromkeys(choices) if c != value]
    folded, digits = value.casefold(), re.sub(r"\D", "", value)
    same = [c for c in known if c.casefold() == folded]
    if same:
        return same
    typed = _words(folded)
    words = [c for c in known if typed and _run_of(typed, _words(c.casefold()))]
    if words:
        return words
    known = [c for c in known if re.sub(r"\D", "", c) == digits]
    ratios = {c: difflib.SequenceMatcher(None, c.casefold(), folded).ratio() for c in known}
    best = max(ratios.values(), default=0.0)
    return [c for c, ratio in ratios.items() if ratio >= max(NEAR, best - AS_NEAR)]


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\W_]+", text) if w]


def _run_of(part: list[str], whole: list[str]) -> bool:
    """`part` is a run of consecutive words of `whole`."""
    n = len(part)
    return any(whole[i : i + n] == part for i in range(len(whole) - n + 1))


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """ "; did you mean 'veu'?" (or "'deal-memo' or 'portfolio-memo'") after a list of the
    choices `value` is none of, when any is `meant`; else ""."""
    found = meant(value, choices)
    return f"; did you mean {or_list(map(repr, found))}?" if found else ""


def one_of(known: Iterable[str]) -> str:
    """The choices an "expected one of" lists, each once, as first given: a file that gives
    an id twice (a refused duplicate security level) listed it twice in the next error,
    "expected one of: baseline, kyc, kyc"."""
    return ", ".join(dict.fromkeys(known))


def unknown(what: str, value: str, known: Sequence[str], where: str = "") -> str:
    """What is said of an id that is none of `known` (a security level, a concession, a
    level, a regime): the ids it may be, and the one meant (`VEU` or `vue` for veu: ids
    are matched as written; `list_words.meant`)."""
    listed = one_of(known) if known else "none defined"
    if is_empty(value):  # `--mode ""`: nothing named, not an id called ''
        return f"{EMPTY}; expected a {what}{where}, one of: {listed}"
    return f"unknown {what} {value!r}{where}; expected one of: {listed}{did_you_mean(value, known)}"
