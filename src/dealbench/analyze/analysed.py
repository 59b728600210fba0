"""A solve with its analyses: robust when asked, its shadow prices when asked.

`solve --prices`, `solve --robust SHARE` and the web's solve form make this one
call. The order is the analysis's own: a robust solve's prices are those of the
portfolio its last round solved (its raised walk-away values), whose optimum is
the robust packages; a solve without packages is explained (`explain`) before
any price is looked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from typing import Any

from dealbench.analyze.prices import Prices, shadow_prices
from dealbench.analyze.robust import Robustness, robust_solve
from dealbench.analyze.uncertainty import uncertainty_notes
from dealbench.errors import ArgumentError
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult
from dealbench.optimize.explain.data import NoDeal
from dealbench.optimize.explain.no_deal import MAX_EXPLAINED, no_deal_reasons

__all__ = ["Analysed", "nothing_uncertain", "solve_with_analysis"]

#: A robust solve's samples of the uncertain figures, and their seed, by default.
SAMPLES, SEED = 10_000, 0
#: What each stage says it is doing (the CLI's progress bars, the web's job page).
ROBUST_STAGE = "Robust solve (rounds)"
PRICES_STAGE = "Shadow prices (re-solves)"

Progress = Callable[[int, int], None]
#: `stage(description)`: a context giving the `progress(done, total)` of that stage.
Stage = Callable[[str], AbstractContextManager[Progress | None]]


@dataclass(frozen=True)
class Analysed:
    """The solve, and what was asked of it besides (None where it was not asked)."""

    result: SolveResult
    robustness: Robustness | None = None
    prices: Prices | None = None
    #: The portfolio whose optimum `result` is: a robust solve's has the raised walk-away
    #: values its last round solved. A partner without a deal is explained against it
    #: (the portfolio as written would explain another solve's packages).
    solved: Portfolio | None = None

    def no_deal_reasons(
        self, require: Sequence[str] = (), *, limit: int | None = MAX_EXPLAINED
    ) -> list[NoDeal]:
        """Why a partner has no deal, against the portfolio solved: a robust solve's raised
        walk-away values, each said to be raised; `limit` as for `no_deal_reasons`."""
        assert self.solved is not None  # set by solve_with_analysis, its one maker
        reasons = no_deal_reasons(self.solved, self.result, require, limit=limit)
        return self.robustness.said_of(reasons) if self.robustness else reasons

    def explained(
        self, require: Sequence[str] = (), *, limit: int | None = MAX_EXPLAINED
    ) -> Analysed:
        """This answer with its result carrying `no_deal_reasons` (as `solve` carries it;
        `limit` as for `no_deal_reasons`)."""
        assert self.solved is not None  # set by solve_with_analysis, its one maker
        reasons = self.no_deal_reasons(require, limit=limit)
        return replace(self, result=self.result.explained(reasons, self.solved))

    def extra(self) -> dict[str, Any]:
        """The JSON of `solve --json` beside the result: `robustness` (the prices are the
        result's own, `SolveResult.prices`)."""
        out: dict[str, Any] = {}
        if self.robustness is not None:
            out["robustness"] = self.robustness.model_dump(mode="json")
        return out


def nothing_uncertain(portfolio: Portfolio) -> str | None:
    """What a robust solve says when no figure is a distribution (None when some is)."""
    if uncertainty_notes(portfolio):
        return None
    return (
        f"no figure of portfolio {portfolio.id} is uncertain (none is given as a "
        "distribution): every sample is the same, and the robust packages are the "
        "mean-value optimum's"
    )


def check_analysis(mode: str, prices: bool) -> None:
    """Refused before any solve: prices are of the US value's optimum."""
    if prices and mode != "us-best":
        raise ArgumentError("prices", "shadow prices are for mode us-best (the US value)")


def _no_stage(_description: str) -> AbstractContextManager[Progress | None]:
    return nullcontext(None)


def solve_with_analysis(
    portfolio: Portfolio,
    mode: str = "us-best",
    *,
    prices: bool = False,
    robust: float | None = None,
    samples: int = SAMPLES,
    seed: int = SEED,
    require: Sequence[str] = (),
    explain: Callable[[SolveResult], None] | None = None,
    stage: Stage | None = None,
    **options: Any,
) -> Analysed:
    """The solve (robust to `robust` of `samples` draws when given) and, with `prices`,
    its shadow prices. `explain(result)` raises for a result without packages, before
    any price is looked for; `options` go to `dealbench.solve`. A deal in `require`
    stays required in every solve made here: the robust rounds and the prices' one-step
    re-solves, which else compare with an optimum that drops it."""
    from dealbench.optimize import solve

    check_analysis(mode, prices)
    stage = stage or _no_stage
    robustness: Robustness | None = None
    priced = portfolio  # the portfolio whose optimum the result is
    if robust is not None:
        with stage(ROBUST_STAGE) as bar:
            found = robust_solve(
                portfolio,
                robust,
                samples,
                seed,
                mode=mode,
                progress=bar,
                require=require,
                explain=explain,
                **options,
            )
        result, priced, robustness = found.result, found.solved, found.robustness
        # `explain` ran on its first solve (the portfolio as written): a solve without
        # packages is explained there, before any sample is drawn.
    else:
        result = solve(portfolio, mode, **options, require=require)  # type: ignore[arg-type]
        if explain is not None:
            explain(result)
    found_prices = None
    if prices:
        with stage(PRICES_STAGE) as bar:
            found_prices = shadow_prices(priced, result, progress=bar, require=require, **options)
        # Carried in the result, as its reasons are: result.json and the portfolio memo
        # say the prices the terminal and `--json` say.
        result = result.model_copy(update={"prices": found_prices.to_json()})
    return Analysed(result, robustness, found_prices, priced)
