"""nash's point in whole steps: the rounded schedule climbed to the best Nash product among
its neighbours (`climb`).

nash solves its tangent-cut MIP with continuous compute, and `schedule` puts the point on
the grid as solved (each amount moved by less than a step, V within a step's value per
amount). That keeps V, not the Nash product: on generated portfolios the product in whole
steps fell up to 78% below the best an enumeration of the same steps finds (a point of
three deals of 400-700 H100e in steps of 1,000 went to no compute at all). With every
choice kept (deals, security levels, concessions), `climb` moves the amounts over the
grid's own amounts (whole steps up to each deal's limit, and the limit in whole units) one
step, or one step from one amount to another, while the Nash product rises, keeping every
partner accepting, each period's supply and the risk budget. A local best, not proven
the best in whole steps: what putting the point in steps may still have cost is stated
beside the tangent cuts' bound (`words.bound_note`).
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np

from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.formulation import MONEY
from dealbench.optimize.schedule import packages_of
from dealbench.optimize.schedule.grid import Deal, Vector, deal_of

#: A gain below a dollar is no gain (`nash.NO_GAIN`, in USD here).
NO_GAIN_USD = 1.0
#: The least rise of the log-product a move must bring: float noise is no rise.
RISE = 1e-9
#: Moves at most (each a strict rise, so the climb ends; this bounds its time).
MOST_MOVES = 10_000
#: Pair moves (one amount up, another down) are tried on schedules of at most this many
#: (deal, period) amounts, as `schedule.closest`'s exact search: they are quadratic in
#: the amounts (global's 54: 0.5 s in all; synthetic M's 600 would take seconds a move).
#: A size rule, not a clock, so the answer is the same on every run.
PAIR_AMOUNTS = 200

#: A deal's score: (sides of bargained partners without a gain, the sum of the others' logs).
Score = tuple[int, float]


def climb(
    portfolio: Portfolio, bargained: Collection[str], packages: list[Package], step: float
) -> list[Package]:
    """`packages` (compute in whole steps of `step`, H100e) with their amounts moved over
    the grid while the Nash product of the partners `bargained` rises (see module)."""
    if step <= 0 or not packages:
        return packages
    deals = [deal_of(portfolio, p, portfolio.granularity) for p in packages]
    x: Vector = np.array([[p.compute.get(t, 0.0) for t in portfolio.periods] for p in packages])
    start = x.copy()
    _Climb(portfolio, deals, bargained, step, x).run()
    if np.array_equal(x, start):
        return packages
    return packages_of(portfolio, deals, x)


class _Climb:
    """The hill climb over one schedule `x` (changed in place)."""

    def __init__(
        self,
        pf: Portfolio,
        deals: list[Deal],
        bargained: Collection[str],
        step: float,
        x: Vector,
    ) -> None:
        self.pf, self.deals, self.x = pf, deals, x
        self.counted = [d.partner.code in bargained for d in deals]
        self.margin = pf.policy.acceptance_margin
        self.supply = np.array([pf.supply[t] for t in pf.periods])
        self.budget = pf.risk_budget
        self.risk = np.array([d.risk for d in deals])
        self.notches = [[_notches(top, step) for top in d.top] for d in deals]
        self.at = [
            [_place(self.notches[i][k], float(x[i, k])) for k in range(x.shape[1])]
            for i in range(len(deals))
        ]
        self.scores = [self._score(i, x[i]) for i in range(len(deals))]
        self.pairs = x.size <= PAIR_AMOUNTS
        self.used = x.sum(axis=0)
        self.risk_used = float(self.risk @ x.sum(axis=1))

    def run(self) -> None:
        for _ in range(MOST_MOVES):
            move = self._best_move()
            if move is None:
                return
            for i, k, j in move[0]:
                self.at[i][k] = j
                self.x[i, k] = self.notches[i][k][j]
            self.used = self.x.sum(axis=0)
            self.risk_used = float(self.risk @ self.x.sum(axis=1))
            for i, score in move[1].items():
                self.scores[i] = score

    def _score(self, i: int, row: Vector) -> Score | None:
        """Deal `i`'s share of the log-product at amounts `row`; None where its partner
        would not accept."""
        d = self.deals[i]
        worth = d.value(row)
        if worth < d.need - 1e3:  # as `grid.keeps` reads acceptance
            return None
        if not self.counted[i]:
            return (0, 0.0)
        gains = (
            d.us_const + d.a * float(row.sum()) - d.partner.us_batna,
            worth - d.need + self.margin,
        )
        bad = sum(g <= NO_GAIN_USD for g in gains)
        return (bad, sum(math.log(g / MONEY) for g in gains if g > NO_GAIN_USD))

    def _moves(self) -> list[list[tuple[int, int, int]]]:
        """Every move: one amount a notch up or down, or (`PAIR_AMOUNTS`) one up and another
        down."""
        n, periods = self.x.shape
        ups, downs = [], []
        for i in range(n):
            for k in range(periods):
                j = self.at[i][k]
                if j + 1 < len(self.notches[i][k]):
                    ups.append((i, k, j + 1))
                if j > 0:
                    downs.append((i, k, j - 1))
        pairs = [[u, d] for u in ups for d in downs if u[:2] != d[:2]] if self.pairs else []
        return [[u] for u in ups] + [[d] for d in downs] + pairs

    def _best_move(self) -> tuple[list[tuple[int, int, int]], dict[int, Score]] | None:
        """The move that raises the log-product most (the first of equals), or None."""
        best: tuple[Score, list[tuple[int, int, int]], dict[int, Score]] | None = None
        now = _total(self.scores)
        for move in self._moves():
            changed = self._apply(move)
            if changed is None:
                continue
            before = _total([self.scores[i] for i in changed])
            after = _total(list(changed.values()))
            total = (now[0] - before[0] + after[0], now[1] - before[1] + after[1])
            if _rises(now, total) and (best is None or _rises(best[0], total)):
                best = (total, move, changed)
        return None if best is None else (best[1], best[2])

    def _apply(self, move: list[tuple[int, int, int]]) -> dict[int, Score] | None:
        """The changed deals' scores after `move`, or None where it breaks a limit."""
        rows: dict[int, Vector] = {}
        for i, k, j in move:
            row = rows.setdefault(i, self.x[i].copy())
            row[k] = self.notches[i][k][j]
        used, risk = self.used, self.risk_used
        for i, row in rows.items():
            used = used + row - self.x[i]
            risk += self.risk[i] * float(row.sum() - self.x[i].sum())
        if (used > self.supply + 1e-6).any():
            return None
        if self.budget is not None and risk > self.budget + 1e-6:
            return None
        out = {}
        for i, row in rows.items():
            score = self._score(i, row)
            if score is None:
                return None
            out[i] = score
        return out


def _notches(top: float, step: float) -> list[float]:
    """The amounts the grid allows under `top`: whole steps, and `top` itself."""
    n = math.floor(top / step + 1e-9)
    out = [round(j * step, 6) for j in range(n + 1)]
    if top - out[-1] > 1e-6:
        out.append(top)
    return out


def _place(notches: list[float], amount: float) -> int:
    """The index of `amount` among `notches` (the nearest one)."""
    return min(range(len(notches)), key=lambda j: abs(notches[j] - amount))


def _total(scores: list[Score | None]) -> Score:
    return (
        sum(s[0] for s in scores if s is not None),
        sum(s[1] for s in scores if s is not None),
    )


def _rises(before: Score, after: Score) -> bool:
    """Whether `after` is a higher Nash product than `before`: fewer sides without a gain,
    or as many and a log-product higher by more than `RISE`."""
    if after[0] != before[0]:
        return after[0] < before[0]
    return after[1] > before[1] + RISE
