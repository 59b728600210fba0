"""Sweeps: named scenarios side by side, or one parameter from A to B.

`sweep_scenarios` solves the base portfolio and each scenario of a scenarios
file into one table. `sweep_param` solves N values of one `--set` path and
reports where the optimal package changes (a partner gains or loses a deal,
changes security level, grants or drops a concession), each change point
narrowed by bisection between the two grid values around it. Every figure is
`check`'s.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dealbench.analyze.packages import describe_changes, signature
from dealbench.analyze.parallel import Executor, an_executor
from dealbench.analyze.scenarios import Scenario, apply_overrides, read_value
from dealbench.analyze.solves import (
    Chain,
    SolveOptions,
    chains,
    found_deals,
    run_chain,
    solve_all,
    solve_options,
)
from dealbench.arguments import given_briefly
from dealbench.errors import ArgumentError, InputError
from dealbench.figures import quantity
from dealbench.jsontext import to_json
from dealbench.model.arguments import a_portfolio
from dealbench.model.granularity import Granularity
from dealbench.model.overrides import override_sets, path_error
from dealbench.model.portfolio import BASE_SCENARIO, Portfolio
from dealbench.model.regimes import caps_notes
from dealbench.model.rules import base_sets_words
from dealbench.optimize import SolveResult

__all__ = ["ChangePoint", "SweepResult", "SweepRow", "grid", "sweep_param", "sweep_scenarios"]

#: Bisection steps per change point: the interval shrinks 2^REFINE times.
REFINE = 6
#: At most this many changes are looked for between two neighbouring grid values.
MAX_CHANGES = 4
#: The most values one sweep solves: each is a full solve (0.1-1 s on the shipped
#: portfolios), so 1,000 take minutes; 100,000 would take hours. A change between two values
#: is narrowed by bisection anyway, so a finer grid is seldom what is needed.
MAX_STEPS = 1_000
#: The most bisections per change point: 30 narrow an interval a billion times, past
#: what a figure in a data file says.
MAX_REFINE = 30


class SweepRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str = ""
    value: float | None = Field(default=None, description="The parameter's value (--param)")
    status: str
    us_value: float | None = None
    partner_total: float | None = None
    deals: list[str] = Field(default_factory=list)
    compute_total: float = 0.0
    risk_total: float = 0.0
    packages: dict[str, str] = Field(default_factory=dict, description="partner -> terms")
    changes: list[str] = Field(default_factory=list, description="Against the row before")


class ChangePoint(BaseModel):
    """The optimal package changes between `low` and `high` (narrowed by bisection)."""

    model_config = ConfigDict(frozen=True)

    low: float
    high: float
    changes: list[str]
    us_value_low: float | None
    us_value_high: float | None
    #: Set when the package changes again (not narrowed) before this value, the next
    #: value of the grid.
    again_before: float | None = None
    #: Set when the package has already changed (not narrowed) since this value, the
    #: grid's value before or the high end of the change narrowed before, where the
    #: change narrowed is of who deals and at which level.
    changed_since: float | None = None


class SweepResult(BaseModel):
    """What `sweep_param` and `sweep_scenarios` return first (`dealbench sweep --json`): a
    row per value or scenario solved, and the change points where the package changes."""

    model_config = ConfigDict(frozen=True)

    portfolio: str
    title: str
    #: The regime every row was solved under (the portfolio's own, or `--policy`'s).
    policy: str = ""
    param: str | None = None
    #: "USD" when the swept figure is an amount of money (written `3bn`, `75k`), else None.
    unit: str | None = None
    rows: list[SweepRow]
    change_points: list[ChangePoint] = Field(default_factory=list)
    executor: str = "serial"
    #: The portfolio's periods, first to last: a row's compute is their total
    #: (`figures.h100e_total_head`).
    periods: list[str] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list,
        description="What reading the sweep needs: the portfolio's own caps the regime it "
        "was solved under (`--policy`) replaced (`regimes.caps_notes`)",
    )

    def file_bytes(self) -> bytes:
        """sweep.json as `sweep --out` writes it and the sweep's web page downloads it."""
        return (to_json(self.model_dump(mode="json")) + "\n").encode()


def row_of(
    id: str, result: SolveResult, *, title: str = "", value: float | None = None
) -> SweepRow:
    ok = found_deals(result)  # a stop before any deal has no figures (`solves.NONE_FOUND`)
    return SweepRow(
        id=id,
        title=title,
        value=value,
        status=result.status.value,
        us_value=result.us_value if ok else None,
        partner_total=result.partner_total if ok else None,
        deals=[d.partner for d in result.deals],
        compute_total=sum(d.total_compute for d in result.deals),
        risk_total=result.risk_total,
        packages={code: ", ".join([s, *c]) for code, (s, c) in signature(result).items()},
    )


def scenario_pairs(value: object, name: str = "scenarios") -> list[tuple[Scenario, Portfolio]]:
    """`value` as a list of (Scenario, Portfolio) pairs; else an ArgumentError saying how to
    read them (a scenarios file's path was a ValueError, "not enough values to unpack")."""
    how = "load_scenarios(path, portfolio) reads a scenarios file into them"
    if isinstance(value, str | bytes | os.PathLike | Mapping) or not isinstance(value, Iterable):
        raise ArgumentError(
            name, f"expected (Scenario, Portfolio) pairs ({how}), got {given_briefly(value)}"
        )
    pairs = list(value)
    for i, pair in enumerate(pairs):
        ok = isinstance(pair, tuple) and len(pair) == 2
        if not (ok and isinstance(pair[0], Scenario) and isinstance(pair[1], Portfolio)):
            raise ArgumentError(
                name,
                f"expected (Scenario, Portfolio) pairs ({how}), got {given_briefly(pair)}",
                f"[{i}]",
            )
    return pairs


def sweep_scenarios(
    portfolio: Portfolio,
    scenarios: Sequence[tuple[Scenario, Portfolio]],
    *,
    options: SolveOptions | None = None,
    executor: Executor | None = None,
    progress: Any = None,
) -> tuple[SweepResult, list[SolveResult]]:
    """The base portfolio and each scenario, solved; changes are against the base.

    The base is the portfolio as loaded, row `base`; a scenario of that id (any letter
    case) that sets nothing gives the row its id and title (DESIGN.md lets a scenario take
    any id). One that sets something is refused (`rules.scenario_problems`, which a
    scenarios file meets when loaded): every scenario's values apply to the portfolio as
    loaded, so it would be a base none of the others has; it replaced the as-loaded row
    until session 42, and the others' changes were said against values they lacked.

    `scenarios` are what `load_scenarios(path, portfolio)` reads from a scenarios file;
    the file's path itself (what `dealbench sweep` takes) is an ArgumentError saying so."""
    portfolio = a_portfolio(portfolio)
    scenarios = scenario_pairs(scenarios)
    options = solve_options(options)
    ex = an_executor(executor)
    own = [i for i, (s, _pf) in enumerate(scenarios) if s.id.lower() == BASE_SCENARIO]
    base_id, base_title = BASE_SCENARIO, "As loaded"
    if own:
        first, _pf = scenarios[own[0]]
        if first.set:
            raise ArgumentError("scenarios", base_sets_words(first.id), f"[{own[0]}].id")
        base_id, base_title = first.id, first.title or "As loaded"
        scenarios = [pair for i, pair in enumerate(scenarios) if i != own[0]]
    portfolios = [portfolio, *(pf for _s, pf in scenarios)]
    results = solve_all(portfolios, options, ex, chain=1, progress=progress)
    codes = [p.code for p in portfolio.partners]
    base = signature(results[0])
    rows = [row_of(base_id, results[0], title=base_title)]
    for (scenario, pf), result in zip(scenarios, results[1:], strict=True):
        row = row_of(scenario.id, result, title=scenario.title)
        moves = _compute_moves((portfolio, results[0]), (pf, result), codes)
        changes = describe_changes(base, signature(result), codes, moves)
        rows.append(row.model_copy(update={"changes": changes}))
    return SweepResult(
        portfolio=portfolio.id,
        title=portfolio.title,
        policy=portfolio.policy.id,
        periods=list(portfolio.periods),
        rows=rows,
        executor=ex.describe(),
        notes=caps_notes(portfolio),
    ), results


def _compute_moves(
    before: tuple[Portfolio, SolveResult], after: tuple[Portfolio, SolveResult], codes: list[str]
) -> dict[str, str]:
    """Deals in both solves whose compute moved, in words by partner: on the same terms (a
    scenario's only change, often) or on changed ones (KB from veu to kyc without a risk
    budget took 62,800 H100e less, which "security veu -> kyc" alone did not say).

    A move that is the solves' tolerance or rounding is no change: each solve returns a
    schedule within its gap of the best one on its terms (the schedule's shape may give up
    part of it, `optimize.schedule.smooth`; rounding to steps one step's value), so a move counts
    where the exact best amounts of the deal on those terms differ, not where only the
    returned ones do (cove's base gave AA 200,499 and BB 77,501 where the exact vertex has
    200,500 and 77,500, $472 of $9.42bn below it; a scenario's exact 200,500 was listed as
    a move)."""
    out = {}
    for code in codes:
        a, b = before[1].deal(code), after[1].deal(code)
        if a is None or b is None or abs(a.total_compute - b.total_compute) < 0.5:
            continue
        if _same_best(before, after, code):
            continue
        out[code] = f"compute {quantity(a.total_compute)} -> {quantity(b.total_compute)} H100e"
    return out


def _same_best(
    before: tuple[Portfolio, SolveResult], after: tuple[Portfolio, SolveResult], code: str
) -> bool:
    """Whether some amount of `code`'s compute is best for the US in both solves, on the
    terms each chose: the spans of its total over their exact optima (more than one where
    others' compute ties) meet. Only V is the measure (us-best): in other modes any move of
    0.5 H100e or more counts."""
    from dealbench.analyze.fixed_lp import build_fixed_lp

    spans = []
    for pf, result in (before, after):
        if result.mode != "us-best" or result.us_value is None:
            return False
        # The best V to the LP's own accuracy (`fixed_lp._agree`).
        within = max(1e-9 * abs(result.us_value), 1.0)
        span = build_fixed_lp(pf, result.deals).compute_span(code, within)
        if span is None:
            return False
        spans.append(span)
    (low_a, high_a), (low_b, high_b) = spans
    return max(low_a, low_b) <= min(high_a, high_b) + 0.5


def grid(start: float, stop: float, steps: int) -> list[float]:
    """`steps` values from `start` to `stop`, both ends included."""
    if steps < 1:
        raise ArgumentError("steps", f"expected at least 1 value, got {steps}")
    if steps == 1:
        return [start]
    return [start + (stop - start) * i / (steps - 1) for i in range(steps)]


def parse_bound(portfolio: Portfolio, path: str, text: Any, argument: str) -> float:
    """`start`/`stop` (`--from`/`--to`) in the path's own unit (`3bn`, `900_000`), as a number."""
    try:
        value = read_value(apply_overrides(portfolio, {path: text}), path)
    except InputError as exc:
        # A path that names nothing is the path's fault, whatever the value; one that
        # names a field not set here (the portfolio's own risk budget, a partner's own
        # cap) is fine, and the value at fault.
        where = "path" if path_error(portfolio, path) is not None else argument
        first, *rest = exc.issues
        raise ArgumentError(
            where, first.message, path, more=[(path, i.message) for i in rest]
        ) from None
    if isinstance(value, Granularity) and value.model is None:
        value = value.h100e  # `granularity: 1_000`, a number as `--set` writes it
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentError(argument, "a sweep needs a number at this path", path)
    return float(value)


def is_money(portfolio: Portfolio, path: str) -> bool:
    """Whether the figure at `path` is an amount of USD: it takes its own value back
    written with a suffix (`75k`), which counts of H100e, shares and ids refuse."""
    value = read_value(portfolio, path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        moved = read_value(apply_overrides(portfolio, {path: f"{float(value) / 1e3!r}k"}), path)
    except InputError:
        return False
    return isinstance(moved, int | float) and abs(float(moved) - float(value)) <= 1e-6 * max(
        1.0, abs(float(value))
    )


def check_steps(steps: int, refine: int = REFINE) -> None:
    """The grid's values (1 to MAX_STEPS) and the bisections per change (0 to MAX_REFINE)."""
    if steps < 1:
        raise ArgumentError("steps", f"expected at least 1 value, got {steps}")
    if steps > MAX_STEPS:
        raise ArgumentError(
            "steps",
            f"expected at most {MAX_STEPS:,} values (each is a full solve), got {steps:,}; "
            "each change of package is narrowed by bisection between two values anyway",
        )
    if refine < 0:
        raise ArgumentError("refine", f"expected 0 or more bisections, got {refine}")
    if refine > MAX_REFINE:
        raise ArgumentError(
            "refine",
            f"expected at most {MAX_REFINE} bisections (each halves the interval; "
            f"{MAX_REFINE} narrow it a billion times), got {refine:,}",
        )


def sweep_values(base: Portfolio, path: str, start: Any, stop: Any, steps: int) -> list[float]:
    """The values a sweep of `path` solves, from `start` to `stop` in the path's unit
    (refused in words before any solve: a path that names nothing, a bound it does not
    take, one step for two ends, several for one value)."""
    low, high = parse_bound(base, path, start, "start"), parse_bound(base, path, stop, "stop")
    if steps == 1 and low != high:
        raise ArgumentError(
            "steps",
            "one value cannot include both ends of the range; give 2 steps or more "
            "(or the same value at both ends)",
        )
    if steps > 1 and low == high:  # the same solve, `steps` times over
        raise ArgumentError(
            "steps",
            f"both ends of the range are the same value, so {steps} steps would solve it "
            f"{steps} times over; give 1 step, or two different ends",
        )
    return grid(low, high, steps)


def check_swept(path: str, overrides: Mapping[str, Any]) -> None:
    """Refuse an override of the swept path, or of a path within it or around it: the
    sweep sets the path at each value, so the override's value was dropped without a word
    (`sweep --param partners.AE.batna --set partners.AE.batna=5bn` swept 1bn to 2bn and
    said nothing of the 5bn)."""

    def within(inner: str, outer: str) -> bool:
        return inner == outer or inner.startswith((outer + ".", outer + "["))

    for given in overrides:
        if within(given, path) or within(path, given):
            other = "" if within(given, path) else " (set its other parts by their own paths)"
            raise ArgumentError(
                "overrides",
                f"the sweep varies {path} itself, so the value given for it here would be "
                f"dropped; leave it out{other}",
                given,
            )


def sweep_param(
    portfolio: Portfolio,
    path: str,
    start: Any,
    stop: Any,
    steps: int,
    *,
    overrides: Mapping[str, Any] | Iterable[str] | str | None = None,
    options: SolveOptions | None = None,
    executor: Executor | None = None,
    refine: int = REFINE,
    progress: Any = None,
) -> tuple[SweepResult, list[SolveResult]]:
    """Solve `steps` values of `path` from `start` to `stop`; find where the package changes.

    `path` is an override's (`partners.AE.batna`); `start` and `stop` are values as a file
    writes them (`"2bn"`, `900_000`) or numbers in the file's units (USD, H100e).
    `overrides`, `options` and `executor` are as `compare` takes them; `refine`: how many
    bisections narrow each interval where the package changes (0: none).

    Returns the sweep (`SweepResult`: its rows and `change_points`, what `dealbench sweep
    --param` prints) and each grid value's `SolveResult`, in order. Raises ArgumentError
    naming the argument at fault before any solve."""
    portfolio = a_portfolio(portfolio)
    check_steps(steps, refine)
    opts = solve_options(options)
    executor = an_executor(executor)
    overrides = override_sets(overrides, "overrides")
    check_swept(path, overrides)
    base = apply_overrides(portfolio, overrides)
    values = sweep_values(base, path, start, stop, steps)
    portfolios = [apply_overrides(base, {path: v}, name="steps") for v in values]
    # The progress counts the grid's solves, then each interval narrowed by bisection
    # (most of a sweep's time where the package changes often); until the grid is
    # solved, every interval is counted as one that may need narrowing.
    solves = len(chains(portfolios, opts))
    may_narrow = len(values) - 1 if refine > 0 else 0
    results = solve_all(portfolios, opts, executor, progress=_part(progress, 0, may_narrow))
    codes = [p.code for p in portfolio.partners]
    rows: list[SweepRow] = []
    for i, (value, result) in enumerate(zip(values, results, strict=True)):
        row = row_of(f"{i + 1}", result, value=value)
        if i:
            changes = describe_changes(signature(results[i - 1]), signature(result), codes)
            row = row.model_copy(update={"changes": changes})
        rows.append(row)
    jumps = [i for i in range(1, len(rows)) if rows[i].changes]
    tasks = [
        _Bisect(base, path, values[i - 1], values[i], results[i - 1], results[i], opts, refine)
        for i in jumps
    ]
    if progress is not None:  # the grid done: the bar moves on before the first interval
        progress(solves, solves + (len(tasks) if refine > 0 else 0))
    if refine > 0:
        found = executor.map(_bisect, tasks, _part(progress, solves, 0))
        points = [p for each in found for p in each]
    else:
        points = [_point(t.low, t.high, t.at_low, t.at_high, codes) for t in tasks]
    return SweepResult(
        portfolio=portfolio.id,
        title=portfolio.title,
        policy=portfolio.policy.id,
        periods=list(portfolio.periods),
        param=path,
        # Read where the sweep set a number: the file may give a list there (a piecewise
        # `value_per_h100e`), which a flat amount of USD replaces.
        unit="USD" if is_money(portfolios[0], path) else None,
        rows=rows,
        change_points=points,
        executor=executor.describe(),
        notes=caps_notes(base),
    ), results


def _part(progress: Any, done: int, more: int) -> Callable[[int, int], None] | None:
    """`progress(done, total)` of one part of a sweep's work: `done` counted before it,
    `more` still to come after it."""
    if progress is None:
        return None
    return lambda d, total: progress(done + d, done + total + more)


@dataclass(frozen=True)
class _Bisect:
    portfolio: Portfolio
    path: str
    low: float
    high: float
    at_low: SolveResult
    at_high: SolveResult
    options: SolveOptions
    steps: int


def _bisect(task: _Bisect) -> list[ChangePoint]:
    """The changes of package between the task's two values (up to MAX_CHANGES), each
    narrowed to an interval 2^steps times smaller than the grid's.

    When the deals themselves change between the ends (a partner gains or loses one, or
    changes security level), the bisection follows those: near-equivalent concession
    sets can trade places many times over a small interval, and which partners deal is
    what a reader asks of a sweep. Otherwise it follows the concessions.
    """
    codes = [p.code for p in task.portfolio.partners]
    options = SolveOptions(**{**task.options.__dict__, "warm": False})
    key = _structure if _structure(task.at_low) != _structure(task.at_high) else signature
    out: list[ChangePoint] = []
    lo, at_lo = task.low, task.at_low
    end = key(task.at_high)
    # Concession-only changes: the first is narrowed; the rest show in the grid's rows.
    most = MAX_CHANGES if key is _structure else 1
    while key(at_lo) != end and len(out) < most:
        start, hi, at_hi = key(at_lo), task.high, task.at_high
        since, at_since = lo, at_lo  # the grid's value, or the last change's high end
        for _ in range(task.steps):
            mid = (lo + hi) / 2
            try:
                between = apply_overrides(task.portfolio, {task.path: mid})
            except InputError:  # the path takes no value between (a tier: 2 and 3, not 2.5)
                break
            (result,) = run_chain(Chain([between], options))
            if key(result) == start:
                lo, at_lo = mid, result
            else:
                hi, at_hi = mid, result
        point = _point(lo, hi, at_lo, at_hi, codes)
        # Changes not narrowed (of concessions) since the grid's value or the last change
        # narrowed: say so (ridge's budget: LB granted its investment between LB's deal
        # near 8,300 and LA's near 13,950, and nothing said it).
        if signature(at_lo) != signature(at_since):
            point = point.model_copy(update={"changed_since": since})
        out.append(point)
        lo, at_lo = hi, at_hi
    # More changes before the grid's next value (of concessions, after the deals' last
    # change too): say so.
    if out and signature(at_lo) != signature(task.at_high):
        out[-1] = out[-1].model_copy(update={"again_before": task.high})
    return out


def _structure(result: SolveResult) -> dict[str, str]:
    """Who deals, under which security level."""
    return {d.partner: d.security for d in result.deals}


def _point(lo: float, hi: float, a: SolveResult, b: SolveResult, codes: list[str]) -> ChangePoint:
    return ChangePoint(
        low=lo,
        high=hi,
        changes=describe_changes(signature(a), signature(b), codes),
        us_value_low=a.us_value,
        us_value_high=b.us_value,
    )
