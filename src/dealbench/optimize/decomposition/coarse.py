"""Periods merged where supply has one price: a smaller model to search for incumbents.

At the root duals, periods whose supply rows carry the same price are
interchangeable to the Lagrangian bound: merging them (one supply row per group
of periods, each block's compute bounds summed over the group) keeps the bound
at L. Every portfolio of the full model is one of the merged model (its compute
summed over each group), so the merged model is a relaxation: the bound of a
restricted MIP over it holds for the full model too. Its restricted MIPs are
smaller (at M, 4 compute columns per block instead of about 17), and HiGHS
finds portfolios in them sooner. A merged portfolio goes back into periods
through the LP with its concession sets fixed (`lift`), which the full model's
constraints decide; the proof runs on the full model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from dealbench.optimize.decomposition.blocks import I64, Blocks
from dealbench.optimize.decomposition.choice import Choice
from dealbench.optimize.decomposition.pricing import Duals, Pricing, price
from dealbench.optimize.decomposition.restricted import solve_restricted

#: Supply prices within this fraction of the largest count as one price.
PRICE_TOL = 1e-7


@dataclass(frozen=True)
class Coarse:
    """The merged model: blocks with one period per group, priced at the root duals."""

    blocks: Blocks
    groups: list[I64]  # the full model's periods in each merged period
    prices: Pricing

    def merge(self, choices: list[Choice]) -> list[Choice]:
        """A full model's portfolio in the merged model (compute summed per group)."""
        return [
            Choice(c.block, c.point, np.stack([c.y[g].sum(axis=0) for g in self.groups]))
            for c in choices
        ]


def coarsen(blocks: Blocks, duals: Duals) -> Coarse | None:
    """The model with the periods of equal supply price merged; None if no two share one."""
    supply = duals.supply
    scale = max(float(np.abs(supply).max(initial=0.0)), 1e-12)
    order = np.argsort(supply, kind="stable")
    breaks = np.flatnonzero(np.diff(supply[order]) > PRICE_TOL * scale) + 1
    groups = [np.sort(g) for g in np.split(order, breaks)]
    if len(groups) == len(supply):
        return None
    merged = replace(
        blocks,
        ub=np.stack([blocks.ub[:, g, :].sum(axis=1) for g in groups], axis=1),
        supply=np.array([blocks.supply[g].sum() for g in groups]),
    )
    at = Duals(np.array([supply[g].mean() for g in groups]), duals.risk, duals.floor)
    return Coarse(merged, groups, price(merged, at))


def lift(blocks: Blocks, choices: list[Choice], threads: int | None) -> list[Choice] | None:
    """The full model's best compute for the concession sets of a merged portfolio
    (every deal kept), or None when the periods' supply cannot carry them."""
    if not choices:
        return []
    dealing = np.zeros(blocks.n_partners, dtype=bool)
    dealing[[int(blocks.partner[c.block]) for c in choices]] = True
    fixed = {c.block: np.array([c.point], dtype=np.int64) for c in choices}
    lp = solve_restricted(blocks, fixed, gap=0.0, threads=threads, forced=dealing)
    return lp.choices if lp.status == "optimal" and lp.choices else None
