"""A linear program built straight for HiGHS: columns and rows added one at a time, the
matrix kept as (row, column, value) triplets, then handed over as arrays.

One builder for the programs that skip PuLP: the smooth schedule's four stages
(`optimize.schedule.smooth`), the closest grid schedule (`optimize.schedule.closest`)
and the fixed LP of shadow prices (`analyze.fixed_lp`). Zero terms are left out of the
matrix (HiGHS drops them on its own anyway)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealbench.optimize.highs import INF, pass_model

__all__ = ["Arrays", "Triplets"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


class Triplets:
    """Columns (cost, bounds, integrality), rows (bounds) and the matrix's entries, as
    they are added."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []

    @property
    def n_cols(self) -> int:
        return len(self.lower)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)

    def col(self, lower: float, upper: float, *, cost: float = 0.0, integer: bool = False) -> int:
        """A new column; its index."""
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.lower) - 1

    def row(self, terms: Mapping[int, float], lower: float, upper: float) -> int:
        """A new row, lower <= sum of column * coefficient over `terms` <= upper; its index."""
        r = len(self.row_lower)
        for c, v in terms.items():
            if v != 0.0:
                self.rows.append(r)
                self.cols.append(c)
                self.vals.append(v)
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        return r

    def block(self, n_cols: int, n_rows: int, cols: Any, vals: Any, row_upper: float) -> None:
        """`n_cols` columns in [0, inf) and `n_rows` rows in [0, `row_upper`]: `cols` and
        `vals` (n_rows, k) the terms of each row, in order (zero terms left out)."""
        self.cost.extend([0.0] * n_cols)
        self.lower.extend([0.0] * n_cols)
        self.upper.extend([INF] * n_cols)
        self.integer.extend([False] * n_cols)
        first = len(self.row_lower)
        rows = np.repeat(np.arange(first, first + n_rows), cols.shape[1]).reshape(cols.shape)
        kept = vals != 0.0
        self.rows.extend(rows[kept].tolist())
        self.cols.extend(cols[kept].tolist())
        self.vals.extend(vals[kept].tolist())
        self.row_lower.extend([0.0] * n_rows)
        self.row_upper.extend([row_upper] * n_rows)

    def arrays(self) -> Arrays:
        """The program as it stands, as arrays."""
        return Arrays(
            cost=np.array(self.cost, dtype=np.float64),
            lower=np.array(self.lower, dtype=np.float64),
            upper=np.array(self.upper, dtype=np.float64),
            integer=np.array(self.integer, dtype=bool),
            rows=np.array(self.rows, dtype=np.int64),
            cols=np.array(self.cols, dtype=np.int64),
            vals=np.array(self.vals, dtype=np.float64),
            row_lower=np.array(self.row_lower, dtype=np.float64),
            row_upper=np.array(self.row_upper, dtype=np.float64),
        )


@dataclass(frozen=True)
class Arrays:
    """A built program's arrays, handed to HiGHS whole or a part at a time."""

    cost: F64
    lower: F64
    upper: F64
    integer: NDArray[np.bool_]
    rows: I64
    cols: I64
    vals: F64
    row_lower: F64
    row_upper: F64

    @property
    def n_cols(self) -> int:
        return len(self.lower)

    def pass_to(
        self,
        h: Any,
        *,
        maximize: bool,
        cost: F64 | None = None,
        end: tuple[int, int] | None = None,
    ) -> None:
        """The program (with `cost` for the columns' own costs) as HiGHS's model; `end`
        (columns, rows): only the columns and rows before it, for a program whose later
        columns appear only in later rows (`add_to` adds them)."""
        c, r = end if end is not None else (self.n_cols, len(self.row_lower))
        inside = self.rows < r
        pass_model(
            h,
            cost=(self.cost if cost is None else cost)[:c],
            lower=self.lower[:c],
            upper=self.upper[:c],
            row_lower=self.row_lower[:r],
            row_upper=self.row_upper[:r],
            matrix=(self.rows[inside], self.cols[inside], self.vals[inside]),
            integer=self.integer[:c],
            maximize=maximize,
        )

    def add_to(self, h: Any, begin: tuple[int, int], end: tuple[int, int], upper: F64) -> None:
        """Columns and rows [begin, end) added to HiGHS's model (costs zero, upper bounds
        `upper`): new columns appear only in new rows."""
        (ca, ra), (cb, rb) = begin, end
        n = cb - ca
        none = np.zeros(0, dtype=np.int32)
        h.addCols(n, np.zeros(n), self.lower[ca:cb], upper[ca:cb], 0, none, none, np.zeros(0))
        inside = (self.rows >= ra) & (self.rows < rb)
        r, c, v = self.rows[inside] - ra, self.cols[inside], self.vals[inside]
        order = np.argsort(r, kind="stable")
        starts = np.searchsorted(r[order], np.arange(rb - ra)).astype(np.int32)
        h.addRows(
            rb - ra,
            self.row_lower[ra:rb],
            self.row_upper[ra:rb],
            len(v),
            starts,
            c[order].astype(np.int32),
            v[order],
        )
