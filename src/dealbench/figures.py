"""Figures as people read them: money in USD, quantities of H100e and chips, totals.

One form everywhere (documents, the CLI, the web): halves round away from zero from the
decimal figure JSON keeps (`figure`), never from the float's binary digits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from itertools import pairwise

from dealbench.jsontext import JSON_DIGITS
from dealbench.list_words import and_list, span


def usd(amount: float | None, signed: bool = False, apart: float | None = None) -> str:
    """USD for people, one form everywhere: $1.40tn, -$58.80bn, $350.0m, $75,000.

    The sign always comes before the dollar sign (`-$1.0bn`, never `$-1bn`). A half of the
    last digit rounds away from zero, as by hand: $2.775bn and $2.785bn print $2.78bn and
    $2.79bn (the float's binary digits would print $2.77bn and $2.79bn). With `apart`, the
    figure printed beside `amount`: when the two differ by a dollar or more but would read
    the same, or a last digit apart for half a digit or less, `amount` gets the decimals
    that tell them apart (a walk-away value of $50.00bn and $50.001bn with a $1m margin,
    never $50.00bn twice; $2.0505bn beside $2.05bn with a $500,000 margin, never $2.051bn).
    """
    if amount is None:
        return "n/a"
    a = abs(amount)
    scale, suffix, places = _unit(a)
    if apart is not None and abs(amount - apart) >= 1.0:
        while places < _places_of_a_dollar(scale) and _reads_alike(amount, apart, scale, places):
            places += 1
    return _written(amount, scale, suffix, places, signed)


#: USD: what a solver's figure may fall short of the exact one (its feasibility tolerance
#: is near 1e-7 of a billion): a floor of $90.0m is met where the solve said $89,999,994.50.
SOLVER_NOISE = 10.0


def usd_at_most(amount: float) -> str:
    """`amount` (a solver's figure, within `SOLVER_NOISE`) as `usd` writes it, rounded
    down to its last digit: a figure to give as a floor that `amount` meets. A best US
    utility of $174.0455bn, advised as the floor to lower to, read $174.05bn, and
    `--v-floor 174.05bn` was out of reach again."""
    scale, _, places = _unit(abs(amount))
    digit = Decimal(int(scale)).scaleb(-places)
    down = (figure(amount + SOLVER_NOISE) / digit).to_integral_value(ROUND_FLOOR) * digit
    return usd(float(down))


def usd_column(amounts: Sequence[float | None]) -> list[str]:
    """Figures printed one under another (a sweep's rows), each in its unit as `usd` writes
    it, with as many more decimals, the same for every figure of that unit, as tell apart
    each two neighbours that differ by a dollar or more ($1.2533tn above $1.2530tn, never
    $1.25tn twice); None as `usd` writes it."""
    figures = [(a, *_unit(abs(a))) for a in amounts if a is not None]
    more: dict[float, int] = {}
    for (a, scale, _, places), (b, other, _, _) in pairwise(figures):
        if scale != other or abs(a - b) < 1.0:
            continue
        p = places + more.get(scale, 0)
        while p < _places_of_a_dollar(scale) and _reads_alike(a, b, scale, p):
            p += 1
        more[scale] = p - places
    out = []
    for amount in amounts:
        if amount is None:
            out.append(usd(amount))
            continue
        scale, suffix, places = _unit(abs(amount))
        out.append(_written(amount, scale, suffix, places + more.get(scale, 0), False))
    return out


def usd_together(amounts: Sequence[float | None]) -> list[str]:
    """Figures said side by side in one sentence or table (a counter's portfolio V if
    accepted, in the plan, after walking away), as `usd_column` writes them, with the
    decimals that tell apart every two that differ by a dollar or more, not only
    neighbours: $1.4224tn if accepted and $1.4165tn after walking away, never $1.42tn
    twice. None as `usd` writes it."""
    known = sorted((a, i) for i, a in enumerate(amounts) if a is not None)
    out = [usd(None)] * len(amounts)
    for text, (_, i) in zip(usd_column([a for a, _ in known]), known, strict=True):
        out[i] = text
    return out


def _written(amount: float, scale: float, suffix: str, places: int, signed: bool) -> str:
    """`amount` in `scale` to `places` decimals, its sign before the dollar sign."""
    text = in_units(abs(amount), scale, places)
    # A figure that prints as zero has no sign: never -$0 or +$0.
    shown = text.strip("0.,") != ""
    sign = "-" if amount < 0 and shown else ("+" if signed and amount > 0 and shown else "")
    return f"{sign}${text}{suffix}"


def usd_change(old: float, new: float, signed: bool = False) -> tuple[str, str, str]:
    """`old`, `new` and the change `new - old` (signed), printed side by side so that the
    change as printed is the difference of the two as printed, to the last digit of the
    coarser of them, and is the change rounded, within a hundredth of it (or half a dollar).
    With `signed`, `old` and `new` carry their sign as `usd(signed=True)` writes it (a
    margin: +$450.0m).

    The two figures are printed as `usd` writes them, with as few more decimals (the same
    for both) as that takes, and the change to the last digit of the coarser of them (a
    figure that prints $0 has none), no finer: a change of $271.4m beside $77.98bn and
    $78.25bn prints $270m (the two differ by $270m), never $271.4m, nor $271.400m beside
    $77.9766bn and $78.2480bn; a counter of $78.25bn beside an offer of $73.97bn where
    the change is -$4.274bn (-$4.27bn, where $73.97bn less $78.25bn reads $4.28bn) print
    $78.248bn, $73.974bn, -$4.274bn."""
    return usd_changes([(old, new)], signed)[0]


def usd_changes(
    pairs: Sequence[tuple[float, float]], signed: bool = False
) -> list[tuple[str, str, str]]:
    """Each pair as `usd_change` prints it, all with the same more decimals (the rows of
    one table): the US row's $78.248bn and $73.974bn beside the partner row's $17.500bn
    and $15.020bn, never $17.50bn (qa49-cli)."""
    more = 0
    while True:
        said = [_change_at(old, new, more, signed) for old, new in pairs]
        if all(ok for ok, _ in said):
            return [text for _, text in said]
        more += 1


def _change_at(
    old: float, new: float, more: int, signed: bool
) -> tuple[bool, tuple[str, str, str]]:
    """`usd_change`'s three figures with `more` decimals than `usd` gives, and whether the
    change printed is right (or no more decimals can be given)."""
    units = [_unit(abs(a)) for a in (old, new)]
    change = figure(new - old)
    places = [min(p + more, _places_of_a_dollar(s)) for s, _, p in units]
    value = [
        _figure(a, s, p) * int(s) for a, (s, _, _), p in zip((old, new), units, places, strict=True)
    ]
    # The coarser figure's last digit: a difference is no finer than its coarser term
    # ($1.47bn less $172.9m is $1.30bn; to the finer one's digit, $1.298508bn beside
    # $172.892m and $1.471400bn).
    digit = max(
        (
            Decimal(int(s)).scaleb(-p)
            for (s, _, _), p, v in zip(units, places, value, strict=True)
            if v
        ),
        default=Decimal(1),
    )
    done = all(p == _places_of_a_dollar(s) for (s, _, _), p in zip(units, places, strict=True))
    printed = _to_digit(value[1] - value[0], digit)
    ok = done or (
        _to_digit(change, digit) == printed
        and abs(printed - change) <= max(abs(change) / 100, HALF_A_DOLLAR)
    )
    return ok, (
        _written(old, *units[0][:2], places[0], signed),
        _written(new, *units[1][:2], places[1], signed),
        _change_written(printed, digit),
    )


#: What a change under a dollar may read as: $0.
HALF_A_DOLLAR = Decimal("0.5")


def _to_digit(amount: Decimal, digit: Decimal) -> Decimal:
    """`amount` to a multiple of `digit` ($10m, $1m, $1), halves away from zero."""
    r = (abs(amount) / digit).quantize(Decimal(1), ROUND_HALF_UP) * digit
    return -r if amount < 0 else r


def _change_written(change: Decimal, digit: Decimal) -> str:
    """A change (a multiple of `digit`), signed, in the largest unit it reaches: to the
    decimals `usd` gives that unit where `digit` reaches them, else to `digit` (+$270m to
    $10m, never +$270.0m), and further only where `digit` needs them to say the change
    whole (-$4.274bn; +$38.00bn beside $450.0m and $38.45bn, never +$38.0000bn)."""
    a = abs(change)
    scale, suffix, usual = next(
        (u for u in [*_USD_SCALES, (1.0, "", 0)] if a >= Decimal(int(u[0]))), (1.0, "", 0)
    )
    reached = max(0, _places_of_a_dollar(scale) - _places_of_a_dollar(float(digit)))
    places = max(min(usual, reached), _decimals(a / int(scale)))
    return _written(float(change), scale, suffix, places, True)


def in_units(amount: float, scale: float, places: int) -> str:
    """`amount / scale` to `places` decimals as money rounds (halves away from zero), for a
    column in one unit: `in_units(2.775e9, 1e9, 2)` is `2.78`, `-1,250.50` with
    thousands."""
    text = f"{_rounded(abs(amount), scale, places):,.{places}f}"
    return f"-{text}" if amount < 0 and text.strip("0.,") else text


def _reads_alike(a: float, b: float, scale: float, places: int) -> bool:
    """Whether `a` and `b` at `places` read the same, or a last digit apart where they
    differ by half of it or less ($2.051bn beside $2.050bn for a $500,000 margin)."""
    same = _figure(a, scale, places) == _figure(b, scale, places)
    return same or abs(a - b) <= scale / 10**places / 2


def _figure(a: float, scale: float, places: int) -> Decimal:
    r = _rounded(abs(a), scale, places)
    return -r if a < 0 else r


def _rounded(a: float, scale: float, places: int) -> Decimal:
    """`a / scale` to `places` decimals, halves away from zero, from the decimal figure
    (`figure`), not the float's binary digits (2.775e9 is stored as 2,774,999,999.99999...)."""
    return (figure(a) / int(scale)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def figure(amount: float) -> Decimal:
    """`amount` as a decimal figure of JSON_DIGITS significant digits: what result.json
    and every `--json` keep of it, and what every printed figure is rounded from, so a
    figure reads the same from memory and from a file (159,502.50000000003 and the
    159502.5 written of it are both 159,503, never 159,502 beside 159,503)."""
    return Decimal(f"{amount:.{JSON_DIGITS}g}")


def whole(amount: float) -> int:
    """`amount` to the unit as a person rounds it, halves away from zero (8,550.5 is
    8,551, -0.5 is -1) from its decimal figure (`figure`), as `usd` rounds money and
    `shown` a quantity of 100 or more: where a whole unit is meant (chips, figures compared
    as printed). Python's `round` and `:.0f` take halves to the even unit (8,550) and read
    the float's binary digits."""
    return int(figure(amount).quantize(Decimal(1), ROUND_HALF_UP))


#: Below this many units a quantity prints to the hundredth: one GB200 chip is 2.53 H100e,
#: never "3 H100e (40,000 TPP)" (3 H100e are 47,496 TPP); from it on, to the unit (an
#: error under 0.5%).
FINE_BELOW = 100


def shown(amount: float) -> Decimal:
    """`amount` as `quantity` prints it: to the unit from FINE_BELOW on, else to the
    hundredth, halves away from zero from its decimal figure (`figure`). Summing these
    says what a column of quantities adds up to as printed."""
    d = figure(amount)
    return d.quantize(Decimal(1) if abs(d) >= FINE_BELOW else Decimal("0.01"), ROUND_HALF_UP)


def rows_sum(amounts: Iterable[float]) -> float:
    """What `amounts` add up to as each is printed (`shown`): a unit or two from their
    total (`exact_total`) where they are fractional, as chips counted in H100e are (a B200
    is 2.27 H100e): tranches of 9,314, 30,002, 8,150 and 8,150 H100e add up to 55,616
    where their exact sum is 55,614. Only what a note says of the rows (`rows_note`)."""
    return float(sum(shown(a) for a in amounts))


def exact_total(amounts: Iterable[float]) -> float:
    """The total of amounts (a deal's compute over its tranches, a period's across deals,
    the horizon's, the risk), as every page, table and document prints it: the exact sum,
    rounded as `quantity` rounds it. It never reads above a limit the exact figures keep
    (rows of a supply used in full in B200 chips, each rounded, add up to 272,866 of
    272,865), and it is the figure result.json, `solve`, `sweep` and the web keep, so the
    same total reads the same everywhere. Where the rows printed above it add up to
    another figure, `rows_note` says so."""
    return float(shown(math.fsum(amounts)))


def h100e_total_head(periods: Sequence[str]) -> str:
    """The heading of a column of H100e summed over every period of the horizon: "H100e,
    2026–2028 total" (one period: "H100e, 2027"), in the one form every table writes it
    (the memos, the CLI, the web). A bare "H100e" beside a portfolio of years reads as a
    figure per year, where it is the whole horizon's. Without the periods (a result
    written before it carried them): "H100e, all periods"."""
    if not periods:
        return "H100e, all periods"
    first, last = periods[0], periods[-1]
    return f"H100e, {first}" if first == last else f"H100e, {span(first, last)} total"


def rows_note(columns: Iterable[tuple[str, Iterable[float], float]]) -> str:
    """Where a column's rows, each rounded on its own (`shown`), add up to another figure
    than its total as printed, the sentence that says so; else ''. `columns` are (what the
    column counts, its rows, its exact total): ("H100e in 2027", rows, 272,865.08) whose
    rows print 136,433, 68,216, 45,478 and 22,739 gives "Each total is the exact sum,
    rounded; each row is rounded on its own, and as printed the rows add up to 272,866
    H100e in 2027."."""
    parts = []
    for what, rows, total in columns:
        printed = rows_sum(rows)
        if printed != float(shown(total)):
            parts.append(f"{quantity(printed)} {what}")
    if not parts:
        return ""
    return (
        "Each total is the exact sum, rounded; each row is rounded on its own, and as printed "
        f"the rows add up to {and_list(parts)}."
    )


def quantity(amount: float) -> str:
    """A quantity (H100e, risk-weighted H100e, TPP) as printed, with thousands separators:
    12,000, 8,551 (8,550.5), 2.53 (one GB200 chip), 0.1; never -0 (`shown`)."""
    d = shown(amount)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def thousands(amounts: Sequence[float]) -> list[str]:
    """Quantities printed in thousands side by side (a table's cells, where width is
    short): one form for all of them, each to the decimals the finest needs to say what
    `quantity` says of it, so 1,685,000 and 31,700 read "1,685.0k" and "31.7k", never
    "1,685k" beside "31.7k". Where that takes more than one decimal, the thousands save
    nothing ("1,141.300k" is longer than 1,141,300): every amount is printed whole, as
    `quantity` prints it (74,160 and 134,000). Zero is 0, as `quantity` and the memos say
    it, not "0.0k" (a regime's total where no partner has a deal)."""
    scaled = [shown(a) / 1000 + 0 for a in amounts]  # + 0: never -0
    places = max((_decimals(d) for d in scaled), default=0)
    if places > 1:
        return [quantity(a) for a in amounts]
    return [quantity(0) if d == 0 else f"{d:,.{places}f}k" for d in scaled]


def _decimals(d: Decimal) -> int:
    """How many decimals `d` needs: 74.16 two, 134.000 none."""
    exponent = d.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def h100e(amount: float | None, signed: bool = False) -> str:
    """A quantity of H100e (or risk-weighted H100e), as `quantity` prints it: 12,000."""
    if amount is None:
        return "n/a"
    text = quantity(amount)
    return f"+{text}" if signed and shown(amount) > 0 else text


def chips_of(count: float, model: str) -> str:
    """`1 GB200 chip`, `9,000 B200 chips`: a number of chips of a model (whole, as a
    licence names them)."""
    n = whole(count)
    return f"{n:,} {model} chip{'' if n == 1 else 's'}"


#: (scale, suffix, decimals) of the money form, largest first; below $1m whole dollars.
_USD_SCALES = ((1e12, "tn", 2), (1e9, "bn", 2), (1e6, "m", 1))


def _unit(a: float) -> tuple[float, str, int]:
    """The unit of `a` (not negative): the largest it reaches, or the next one up when `a`
    rounds up to it as printed ($999.96m is $1.00bn, never $1,000.0m; $999,999.70 is
    $1.0m)."""
    units = [*_USD_SCALES, (1.0, "", 0)]
    i = next((i for i, (s, _, _) in enumerate(units) if a >= s), len(units) - 1)
    scale, _, places = units[i]
    if i > 0 and _rounded(a, scale, places) * int(scale) >= int(units[i - 1][0]):
        i -= 1
    return units[i]


def _places_of_a_dollar(scale: float) -> int:
    """The decimals at which one more digit would be below a dollar ($1.000000bn: 6)."""
    return len(str(int(scale))) - 1
