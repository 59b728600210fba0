"""The filters of the document environment: one form of money, H100e, percents and dates.

Every document, page and message that prints a figure prints it through these (or the
`units` formatters they re-export), so the same amount reads the same everywhere. Markdown
documents escape every value on output through `md_escape`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from markupsafe import Markup

from dealbench.figures import exact_total, h100e, h100e_total_head, quantity, rows_note, rows_sum
from dealbench.figures import usd as money
from dealbench.list_words import and_list, periods_said, plural
from dealbench.model.names import party_in_text  # a partner's name in running English
from dealbench.units import H100_TPP

if TYPE_CHECKING:
    from dealbench.optimize.result import SolveResult

__all__ = [
    "and_list",
    "exact_total",
    "h100e",
    "h100e_total_head",
    "md_escape",
    "money",
    "percent",
    "periods_said",
    "plural",
    "ratio",
    "rows_note",
    "rows_sum",
]


#: A sign before a dollar amount (`-$2.00bn`, `+$356.3m`): a line may break after a
#: hyphen-minus, which left "partner utility -" at a line's end and "$2.00bn" on the next in
#: the PDF. The paginated formats keep them together: the PDF with a word joiner (U+2060,
#: invisible, and absent from the text a reader copies), the DOCX with Word's non-breaking
#: hyphen (read back as "-").
SIGNED_AMOUNT = re.compile(r"(?<![\w$])([-+])(?=\$\d)")


_TAG = re.compile(r"(<[^>]*>)")


def joined_signs(html: str) -> str:
    """`html` with no line break allowed between a sign and the dollar amount it signs, in
    its text (an attribute, such as a chart's `alt`, is read aloud as it is)."""
    return "".join(
        part if part.startswith("<") else SIGNED_AMOUNT.sub("\\1\u2060", part)
        for part in _TAG.split(html)
    )


#: A run of this many characters with no place to break (a space, a hyphen) is broken
#: (`breakable`): a 70-character name, a 64-character concession id, a URL's path.
LONG_RUN = 20
#: ... into pieces of this many characters at most.
RUN_PIECE = 12
_RUN = re.compile(r"(?:&[#A-Za-z0-9]+;|[^\s<>&\-\u00ad/])+")
_UNIT = re.compile(r"&[#A-Za-z0-9]+;|.", re.S)
_TABLE = re.compile(r"(<table\b.*?</table>)", re.S)


def breakable(html: str) -> str:
    """`html` with a line break allowed (`<wbr>`) every `RUN_PIECE` characters in each run
    of `LONG_RUN` or more without one, in the text of its tables' cells (not in an
    attribute). A table's narrowest column is its longest word: a 70-character name
    widened a table past the page (cut off in the PDF, the page scrolling sideways on a
    phone), where breaking every word of every cell anywhere (CSS) broke "veu" too.
    Outside tables the style sheet breaks such a word where it meets the margin
    (`overflow-wrap: break-word`), and the text is left as written."""

    def broken(run: re.Match[str]) -> str:
        units = _UNIT.findall(run[0])
        if len(units) < LONG_RUN:
            return run[0]
        pieces = ["".join(units[i : i + RUN_PIECE]) for i in range(0, len(units), RUN_PIECE)]
        return "<wbr>".join(pieces)

    def in_text(part: str) -> str:
        return "".join(p if p.startswith("<") else _RUN.sub(broken, p) for p in _TAG.split(part))

    # split on a capturing group: the tables are the odd parts
    parts = _TABLE.split(html)
    return "".join(in_text(part) if i % 2 else part for i, part in enumerate(parts))


def shown_usd(amount: float) -> float:
    """`amount` as the `money` filter prints it, as a number: $992.9m is 992,900,000 for
    an amount of 992,937,500. Summing these says whether a column of money adds up to
    the total printed under it."""
    return printed_usd(money(amount))


def printed_usd(text: str) -> float:
    """The amount a money figure as printed says: `-$2.0505bn` is -2,050,500,000."""
    match = re.fullmatch(r"([-+]?)\$([0-9,.]+)(tn|bn|m)?", text)
    if match is None:  # pragma: no cover - usd() writes only this form
        raise ValueError(f"not a money figure: {text!r}")
    sign, digits, suffix = match.groups()
    scale = {"tn": 1e12, "bn": 1e9, "m": 1e6, None: 1.0}[suffix]
    value = float(digits.replace(",", "")) * scale
    return -value if sign == "-" else value


def number(amount: float) -> str:
    """A whole number with thousands separators (`880,488,000`): a total of TPP."""
    return quantity(amount)


def tpp(amount_h100e: float) -> str:
    """The TPP equivalent of an amount of H100e, as export rules count it."""
    return quantity(amount_h100e * H100_TPP)


def distance_to_best(
    gap: float | None, digits: int = 2, *, bound: float | None = None, found: float | None = None
) -> str:
    """How far a solve stopped by its time limit may be from the best, in words.

    A relative gap of 100% or more (nothing found yet worth much, such as V = 0 against
    a bound of billions) bounds nothing a reader can use: it is said so, not printed as a
    percentage of eleven digits.

    `bound` and `found`, a us-best solve's bound on the US utility and the US utility found:
    the distance is their difference. The solver's gap is relative to its objective less
    the walk-away values it leaves out, not to the US utility: "within 8.80% of the best"
    was said of packages 8.88% below the best there was."""
    if gap is None:
        return "at an unknown distance from the best"
    if gap >= 1:
        return "with no useful bound on the distance to the best (a relative gap above 100%)"
    if bound is not None and found is not None:
        return (
            f"at most {money(max(bound - found, 0.0))} below the best US utility "
            f"(a bound of {money(bound)})"
        )
    return f"within {percent(gap, digits)} of the best"


def stopped_distance(result: SolveResult, digits: int = 2) -> str:
    """`distance_to_best` of a solve stopped by its time limit (a `SolveResult`): in US
    utility where the solve maximised it (us-best), else relative to what it maximised."""
    solver = result.solver
    us_best = result.mode == "us-best" and result.us_value is not None
    if not us_best or solver.bound is None:
        return distance_to_best(solver.gap, digits)
    return distance_to_best(solver.gap, digits, bound=solver.bound, found=result.us_value)


def percent(share: float | None, digits: int = 1) -> str:
    """`12.5%`; a share that is not zero but rounds to it is `less than 0.1%`, never `0.0%`;
    one short of the whole that rounds to it is `more than 99.9%`, never `100.0%` (a budget
    with 133 of 327,000 left is not used in full)."""
    if share is None:
        return "n/a"
    smallest = 10.0**-digits
    if 0 < abs(share) * 100 < smallest / 2:
        return f"less than {smallest:.{digits}f}%"
    if 0 < 100 - share * 100 < smallest / 2:
        return f"more than {100 - smallest:.{digits}f}%"
    return f"{share * 100:.{digits}f}%"


def ratio(value: float, digits: int = 2, suffix: str = "") -> str:
    """`4.00`, or `4.0×` with `suffix`; a ratio that is not zero but rounds to it is `less
    than 0.01` (USD 75k of US value against USD 2.5tn of partner cost), never `0.00`,
    which reads as worth nothing."""
    smallest = 10.0**-digits
    if 0 < abs(value) < smallest / 2:
        bound = "less than" if value > 0 else "more than -"
        return f"{bound}{'' if value < 0 else ' '}{smallest:.{digits}f}{suffix}"
    return f"{value:.{digits}f}{suffix}"


#: The months in a document's dates: the documents are English whatever the locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(iso: str | None, undated: str = "Draft, undated") -> str:
    """`2026-03-01` -> `1 March 2026`; None -> the undated wording.

    The month is named here, not by `strftime("%B")`, which names it in the process's
    locale once anything has set it: matplotlib does (`locale.setlocale(LC_ALL, "")`)
    for a user whose matplotlibrc asks for `axes.formatter.use_locale`, and a memo
    rendered after a chart read "1 März 2026" under a German locale, its term sheets
    "1 March 2026"."""
    if not iso:
        return undated
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell: `|` escaped, line breaks as spaces.

    In Markdown documents every value is escaped on output (`md_escape`) and `cell`
    there is `md_cell`; this form serves templates outside that environment.
    """
    return " ".join(str(value).split("\n")).replace("|", "\\|")


#: Markdown's inline markup: backslash-escaped wherever it appears in a value.
_MD_INLINE = re.compile(r"([\\`*~\[\]|])")
#: `_` opens or closes emphasis only at a word's edge (`no_prc` is left as written).
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
#: What makes a line a heading, a quote or a bullet when a value starts it.
_MD_LINE_START = re.compile(r"^(\s*)(#|>|[-+](?=\s))")
#: Where `&` could start an entity (`&amp;`, `&#38;`) and `<` a tag, a comment or an
#: autolink (CommonMark): only there are they written as entities, so "Trinidad & Tobago"
#: and "a < b" read as written in the Markdown itself, not "Trinidad &amp; Tobago".
_MD_ENTITY_START = re.compile(r"&(?=[#A-Za-z0-9]+;)")
_MD_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def md_escape(value: object) -> Markup:
    """A value from the data as literal text in Markdown: nothing in it can forge structure.

    `&` and `<` become entities where they would start an entity or a tag (`&amp;`,
    `<b>`; "AT&T", "a < b" and `->` stay as written); `\\`, backticks, `*`, `~`, brackets, `|` and `_` at a word's edge are
    backslash-escaped; a leading `#`, `>` or bullet (`- `, `+ `) is escaped (not
    `1. `: section titles start so); line breaks become spaces. A value already
    escaped (a macro's output, `md_cell`) passes as it is.
    """
    if isinstance(value, Markup):
        return value
    text = re.sub(r"[\r\n\v\f\u2028\u2029]+", " ", str(value))
    text = _MD_ENTITY_START.sub("&amp;", text)  # no entity can start
    text = _MD_TAG_START.sub("&lt;", text)  # nor a tag
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    text = _MD_LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}", text, count=1)
    return Markup(text)


def md_cell(value: object) -> Markup:
    """`cell` for Markdown documents: the value escaped (so `|` too), on one line."""
    return Markup(" ".join(md_escape(value).split("\n")))


FILTERS = {
    "money": money,
    "h100e": h100e,
    "h100e_total_head": h100e_total_head,
    "tpp": tpp,
    "number": number,
    "percent": percent,
    "date": long_date,
    "cell": cell,
    "plural": plural,
    "in_text": party_in_text,
}
