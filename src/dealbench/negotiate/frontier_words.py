"""A frontier in the sentences every shell says of it: its table's title, columns and rows,
the points off the declared step, where it runs straight, its marked points, the Nash
bound, the zone of agreement and its notes. One source of the wording: `dealbench
frontier` prints these lines, the web's frontier pages show them."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from dealbench.figures import h100e_total_head, in_units, quantity, usd
from dealbench.negotiate.frontier import Frontier, FrontierPoint, FrontierRounds
from dealbench.render.filters import plural
from dealbench.result_words import STEPS_SAID, whole_steps_words

#: The frontier's money unit: the largest its figures reach (USD bn for deals of billions,
#: as the shipped portfolios have them; m, k or dollars for smaller ones, which in bn all
#: read 0.00).
MONEY_UNITS: tuple[tuple[float, str], ...] = ((1e9, "bn"), (1e6, "m"), (1e3, "k"), (1.0, ""))


#: What each frontier is drawn within (its frame), as the pages' captions and sentences say
#: it: the deal on its own (a negotiation's frontier, as a counter's verdict weighs it), the
#: other deals held (`dealbench frontier`) or re-optimized at each point (`--jointly`).
FRAMES: dict[str, str] = {
    "deal": "the deal on its own, within the supply and risk budget the concluded deals "
    "leave: the other open negotiations are left out",
    "held": "the portfolio's US utility, every other deal held as the portfolio's us-best "
    "solve chooses it",
    "jointly": "the portfolio's US utility, every other deal re-optimized at each point",
    "rounds": "the portfolio's US utility re-planned from the rounds: the concluded deals "
    "held at their agreed terms, the walked-away partners without a deal, every other open "
    "negotiation held at the re-plan",
}
#: Where the offers a strategy proposes (`dealbench offer`) are chosen: `targets` and
#: `offer_at` hold the other open negotiations at the plan.
OFFERS_FRAME = (
    "chosen with the other open negotiations held as the plan gives them (the portfolio "
    "re-planned from its rounds), sharing the supply and risk budget with them"
)


def frames_sentence() -> str:
    """One sentence saying which frame the negotiation's frontier and its offers are each in:
    a plan's offer may sit far below and left of the frontier's US-best (QA in gulf-asia:
    partner utility $2.05bn against $9.25bn), both right in their frames, which a new user
    read as the rounds being far off the frontier."""
    return (
        f"Two frames: this frontier is {FRAMES['deal']}; our offers are {OFFERS_FRAME}; "
        "so an offer can sit far left of the frontier's US-best, with less compute than the "
        "deal alone could take, and both are right, each in its frame (every figure is each "
        "side's utility of this deal alone)."
    )


#: The most decimals of its unit a frontier figure gets to be told apart from its neighbour
#: (USD 100k in bn), and the least difference that asks for them (a ten-thousandth).
MAX_PLACES = 4


def money_unit(f: Frontier) -> tuple[float, str, int]:
    """(scale, suffix, decimals) for every money figure of `f`'s table and lines."""
    marked = [f.no_deal, f.us_best, f.partner_best, f.nash, f.kalai, *f.points]
    figures = [abs(a) for p in marked if p is not None for a in (p.us_utility, p.partner_utility)]
    top = max(figures, default=0.0)
    scale, suffix = next(((s, u) for s, u in MONEY_UNITS if top >= s), MONEY_UNITS[-1])
    return scale, suffix, _places(f, scale) if suffix else 0


def _places(f: Frontier, scale: float) -> int:
    """Two decimals, or as many more (up to MAX_PLACES) as tell apart each two neighbouring
    rows of a column, and both ends of each straight piece, that differ by a ten-thousandth
    of the unit or more. A corridor's PH (deals of $100m-$300m in a portfolio of $1.2bn)
    read "V 1.04bn, U 0.10bn to V 1.04bn, U 0.10bn" for a piece from 1.0363bn, 0.1050bn
    to 1.0343bn, 0.1200bn, and rows of V 1.03 one under another."""
    pairs = [
        (getattr(a, side), getattr(b, side))
        for a, b in [*pairwise(f.points), *((q.start, q.end) for q in f.pieces)]
        for side in ("us_utility", "partner_utility")
    ]
    apart = [(a, b) for a, b in pairs if abs(a - b) >= scale / 10**MAX_PLACES]
    places = 2
    while places < MAX_PLACES and any(
        in_units(a, scale, places) == in_units(b, scale, places) for a, b in apart
    ):
        places += 1
    return places


def in_unit(amount: float, unit: tuple[float, str, int]) -> str:
    return in_units(amount, unit[0], unit[2])


def points_words(f: Frontier) -> str:
    """How many points the frontier shows, those asked for told from the bargaining points
    added among them: "2 points on the grid, plus the Nash and Kalai points" (`--points 2`
    said "4 points")."""
    found = len(f.points) - len(f.added)
    where = "of the exact frontier" if f.method == "exact" else "on the grid"
    said = plural(found, "point")
    if not f.added:
        return said
    added = " and ".join(f.added)
    return f"{said} {where}, plus the {added} point{'s' if len(f.added) > 1 else ''}"


def step_notes(f: Frontier) -> list[str]:
    """Which points are not in the declared step: their compute is in a finer one or not
    in whole H100e. Held, the points read off the partner's curves are never rounded (a
    solved US-best, Nash or Kalai point is), by either method: the note says "the
    partner's curves", not "the exact curves", which read as the method `exact`; jointly, each point is a solve whose rounding
    found no schedule in the declared step within one step's value."""
    declared = f.step_h100e
    if declared is None:
        return []
    finer: dict[float, list[str]] = {}
    for i, p in enumerate(f.points, 1):
        if p.step_h100e is not None and p.step_h100e < declared:
            finer.setdefault(p.step_h100e, []).append(str(i))
    lines = []
    for step, numbers in sorted(finer.items(), reverse=True):
        if len(numbers) == len(f.points) > 1:
            which = "Every point"
        elif len(numbers) == 1:
            which = f"Point {numbers[0]}"
        else:
            which = f"Points {', '.join(numbers)}"
        where = _in_steps(f, step)
        kept = "within the limits and V within one step's value"
        its = "its" if len(numbers) == 1 else "their"
        why = (
            f"no schedule in those steps was found that keeps {its} terms {kept}"
            if f.jointly
            else "the points read off the partner's curves are not rounded, and for a solved "
            f"point among them no schedule in those steps was found that keeps its terms {kept}"
        )
        steps = (
            f.granularity.describe()
            if f.granularity is not None
            else f"steps of {quantity(declared)} H100e"
        )
        lines.append(
            f"{which}: the portfolio's compute is {where}, not the declared {steps}: {why}."
        )
    return lines


def _in_steps(f: Frontier, step: float) -> str:
    """`in steps of 100 H100e`, `in steps of 25 B200 chips`, or `not in whole H100e` (or
    chips) for a step of 0: a step in the unit the portfolio declares its step in."""
    from dealbench.optimize.schedule.signable import finer

    grid = f.granularity
    unit = f"{grid.model} chips" if grid is not None and grid.model else "H100e"
    if step <= 0:
        return f"not in whole {unit}"
    if grid is None:
        return f"in steps of {quantity(step)} H100e"
    return f"in {finer(grid, step).describe()}"


def piece_lines(f: Frontier, unit: tuple[float, str, int]) -> list[str]:
    """Where the exact frontier runs straight above the step between two points."""
    lines = []
    for piece in f.pieces:
        a, b = piece.start, piece.end
        after = max(
            (i for i, p in enumerate(f.points, 1) if p.partner_utility <= a.partner_utility + 1e3),
            default=0,
        )
        x0 = 0.0 if a.package is None else sum(a.package.compute.values())
        x1 = 0.0 if b.package is None else sum(b.package.compute.values())
        lines.append(
            f"After point {after} the frontier runs straight from V {in_unit(a.us_utility, unit)}"
            f"{unit[1]}, U {in_unit(a.partner_utility, unit)}{unit[1]} to V "
            f"{in_unit(b.us_utility, unit)}{unit[1]}, U {in_unit(b.partner_utility, unit)}{unit[1]}: "
            f"the same terms, compute from {quantity(x0)} to "
            f"{quantity(x1)} H100e (above the step to the next point)."
        )
    return lines


def where(point: FrontierPoint | None, unit: tuple[float, str, int]) -> str:
    if point is None:
        return "none (no package gives both sides a gain)"
    v, u = in_unit(point.us_utility, unit), in_unit(point.partner_utility, unit)
    text = f"V {v}{unit[1]}, U {u}{unit[1]}" if unit[1] else f"V USD {v}, U USD {u}"
    if point.package is not None:
        text += f", {point.package.security}, {quantity(sum(point.package.compute.values()))} H100e"
    return text


def held_said(r: FrontierRounds) -> str:
    """What a frontier re-planned from the rounds holds, in a clause: "the concluded deals
    held at their agreed terms: SA (round 4); walked away, no deal: BH" (the chart's
    subtitle, the table's line)."""
    parts = []
    if r.concluded:
        deals = ", ".join(f"{c} (round {n})" for c, n in r.concluded.items())
        parts.append(f"the concluded deals held at their agreed terms: {deals}")
    if r.walked_away:
        parts.append(f"walked away, no deal: {', '.join(r.walked_away)}")
    return "; ".join(parts) if parts else "no deal concluded, no partner walked away"


def rounds_line(f: Frontier) -> str | None:
    """The line under a frontier re-planned from the rounds (None: the plain portfolio's):
    what is held, and that every V is the whole portfolio's, as the room's V."""
    r = f.rounds
    if r is None:
        return None
    others = "re-optimized at each point" if f.jointly else "held at the re-plan"
    parts = []
    if r.concluded:
        parts.append("the concluded deals' US value")
    if r.walked_away:
        parts.append("the walked-away partners' US walk-away values")
    theirs = f": {usd(r.us_utility)} of it is {' and '.join(parts)}" if parts else ""
    return (
        f"Re-planned from the rounds, as `room` and `solve --rounds` plan the portfolio: "
        f"{held_said(r)}; the other open negotiations {others}. Every V is the whole "
        f"portfolio's, as the room's V is{theirs}."
    )


@dataclass(frozen=True)
class FrontierWords:
    """What `dealbench frontier` prints of a frontier, line by line."""

    title: str
    heads: list[str]
    rows: list[list[str]]
    #: The points off the declared step and the straight runs (wrapped as prose).
    step_lines: list[str]
    method: str
    #: What a frontier re-planned from the rounds holds (`rounds_line`); None: the plain one.
    held: str | None
    #: (label, where) of no deal, both ends, Nash and Kalai-Smorodinsky.
    marked: list[tuple[str, str]]
    #: The Nash bound (or how the Nash point was found), the zone of agreement.
    summary: list[str]
    notes: list[str]


def frontier_words(f: Frontier) -> FrontierWords:
    """`f` in `dealbench frontier`'s words."""
    held = "others re-optimized" if f.jointly else "others held"
    if f.rounds is not None:
        held = f"re-plan from the rounds, {held}"
    axis = "U" if f.axis == "partner" else "risk"
    unit = money_unit(f)
    v_head, u_head = (
        (f"V (USD {unit[1]})", f"{f.partner} U ({unit[1]})")
        if unit[1]
        else ("V (USD)", f"{f.partner} U (USD)")
    )
    rows = []
    for i, p in enumerate(f.points, 1):
        pkg = p.package
        rows.append(
            [
                str(i),
                in_unit(p.us_utility, unit),
                in_unit(p.partner_utility, unit),
                f"{quantity(p.portfolio_risk if f.jointly and f.axis == 'risk' else p.risk)}",
                "no deal" if pkg is None else pkg.security,
                "-" if pkg is None else f"{quantity(sum(pkg.compute.values()))}",
                "-" if pkg is None else str(len(pkg.granted())),
            ]
        )
    points = points_words(f)
    marked = []
    for label, point, key in (
        ("No deal", f.no_deal, ""),
        ("US-best", f.us_best, ""),
        ("Partner-best", f.partner_best, ""),
        ("Nash", f.nash, "nash"),
        ("Kalai-Smorodinsky", f.kalai, "kalai"),
    ):
        method = f.bargaining.get(key, {}).get("method", "") if key else ""
        said = method if point is None and method.startswith("not ") else where(point, unit)
        marked.append((label, said))
    summary = []
    nash = f.bargaining.get("nash", {})
    if nash.get("error_bound") is not None:
        summary.append(
            f"Nash bound: product of gains >= {1 - nash['error_bound']:.6f} x the best "
            f"({_nash_bound_parts(nash)})."
        )
    elif f.nash is not None:
        summary.append(f"Nash: {nash.get('method', '')}.")
    kalai = f.bargaining.get("kalai", {})
    if f.kalai is not None and kalai.get("tau") is not None:
        # The JSON alone had it (qa46-bargain's Left): the share the point gives each side.
        summary.append(
            f"Kalai-Smorodinsky tau: {kalai['tau']:.4f}, each side's gain at least that share "
            f"of its gain at its own best end ({kalai.get('method', '')})."
        )
    summary.append(zopa_line(f.zopa))
    return FrontierWords(
        title=f"{f.portfolio}: {f.partner} frontier, V against {axis} ({held})",
        heads=["#", v_head, u_head, "Risk", "Security", h100e_total_head(f.periods), "Conc."],
        rows=rows,
        step_lines=[*step_notes(f), *piece_lines(f, unit)],
        method=f"Method: {f.method}, {points}, {f.seconds:.2f} s (gap {f.gap:g})",
        held=rounds_line(f),
        marked=marked,
        summary=summary,
        notes=[f"Note: {note}" for note in f.notes],
    )


def _nash_bound_parts(nash: dict[str, Any]) -> str:
    """What the Nash bound is made of, as `solve --mode nash` says it: the tangent cuts on
    log alone, or their part and whole steps' (the frontier's line said "tangent cuts on
    log" of a bound mostly whole steps' loss; bargain-steps)."""
    cuts, steps = nash.get("log_error_cuts"), nash.get("log_error_steps") or 0.0
    if str(nash.get("method", "")).startswith("exact"):  # held: no cuts, no steps
        return str(nash["method"])
    if cuts is None or steps <= STEPS_SAID:
        return "tangent cuts on log"
    return f"log {cuts:.2e} from the tangent cuts, {whole_steps_words(steps)}"


def zopa_line(z: dict[str, Any]) -> str:
    """The zone of agreement in a line. Exact (the others held), it speaks of every
    package; jointly (`bargaining.zopa_of`'s "best of the frontier's points") only of the
    points solved: a package between two of them may gain both sides more, or be the only
    one that gains both (qa36-reference: 5-6% more joint gain than the points' best, in 2
    of 30 drawn portfolios), and "no package beats both" was said of packages never
    searched."""
    exact = not str(z.get("method", "")).startswith("best of")
    if z.get("exists"):
        gain = usd(z["largest_joint_gain"])
        if exact:
            return f"ZOPA: yes, largest joint gain {gain} over both walk-away values."
        return (
            f"ZOPA: yes, largest joint gain among the frontier's points {gain} over both "
            "walk-away values (a package between two points may gain more)."
        )
    if exact:
        return "ZOPA: none: no package beats both walk-away values."
    return (
        "ZOPA: none among the frontier's points: no point beats both walk-away values (the "
        "packages between them are not searched)."
    )
