"""Shadow prices in plain words: what one more unit of each binding limit is worth to the US.

`shadow_prices(portfolio, result)` fixes the optimum's discrete choices (who
gets a deal, under which security level, with which concessions), solves the
LP that is left (`fixed_lp`), and reads the dual of each period's supply, of
the risk budget and of each cap the deals sit on, with the range of the
limit over which that price holds (HiGHS's ranging of row bounds).

An LP price assumes the discrete choices stay put. To show where they would
not, each limit is also moved one step up and one step down (1% of it, at
least 1,000 H100e or 100 risk-weighted H100e) and the full model re-solved;
where the re-solve's US value per unit differs from the fixed LP's over the
same step, a warning reports both numbers and what changed. Past each end of a
price's range, one whole step on, the price's text says what comes next: the fixed
LP's next rate, or that today's choices no longer fit, with the full model re-solved
there where the step re-solves lie further out (`past_range`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dealbench.analyze.fixed_lp import FixedLP, Kind, LimitRow, RowPrice, build_fixed_lp
from dealbench.analyze.limits import limit_basis
from dealbench.analyze.past_range import (
    PastRange,
    Side,
    needs_resolve,
    past_point,
    past_range,
    resolved_past,
)
from dealbench.analyze.steps import (
    StepResolve,
    in_step_of,
    resolve_at,
    resolve_one_step,
    resolve_unmoved,
)
from dealbench.errors import ArgumentError
from dealbench.figures import quantity
from dealbench.list_words import unknown
from dealbench.model.granularity import Granularity
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.result import SolveResult, Status, result_fits, result_for

Progress = Callable[[int, int], None]

#: One step of a limit for the re-solve: this share of it, at least `MIN_STEP` units.
STEP_SHARE = 0.01
MIN_STEP = {"supply": 1_000.0, "cap": 1_000.0, "risk-budget": 100.0}
#: Per-unit values closer than this share of the larger (or than the solver's noise) agree.
AGREE_REL = 0.01


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class CapPrice(Frozen):
    """A binding cap's price, as the issue's `prices.caps` lists it."""

    partner: str
    period: str
    level: str
    usd_per_h100e: float


class LimitPrice(Frozen):
    """One limit: its price, where the price holds, and the full model one step away."""

    kind: Kind
    period: str | None = None
    partner: str | None = None
    level: str | None = None
    limit: float = Field(description="The limit now (H100e; risk-weighted H100e for the budget)")
    usd_per_unit: float = Field(description="LP price: US value of one more unit, USD")
    holds_from: float | None = Field(description="The limit's value down to which the price holds")
    holds_to: float | None = Field(description="... and up to which (None: without end)")
    step: float | None = Field(default=None, description="The step of the re-solves, in units")
    lp_up: float | None = Field(default=None, description="Fixed LP, one step up: USD per unit")
    mip_up: float | None = Field(default=None, description="Full model, one step up: USD per unit")
    lp_down: float | None = Field(default=None, description="Fixed LP, one step down")
    mip_down: float | None = Field(default=None, description="Full model, one step down")
    changes_up: list[str] = Field(default_factory=list, description="Choices the step up changes")
    changes_down: list[str] = Field(default_factory=list)
    warning: str | None = None
    #: The warning as a principal's memo says it: changes by title, not by id (not in JSON).
    warning_titled: str | None = Field(default=None, exclude=True)
    titled_up: list[str] = Field(default_factory=list, exclude=True)
    titled_down: list[str] = Field(default_factory=list, exclude=True)
    unused: float | None = Field(
        default=None,
        description="What the result's packages leave of the limit (None: not computed)",
    )
    past_from: PastRange | None = Field(
        default=None, description="One whole step below `holds_from`: what comes next"
    )
    past_to: PastRange | None = Field(
        default=None, description="One whole step above `holds_to`: what comes next"
    )
    text: str = Field(description="The price in plain words")

    @property
    def unit(self) -> str:
        return "risk-weighted H100e" if self.kind == "risk-budget" else "H100e"

    def past_words(self, *, titled: bool = False, cliffs: bool = False) -> str:
        """What lies one step past each end of the range, in words ("" where none);
        `cliffs`: only where today's choices no longer fit or the full model was re-solved
        there (what a principal's memo repeats beside the warnings)."""
        said = [
            past.words(self.unit, titled=titled)
            for past in (self.past_from, self.past_to)
            if past is not None and (not cliffs or not past.fits or past.us_change is not None)
        ]
        return " ".join(said)


class Prices(Frozen):
    """Shadow prices of a solved portfolio (us-best), in USD per unit of each limit."""

    supply: dict[str, float] = Field(description="Period -> USD per H100e of supply")
    risk_budget: float | None = Field(description="USD per risk-weighted H100e (None: no budget)")
    caps: list[CapPrice] = Field(description="Caps the deals sit on, with their prices")
    warnings: list[str] = Field(default_factory=list)
    limits: list[LimitPrice] = Field(default_factory=list, description="Every limit in detail")

    def to_json(self) -> dict[str, Any]:
        """The `prices` object of `solve --prices --json`."""
        return self.model_dump(mode="json")

    def lines(self) -> list[str]:
        """Each price in plain words, then the warnings."""
        return [lim.text for lim in self.limits] + [f"Warning: {w}" for w in self.warnings]


#: What `shadow_prices`' options may be: `solve`'s keywords but the mode (the re-solves are
#: us-best, as the result priced is; `solve` refuses a `v_floor` other than None in it).
RESOLVE_OPTIONS = (
    "solver",
    "time_limit",
    "gap",
    "v_floor",
    "threads",
    "method",
    "warm_start",
    "require",
)


def _resolve_options(options: dict[str, Any]) -> None:
    """Refuse an option the re-solves cannot take, by its name: `mode="nash"` re-solved in
    Nash's mode to price a us-best optimum, and a misspelt one was `solve()`'s TypeError
    after the fixed LP was built."""
    for name in options:
        if name not in RESOLVE_OPTIONS:
            raise ArgumentError(
                name, unknown("option of the re-solves", name, list(RESOLVE_OPTIONS))
            )


def shadow_prices(
    portfolio: Portfolio,
    result: SolveResult,
    *,
    compare: bool = True,
    progress: Progress | None = None,
    **options: Any,
) -> Prices:
    """The shadow prices of `result`'s optimum (see the module's docstring).

    `compare`: also re-solve the full model one step away from each limit
    (two solves per limit) and warn where the LP price misleads.
    `progress(done, total)` is called after each re-solve; `options` go to
    `dealbench.solve` for the re-solves (solver, time_limit, gap, ...).
    """
    result_for(portfolio, result)
    _resolve_options(options)
    if result.mode != "us-best":
        raise ArgumentError(
            "result",
            f"shadow prices are for a us-best solve (the US value), not a {result.mode} one",
        )
    if result.status not in (Status.OPTIMAL, Status.TIME_LIMIT):
        raise ArgumentError("result", f"there is no optimum to price (status: {result.status})")
    result_fits(portfolio, result)
    lp = build_fixed_lp(portfolio, result.deals)
    if lp.value() is None:
        raise RuntimeError("the optimum's own packages are infeasible in its fixed LP")
    # Caps count only where the optimum's deal sits on them.
    limits = [lim for lim in lp.limits if lim.kind != "cap" or _on_cap(result, lim)]
    grain = portfolio.granularity.h100e
    rows = [lp.price(lim) for lim in limits]
    pasts = [_pasts(lp, lim, row, grain) for lim, row in zip(limits, rows, strict=True)]
    # One step past a cliff, or an end nearer than the step re-solves: the full model too,
    # solved as the result was; a step re-solve is that already where the result is in the
    # portfolio's own step and lies there (`_at_step`).
    declared = in_step_of(portfolio, result) is portfolio
    near = sum(
        needs_resolve(lim, past, step_of(lim, grain))
        and not (declared and _at_step(lim.value, past, step_of(lim, grain)))
        for lim, pair in zip(limits, pasts, strict=True)
        for past in pair
    )
    total = 2 * len(limits) + 1 + near if compare and limits else 0
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    # The step re-solves' rates are measured from the portfolio re-solved their way with
    # no limit moved, not from the result: that re-solve may land elsewhere (a finer step).
    unmoved = None
    if compare and limits:
        unmoved = resolve_unmoved(portfolio, result, **options)
        tick()
    base = None if unmoved is None else unmoved.us_value
    now = result.us_value
    # The re-solves decide compute in the step the result's amounts are in (`in_step_of`),
    # which may be finer than the declared one: each warning says which (session 42).
    solved = in_step_of(portfolio, result).granularity
    re_solved = _ReSolved(
        solved.describe(),
        None if solved == portfolio.granularity else portfolio.granularity.describe(),
        _measured_from(portfolio, solved, unmoved, result.us_value),
    )
    priced: list[LimitPrice] = []
    for lim, row, pair in zip(limits, rows, pasts, strict=True):
        steps: tuple[StepResolve | None, StepResolve | None] = (None, None)
        if compare:
            steps = resolve_one_step(
                portfolio, result, lim, step_of(lim, grain), tick, base=base, **options
            )
        past: dict[str, PastRange] = {}
        step = step_of(lim, grain)
        for end in pair:
            if compare and now is not None and needs_resolve(lim, end, step):
                # Said as "so much more (less) than now": solved as the result was (as
                # `solve --set` solves it), measured from its US value. A step re-solve,
                # in the result's step and measured from the unmoved re-solve, is a rate;
                # global's unmoved re-solve is $5.1m above this solve (qa48-docs).
                if declared and _at_step(lim.value, end, step):  # that re-solve, said once
                    again = steps[1] if end.side == "below" else steps[0]
                else:
                    again = resolve_at(
                        portfolio, result, lim, end.at, now, in_step=False, **options
                    )
                    tick()
                end = resolved_past(end, again, now)
            past["past_from" if end.side == "below" else "past_to"] = end
        priced.append(_limit_price(lp, lim, row, result, steps, portfolio, re_solved, past))
    return Prices(
        supply={lim.period or "": lim.usd_per_unit for lim in priced if lim.kind == "supply"},
        risk_budget=next((lim.usd_per_unit for lim in priced if lim.kind == "risk-budget"), None),
        caps=[
            CapPrice(
                partner=lim.partner or "",
                period=lim.period or "",
                level=lim.level or "",
                usd_per_h100e=lim.usd_per_unit,
            )
            for lim in priced
            if lim.kind == "cap"
        ],
        warnings=[lim.warning for lim in priced if lim.warning],
        limits=priced,
    )


def step_of(limit: LimitRow, grain: float = 0.0) -> float:
    """One step of a limit for the re-solves: for supply and caps, a whole number of
    `grain` (the portfolio's step of compute, H100e; 0: continuous), since a step the
    packages cannot follow in whole steps would show a rounding loss as a price."""
    step = max(STEP_SHARE * abs(limit.value), MIN_STEP[limit.kind])
    if grain > 0 and limit.kind != "risk-budget":
        step = math.ceil(step / grain - 1e-9) * grain
    return step


def _pasts(lp: FixedLP, lim: LimitRow, row: RowPrice, grain: float) -> list[PastRange]:
    """What the fixed LP says one whole step past each finite end of `row`'s range
    (`past_point`: a step of the portfolio's compute; of `MIN_STEP` for the risk budget,
    or where compute is continuous)."""
    grid = grain if grain > 0 and lim.kind != "risk-budget" else MIN_STEP[lim.kind]
    sides: tuple[tuple[Side, float | None], ...] = (
        ("below", row.holds_from),
        ("above", row.holds_to),
    )
    out = []
    for side, end in sides:
        at = None if end is None else past_point(lim, end, side, grid)
        if end is not None and at is not None:
            out.append(past_range(lp, lim, end, side, at, row.usd_per_unit))
    return out


def _at_step(limit: float, past: PastRange, step: float) -> bool:
    """Whether one whole step past the range's end is where a step re-solve already lies
    (the limit one `step` down or up): the full model there is said once, past the range,
    and the warning leaves that side out (gulf-asia under tiered: AE's cap of 160,000 held
    a price of $0 down to 158,889, and the memo said the re-solve at 158,000 twice, once as
    "2,000 H100e less loses $489,880 per H100e" and once as "$979.8m less")."""
    sign = -1.0 if past.side == "below" else 1.0
    moved = limit + sign * step
    return moved >= 0 and abs(past.at - moved) < 1e-6


def _covered(lim: LimitPrice) -> set[Side]:
    """The sides whose step re-solve the words past the range say (`_at_step`)."""
    if lim.step is None:
        return set()
    pasts = (lim.past_from, lim.past_to)
    return {
        p.side
        for p in pasts
        if p is not None and p.us_change is not None and _at_step(lim.limit, p, lim.step)
    }


def _on_cap(result: SolveResult, lim: LimitRow) -> bool:
    deal = result.deal(lim.partner or "")
    return deal is not None and deal.compute.get(lim.period or "", 0.0) >= lim.value - 0.5


def _limit_price(
    lp: FixedLP,
    lim: LimitRow,
    price: RowPrice,
    result: SolveResult,
    steps: tuple[StepResolve | None, StepResolve | None],
    portfolio: Portfolio,
    re_solved: _ReSolved,
    past: dict[str, PastRange],
) -> LimitPrice:
    base = lp.value()
    assert base is not None
    fields: dict[str, Any] = {}
    up, down = steps
    if up is not None or down is not None:
        step = step_of(lim, portfolio.granularity.h100e)
        lp_up = _rate(base, lp.value_at(lim, lim.value + step), step)
        lp_down = (
            _rate(lp.value_at(lim, lim.value - step), base, step) if lim.value >= step else None
        )
        fields = {
            "step": step,
            "lp_up": lp_up,
            "lp_down": lp_down,
            "mip_up": up.rate if up else None,
            "mip_down": down.rate if down else None,
            "changes_up": up.changes if up else [],
            "changes_down": down.changes if down else [],
            "titled_up": up.titled if up else [],
            "titled_down": down.titled if down else [],
        }
    draft = LimitPrice(
        kind=lim.kind,
        period=lim.period,
        partner=lim.partner,
        level=lim.level,
        limit=lim.value,
        usd_per_unit=price.usd_per_unit,
        holds_from=price.holds_from,
        holds_to=price.holds_to,
        unused=_unused(result, lim),
        text="",
        **fields,
        **past,
    )
    noise = _noise(result, draft.step)
    basis = limit_basis(portfolio, draft)
    return draft.model_copy(
        update={
            "text": describe(draft, basis),
            "warning": _warning(draft, noise, re_solved, basis),
            "warning_titled": _warning(draft, noise, re_solved, basis, titled=True),
        }
    )


@dataclass(frozen=True)
class _ReSolved:
    """The step the re-solves decide compute in ("steps of 100 H100e", "continuous
    amounts"), and the declared one where that differs (the solve fell back to a finer
    step): a solve with the limit moved rounds to the declared step first, so the gain it
    shows may differ from the re-solve's by up to one step's value (gulf-asia: `--prices`
    said $49,989 per H100e for 12,000 more of 2027 supply, in steps of 100 H100e; `solve
    --set portfolio.supply.2027=1_212_000` gives $49,918, in steps of 1,000)."""

    solved: str
    declared: str | None = None
    #: What the re-solves' gains are measured from, where that is not this solve's US value
    #: (`_measured_from`); "" where it is.
    measured: str = ""

    @property
    def words(self) -> str:
        """How the re-solves are made, as a warning says it after "re-solving the full
        model"."""
        also = f"; {self.measured}" if self.measured else ""
        if self.solved == "continuous amounts":
            return f" (compute unrounded, as this solve's{also})"
        return f" (compute in {self.solved}, as this solve's{also})"

    @property
    def after(self) -> str:
        """What a solve with the limit moved may show instead, where the steps differ."""
        if self.declared is None:
            return ""
        return (
            f"; a solve with the limit moved puts compute in {self.declared} where it can, "
            "so the gain it shows may differ from these by up to one step's value"
        )


def _measured_from(
    portfolio: Portfolio, solved: Granularity, unmoved: SolveResult | None, value: float | None
) -> str:
    """Where the re-solve with no limit moved lands elsewhere than the result (US value
    `value`, compute in `solved`) or in a finer step still, that the gains are measured
    from it, and how far it is: "" otherwise."""
    if unmoved is None or unmoved.us_value is None or value is None:
        return ""
    drift = unmoved.us_value - value
    if abs(drift) < 0.5:
        return ""
    how = "more" if drift > 0 else "less"
    said = (
        f"gains measured from the same re-solve with no limit moved, which gives "
        f"{usd(abs(drift))} {how} than this solve"
    )
    own = in_step_of(portfolio, unmoved).granularity.describe()
    if own != solved.describe():
        said += f", its compute in {own}" if own != "continuous amounts" else ", unrounded"
    return said


def _unused(result: SolveResult, lim: LimitRow) -> float:
    """What the result's own packages leave of `lim`: the fixed LP may reach the same
    value with another schedule, whose slack is not what the packages shown leave."""
    if lim.kind == "supply":
        used = result.supply_used.get(lim.period or "", 0.0)
    elif lim.kind == "risk-budget":
        used = result.risk_total
    else:
        deal = result.deal(lim.partner or "")
        used = 0.0 if deal is None else deal.compute.get(lim.period or "", 0.0)
    return max(lim.value - used, 0.0)


def _rate(low: float | None, high: float | None, step: float) -> float | None:
    if low is None or high is None:
        return None
    return (high - low) / step


def _noise(result: SolveResult, step: float | None) -> float:
    """USD per unit within which two re-solves' rates cannot be told apart (their gaps)."""
    if not step:
        return 0.0
    gap = max(result.solver.gap or 0.0, 1e-6)
    return 4.0 * gap * max(abs(result.us_value or 0.0), 1e9) / step + 1e4 / step


def _differs(a: float | None, b: float | None, noise: float) -> bool:
    if a is None or b is None:
        return False
    return abs(a - b) > max(AGREE_REL * max(abs(a), abs(b)), noise)


def _warning(
    lim: LimitPrice,
    noise: float,
    steps: _ReSolved | None = None,
    basis: str | None = None,
    *,
    titled: bool = False,
) -> str | None:
    """A warning where the full model one step away does not follow the LP price.

    Where no deal, security level or concession changes, what the LP misses is that
    compute moves in whole steps (`steps.solved`, e.g. "steps of 1,000 H100e"), and the
    warning says that rather than blaming the discrete choices. A pro-rated cap is named
    with its `basis`, as its price is (`describe`). Every warning says the step of its
    re-solves, and where the solve's step is finer than the declared one, that a solve
    with the limit moved may differ by up to one step's value (`_ReSolved`).
    """
    if lim.step is None:
        return None
    changes_up = lim.titled_up if titled else lim.changes_up
    changes_down = lim.titled_down if titled else lim.changes_down
    parts = []
    changed = False
    amount = f"{quantity(lim.step)} {lim.unit}"
    covered = _covered(lim)
    up_lp = lim.lp_up if lim.lp_up is not None else lim.usd_per_unit
    if "above" not in covered and _differs(up_lp, lim.mip_up, noise):
        parts.append(
            f"{amount} more gains {usd(lim.mip_up)} per {lim.unit} "
            f"(with those held: {usd(up_lp)}){_because(changes_up)}"
        )
        changed = changed or bool(changes_up)
    down_lp = lim.lp_down if lim.lp_down is not None else lim.usd_per_unit
    if (
        "below" not in covered
        and lim.limit >= lim.step
        and (
            _differs(down_lp, lim.mip_down, noise)
            or (lim.lp_down is None and lim.mip_down is not None)
        )
    ):
        held = usd(down_lp) if lim.lp_down is not None else "impossible"
        fixed = f"with those held: {held}"
        parts.append(
            f"{amount} less loses {usd(lim.mip_down)} per {lim.unit} "
            f"({fixed}){_because(changes_down)}"
        )
        changed = changed or bool(changes_down) or lim.lp_down is None
    if not parts:
        return None
    # "shadow price", as the tables and memos call it: "LP price" was jargon to a principal
    price = f"{limit_name(lim, basis)}: the shadow price of {usd(lim.usd_per_unit)} per {lim.unit}"
    how = "" if steps is None else steps.words
    after = "" if steps is None else steps.after
    if not changed and steps is not None and steps.solved != "continuous amounts":
        measured = f" ({steps.measured})" if steps.measured else ""
        return (
            f"{price} treats compute as divisible, but it is decided in {steps.solved}; "
            f"with the same deals, security levels and concessions, re-solving the full model{measured}, "
            + "; ".join(parts)
            + after
            + "."
        )
    return (
        f"{price} holds only while today's deals, security levels and concessions stay; "
        f"re-solving the full model{how}, " + "; ".join(parts) + after + "."
    )


def _because(changes: list[str]) -> str:
    return f", as {', '.join(changes)}" if changes else ""


def limit_name(lim: LimitPrice, basis: str | None = None) -> str:
    """The limit in words; a pro-rated cap with its `basis` (`limit_basis`)."""
    if lim.kind == "supply":
        return f"Supply in {lim.period}"
    if lim.kind == "risk-budget":
        return "The risk budget"
    said = f" ({basis})" if basis else ""
    return f"{lim.partner}'s cap under {lim.level} in {lim.period}{said}"


def describe(lim: LimitPrice, basis: str | None = None) -> str:
    """ "One more H100e of 2027 supply is worth $54,000 to the US, over the next 12,000 H100e";
    a cap pro-rated from the policy's says how (`basis`, `Portfolio.cap_basis`)."""
    if lim.kind == "supply":
        what = f"One more H100e of {lim.period} supply"
    elif lim.kind == "risk-budget":
        what = "One more risk-weighted H100e of risk budget"
    else:
        said = f" ({basis})" if basis else ""
        what = f"Raising {lim.partner}'s {lim.period} cap under {lim.level}{said} by one H100e"
    head = f"{what} is worth {usd(lim.usd_per_unit)} to the US"
    if lim.usd_per_unit == 0 and lim.holds_to is None:
        # What the packages shown leave, not the fixed LP's slack: with ties between
        # periods or deals the LP may leave another share of the limit unused.
        spare = lim.unused
        if spare is None and lim.holds_from is not None:
            spare = lim.limit - lim.holds_from
        if spare is not None and spare >= 0.5:
            return _then(
                f"{head}: {quantity(spare)} {lim.unit} of it are unused.{_reckoned(lim, spare)}",
                lim,
            )
        # Used to the last unit, more worth nothing: a cut may still cost more, said below.
    if lim.holds_to is None:
        span = "however much is added"
    else:
        span = f"over the next {quantity(lim.holds_to - lim.limit)} {lim.unit}"
    # A range that prints as the limit itself ("down to 8,828" of a budget of 8,828) is
    # no range: what is said is what the figures printed show.
    if lim.holds_from is not None and quantity(lim.holds_from) != quantity(lim.limit):
        span += f" (and each one cut costs as much, down to {quantity(lim.holds_from)})"
    elif lim.holds_from is not None and lim.limit > 0.5:  # a limit of 0 cannot be cut
        span += " (a cut costs more)"
    return _then(f"{head}, {span}.", lim)


def _reckoned(lim: LimitPrice, spare: float) -> str:
    """Where the packages shown use another share of the limit than the price's range starts
    from (the fixed LP's, with compute divisible), the sentence that says both: halves' risk
    budget read "247,165 ... are unused. Below 2,800 ... each one cut costs $1.5m", where the
    packages use 2,835 (in steps of 1,000 H100e) and the LP's schedule 2,800. ''
    elsewhere."""
    used = lim.limit - spare
    # Said where what lies below the range follows ("Below 2,800, ..."): elsewhere the
    # range's end is not printed (a tie the LP may split otherwise says its unused alone).
    if lim.past_from is None or lim.holds_from is None:
        return ""
    if abs(lim.holds_from - used) < 1.0:  # within a unit: the same figure, rounded apart
        return ""
    return (
        f" The packages use {quantity(used)}; the price is reckoned with compute divisible, "
        "where the same deals, security levels and concessions keep their value down to "
        f"{quantity(lim.holds_from)}."
    )


def _then(said: str, lim: LimitPrice) -> str:
    """`said`, then what lies past the ends of the range (`LimitPrice.past_words`): a
    range is no promise of what comes after it, and past its end the full model may
    lose far more than the price (gulf-asia's 2026 supply, session 45)."""
    past = lim.past_words()
    return f"{said} {past}" if past else said


def usd(amount: float | None) -> str:
    """USD in the one form of every document and table ($4,160, $54,240, $1.2m, $3.40bn,
    $0): the prices had their own (USD 4,160, USD 54.2k) beside the documents' figures."""
    from dealbench.figures import usd as money

    return money(amount)
