"""qa33-verify: whole-step schedules against a whole-step enumeration.

qa31/qa32-verify compared granular solves with the continuous optimum only. The
reference here reads the YAML alone (qa31-verify's reading, `read_model`, and the
portfolio's `granularity` read below; never dealbench's optimizer) and enumerates, for
every discrete choice of every partner (no deal, or a security level with each
concession's option), every whole-step schedule: per period the multiples of the step
up to min(ask, cap) and that limit itself in whole units (one H100e, or one chip), as
DESIGN.md and docs/decisions.md ("Granularity") allow. Schedules of one deal are crossed
with the next under supply and the risk budget (states of equal use merged, the best
kept); combinations of choices are visited best bound first (each deal's best alone).

What the docs promise, and what is checked (README "Schedules", docs/model.md):
- every amount is a whole step of the step the result reports (`granularity_h100e`:
  the declared one, or a finer one by tens) or the deal's limit in whole units;
- the result passes `check`, and is no better than the reference's best in its step;
- us-best in the declared step: V within one step's value (the step times the largest
  |export value - risk penalty x risk weight| among the deals) and a tenth of the gap
  of V before rounding, so within that of the best in whole steps too; partner-best:
  the partners' total within one step of the highest value per H100e, V at its floor;
- where a finer step is reported, the note's claim holds: with the same terms no
  schedule in the declared step keeps every partner accepting within one step's value
  of V (or the partners' total) before rounding; where the amounts stay unrounded, no
  schedule in the declared step exists with every partner accepting.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dealbench.checker import check
from dealbench.model.load import load_portfolio
from dealbench.model.package import Package
from dealbench.negotiate import frontier
from dealbench.negotiate.frontier import step_of
from dealbench.optimize import solve
from dealbench.optimize.result import SolveResult
from helpers import (
    drawn_concession,
    drawn_step_files,
    drawn_step_partner,
    drawn_step_policy,
    quick,
    written,
)
from test_qa31_verify import Choice, RModel, RPartner, choice_of, fill, read_model

#: DESIGN.md: 1 H100e = 15,832 TPP; a B200 is 36,000 TPP (docs' chip catalogue).
CHIP_TPP = {"H100": 15_832.0, "B200": 36_000.0}
H100_TPP = 15_832.0
GAP = 1e-6  # solve's default relative gap
#: A partner accepts within this much of its walk-away value plus the margin (USD): the
#: schedule's own rule (`grid.keeps`) forgives USD 1,000; the reference is stricter.
ACCEPT = 1.0
#: Supply and the risk budget are kept to this (H100e): whole steps meet them exactly.
ROOM = 1e-6


@dataclass(frozen=True)
class Grid:
    step: float  # H100e
    unit: float  # H100e of one whole unit (one H100e, or one chip)


def read_grid(path: Path) -> Grid:
    """The portfolio's granularity (else the policy's, else 1,000 H100e) from the YAML."""
    pf = yaml.safe_load(path.read_text())
    policy = yaml.safe_load((path.parent / pf["policy"]).read_text())
    raw = pf.get("granularity", policy.get("granularity", 1_000))
    if isinstance(raw, dict):
        unit = CHIP_TPP[raw["model"]] / H100_TPP
        return Grid(raw["chips"] * unit, unit)
    return Grid(float(raw), 1.0)


def amounts(limit: float, step: float, unit: float) -> list[float]:
    """Whole steps up to `limit`, and `limit` itself in whole units."""
    top = math.floor(limit / unit + 1e-9) * unit
    n = math.floor(top / step + 1e-9)
    return sorted({i * step for i in range(n + 1)} | {top})


@dataclass
class Table:
    """Every schedule of one deal (rows) in whole steps, and what each gives."""

    x: np.ndarray  # schedules x periods, H100e
    v: np.ndarray  # V_p, USD
    u: np.ndarray  # U_p from the terms, USD
    risk: np.ndarray


class StepReference:
    """The best portfolio in whole steps by enumeration (module docstring)."""

    def __init__(
        self,
        model: RModel,
        step: float,
        unit: float,
        *,
        held: Sequence[Package] = (),
    ) -> None:
        """`held`: deals outside the search, their compute and risk taken from the
        shared limits and their V counted (a held frontier)."""
        self.m, self.step, self.unit = model, step, unit
        self.supply = np.array([model.supply[t] for t in model.periods])
        self.budget = model.budget
        self.held_v = 0.0
        self.held = {k.partner for k in held}
        for k in held:
            p = model.partners[k.partner]
            a, r = model.rate(p, k.security)
            ch = choice_of(model, k)
            total = sum(k.compute.values())
            self.held_v += ch.us + a * total
            self.supply -= np.array([k.compute.get(t, 0.0) for t in model.periods])
            if self.budget is not None:
                self.budget -= r * total
        self.supply = np.maximum(self.supply, 0.0)
        self._tables: dict[tuple[str, Choice], Table] = {}

    def table(self, p: RPartner, ch: Choice) -> Table:
        key = (p.code, ch)
        if key not in self._tables:
            grids = [
                amounts(self.m.cap(p, ch.level, t), self.step, self.unit) for t in self.m.periods
            ]
            x = np.array(list(itertools.product(*grids)), dtype=float).reshape(-1, len(grids))
            u = np.array([sum(fill(p, a) for a in row) for row in x]) - ch.cost
            u -= p.security[ch.level]
            a, r = self.m.rate(p, ch.level)
            total = x.sum(axis=1)
            keep = u >= p.batna + self.m.margin - ACCEPT
            keep &= (x <= self.supply + ROOM).all(axis=1)
            if self.budget is not None:
                keep &= r * total <= self.budget + ROOM
            self._tables[key] = Table(x[keep], ch.us + a * total[keep], u[keep], r * total[keep])
        return self._tables[key]

    def _floored(self, code: str, ch: Choice, u_floor: tuple[str, float] | None) -> Table:
        """The deal's schedules, those giving the partner at least `u_floor` when it is its."""
        t = self.table(self.m.partners[code], ch)
        if u_floor is None or u_floor[0] != code:
            return t
        keep = t.u >= u_floor[1]
        return Table(t.x[keep], t.v[keep], t.u[keep], t.risk[keep])

    def _cross(
        self,
        combo: dict[str, Choice],
        v_floor: float | None,
        u_floor: tuple[str, float] | None = None,
    ) -> tuple[float, float, float] | None:
        """(V, sum of U, objective) of the combo's best whole-step schedule: max V, or (with
        `v_floor`) max the partners' total subject to V >= v_floor; None when none fits."""
        m = self.m
        out = [c for c in m.partners if c not in combo and c not in self.held]
        rest_v = self.held_v + sum(m.partners[c].us_batna for c in out)
        rest_u = sum(m.partners[c].batna for c in out)
        used = np.zeros((1, len(m.periods)))
        risk, v, u = np.zeros(1), np.zeros(1), np.zeros(1)
        for code, ch in combo.items():
            t = self._floored(code, ch, u_floor)
            if not len(t.v):
                return None
            used = (used[:, None, :] + t.x[None, :, :]).reshape(-1, len(m.periods))
            risk = (risk[:, None] + t.risk[None, :]).ravel()
            v = (v[:, None] + t.v[None, :]).ravel()
            u = (u[:, None] + t.u[None, :]).ravel()
            ok = (used <= self.supply + ROOM).all(axis=1)
            if self.budget is not None:
                ok &= risk <= self.budget + ROOM
            used, risk, v, u = used[ok], risk[ok], v[ok], u[ok]
            if v_floor is None and len(v) > 1:  # one state per use: the best V
                order = np.lexsort((-v, risk, *used.T[::-1]))
                used, risk, v, u = used[order], risk[order], v[order], u[order]
                first = np.ones(len(v), bool)
                first[1:] = (np.abs(np.diff(used, axis=0)).max(axis=1) > 1e-9) | (
                    np.abs(np.diff(risk)) > 1e-9
                )
                used, risk, v, u = used[first], risk[first], v[first], u[first]
            if not len(v):
                return None
        v, u = v + rest_v, u + rest_u
        if v_floor is None:
            i = int(np.argmax(v))
            return float(v[i]), float(u[i]), float(v[i])
        ok = v >= v_floor - 1.0
        if not ok.any():
            return None
        i = int(np.argmax(np.where(ok, u, -np.inf)))
        return float(v[i]), float(u[i]), float(u[i])

    def best(
        self,
        v_floor: float | None = None,
        required: tuple[str, ...] = (),
        terms: dict[str, Choice | None] | None = None,
        u_floor: tuple[str, float] | None = None,
    ) -> tuple[float, float, float] | None:
        """(V, partners' total, objective) of the best portfolio in whole steps: max V
        (`v_floor` None) or max the partners' total with V >= v_floor; `terms`: every
        partner's choice fixed (None: no deal); `u_floor` (P, u): P's utility at least u."""
        m = self.m
        codes = [c for c in m.partners if c not in self.held]
        options: dict[str, list[Choice | None]] = {}
        bound: dict[tuple[str, Choice | None], float] = {}
        for code in codes:
            p = m.partners[code]
            menu: list[Choice | None] = [] if code in required else [None]
            menu += p.choices
            if u_floor is not None and u_floor[0] == code and p.batna < u_floor[1]:
                menu = [ch for ch in menu if ch is not None]
            if terms is not None:
                menu = [terms.get(code)]
            options[code] = menu
            for ch in menu:
                if ch is None:
                    bound[code, ch] = p.us_batna if v_floor is None else p.batna
                else:
                    t = self._floored(code, ch, u_floor)
                    col = t.v if v_floor is None else t.u
                    bound[code, ch] = float(col.max()) if len(col) else -math.inf
        ranked = []
        for pick in itertools.product(*(options[c] for c in codes)):
            b = sum(bound[c, ch] for c, ch in zip(codes, pick, strict=True))
            if b > -math.inf:
                ranked.append((b, pick))
        ranked.sort(key=lambda item: -item[0])
        best: tuple[float, float, float] | None = None
        for b, pick in ranked:
            if best is not None and b <= best[2] + 1e-3:
                break
            combo = {c: ch for c, ch in zip(codes, pick, strict=True) if ch is not None}
            found = self._cross(combo, v_floor, u_floor)
            if found is not None and (best is None or found[2] > best[2]):
                best = found
        return best


def rate_of(model: RModel, package: Package) -> float:
    return model.rate(model.partners[package.partner], package.security)[0]


def slack(value: float) -> float:
    """What two computations of one figure may differ by (USD)."""
    return 1e-7 * max(abs(value), 1e9) + 1.0


def assert_whole(model: RModel, result: SolveResult, grid: Grid) -> None:
    """Every amount a whole step of the step the result reports, or its limit."""
    step = result.solver.details["granularity_h100e"]
    if step == 0:  # unrounded: `assert_finer_is_true` asks whether that is true
        return
    for d in result.deals:
        p = model.partners[d.partner]
        for t in model.periods:
            x = d.package().compute.get(t, 0.0)
            allowed = amounts(model.cap(p, d.security, t), step, grid.unit)
            assert min(abs(x - a) for a in allowed) < 1e-6, (d.partner, t, x, step)


def assert_finer_is_true(
    ref: StepReference, model: RModel, result: SolveResult, mode: str, grid: Grid
) -> None:
    """A finer step or unrounded amounts: the note's claim, by enumeration."""
    step = result.solver.details["granularity_h100e"]
    if step == grid.step:
        return
    terms = {c: None for c in model.partners}
    terms.update({d.partner: choice_of(model, d.package()) for d in result.deals})
    same = ref.best(terms=terms, v_floor=None if mode == "us-best" else result.v_floor)
    if step == 0:  # unrounded: no schedule in the declared step with these terms at all
        assert same is None, (result.message, same)
        return
    if "first optimum" in result.message:  # the reserve's rule: see `_finer_terms`
        return
    deals = [d.package() for d in result.deals]
    if mode == "us-best":
        before = result.solver.details["unrounded_us_value"]
        least = before - grid.step * max(abs(rate_of(model, k)) for k in deals)
    else:
        before = result.solver.details["unrounded_partner_total"]
        least = before - grid.step * max(model.partners[k.partner].segments[0][1] for k in deals)
    least -= 0.1 * GAP * abs(before)
    assert same is None or same[2] < least + slack(least), (result.message, same, least)


def compare_steps(path: Path) -> None:
    """us-best, us-best with the last partner required, partner-best at its default
    floor and halfway to the US-best V: the promises of the module docstring."""
    model, pf, grid = read_model(path), load_portfolio(path), read_grid(path)
    ref = StepReference(model, grid.step, grid.unit)
    last = pf.partners[-1].code
    runs: list[tuple[str, SolveResult, dict[str, Any]]] = [
        ("us-best", solve(pf), {}),
        ("us-best", solve(pf, require=[last]), {"required": (last,)}),
    ]
    walk_v = sum(p.us_batna for p in model.partners.values())
    runs.append(("partner-best", solve(pf, mode="partner-best"), {"v_floor": walk_v}))
    top = runs[0][1].us_value
    if top is not None:
        floor = (walk_v + top) / 2
        kind = solve(pf, mode="partner-best", v_floor=floor)
        runs.append(("partner-best", kind, {"v_floor": floor}))
    for mode, result, how in runs:
        best = ref.best(**how)
        if result.status != "optimal":
            assert result.status == "infeasible", result.status
            assert best is None or how.get("required"), (result.status, best)
            continue
        packages = [d.package() for d in result.deals]
        checked = check(pf, packages)
        assert checked.ok, [v.message for v in checked.violations]
        assert_whole(model, result, grid)
        assert_finer_is_true(ref, model, result, mode, grid)
        step = result.solver.details["granularity_h100e"]
        v, total = result.us_value, result.partner_total
        assert v is not None and total is not None
        if step == grid.step:  # no better than the best in these steps
            assert best is not None, (mode, how, result.message)
            assert (v if mode == "us-best" else total) <= best[2] + slack(best[2]), (best, v, total)
        if best is None:
            continue
        if mode == "us-best":
            rate = max((abs(rate_of(model, k)) for k in packages), default=0.0)
            promise = best[2] - grid.step * rate - 0.1 * GAP * abs(best[2])
            assert v >= promise - slack(promise), (how, v, best, result.message)
        else:
            value = max((model.partners[k.partner].segments[0][1] for k in packages), default=0.0)
            promise = best[2] - grid.step * value - 0.1 * GAP * abs(best[2])
            assert total >= promise - slack(promise), (how, total, best, result.message)
            assert v >= how["v_floor"] - slack(how["v_floor"]), (v, how)
        if "first optimum" in result.message:  # the reserve's way weighed the best in steps
            got = v if mode == "us-best" else total
            assert got >= best[2] - slack(best[2]), (how, got, best, result.message)


def compare_frontier(path: Path) -> None:
    """The held frontier (5 points) of the first partner: every point checked, its amounts
    whole steps of the step it reports (or its limit), and in the declared step no better
    than the reference's best V at its U with the others held."""
    model, pf, grid = read_model(path), load_portfolio(path), read_grid(path)
    base = solve(pf)
    code = pf.partners[0].code
    f = frontier(pf, code, points=5, base=base)
    for point in f.points:
        packages = [*point.others, *([point.package] if point.package else [])]
        checked = check(pf, packages)
        assert checked.ok, [v.message for v in checked.violations]
        step = point.step_h100e
        assert step is not None
        for k in packages if step else ():
            p = model.partners[k.partner]
            for t in model.periods:
                x = k.compute.get(t, 0.0)
                allowed = amounts(model.cap(p, k.security, t), step, grid.unit)
                # the exact curves' points carry noise of 1e-5 H100e (7,749.99998)
                assert min(abs(x - a) for a in allowed) < 1e-3, (k.partner, t, x, step)
        if step != grid.step:
            continue
        ref = StepReference(model, grid.step, grid.unit, held=point.others)
        tol = slack(point.partner_utility)
        best = ref.best(u_floor=(code, point.partner_utility - tol))
        assert best is not None, point
        assert point.us_utility <= best[0] + slack(best[0]), (point, best)


# ----------------------------------------------------------------------------------------
# Generated tiny portfolios: two or three partners, one to three periods, steps of 500,
# 1,000 and 2,500 H100e and of 256 or 512 B200 chips.

GRIDS: list[Any] = [
    500,
    1_000,
    2_500,
    {"chips": 256, "model": "B200"},
    {"chips": 512, "model": "B200"},
]
LEVELS = ("open", "kyc", "veu")
M = 25e6


def _step_of(raw: Any) -> float:
    return raw["chips"] * CHIP_TPP[raw["model"]] / H100_TPP if isinstance(raw, dict) else raw


@st.composite
def tiny(draw: st.DrawFn) -> dict[str, Any]:
    """Files of a tiny portfolio in whole steps (YAML-ready dicts)."""
    nums = st.integers
    periods = draw(
        st.sampled_from([[2027], [2027, 2028], [2027, 2028, 2029], ["2027Q1", "2027Q2"]])
    )
    n = draw(nums(2, 3))
    raw = draw(st.sampled_from(GRIDS))
    step = _step_of(raw)
    # at most ~2e5 schedules across the partners: steps per period per ask
    most = max(1, min(8, round(2e5 ** (1 / (n * len(periods)))) - 2))

    def tier2_cap() -> float:
        return round(draw(nums(0, most)) * step * (4 if "Q" in str(periods[0]) else 1)) + draw(
            st.sampled_from([0, 0, 250, 1_000])
        )

    policy = drawn_step_policy(draw, LEVELS, tier2_cap, 150, M)
    partners = []
    for i in range(n):
        code = "P" + "ABC"[i]
        concessions: list[dict[str, Any]] = []
        for j, kind in enumerate(draw(st.lists(st.sampled_from(["yes", "levels"]), max_size=2))):
            concessions.append(drawn_concession(draw, j, kind, M, 20, 10))
        partners.append(
            drawn_step_partner(draw, code, periods, step, most, concessions, (-4, 16), M)
        )
    return drawn_step_files(draw, policy, periods, partners, raw, step, most, LEVELS)


@quick(30)
@given(files=tiny())
def test_generated_whole_step_solves_keep_the_docs_promise(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_steps(written(files, tmp_path_factory.mktemp("gen")))


@quick(10)
@given(files=tiny())
def test_generated_whole_step_frontier_points_are_whole_and_no_better_than_the_enumeration(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_frontier(written(files, tmp_path_factory.mktemp("gen")))


# ----------------------------------------------------------------------------------------
# Faults found, each on a fixture reduced by hand.

CHIPASK = Path(__file__).parent / "data" / "qa33verify" / "chipask" / "portfolio.yaml"


def test_the_held_frontier_of_a_portfolio_in_chips_ends_on_the_chip_grid() -> None:
    """PA asks 2,911 H100e, 1,280.19 B200 chips, decided in steps of 256 chips: the grid
    allows at most 1,280 chips (2,910.56 H100e), and solve gives that (V USD 19,864,578).
    The frontier's curves ran to the raw ask, so its US-best end was 2,911 H100e with V
    USD 19,867,575, above solve's optimum and no whole number of chips, and its
    partner-best end 582 H100e (the open cap: 255.95 chips)."""
    pf, model, grid = load_portfolio(CHIPASK), read_model(CHIPASK), read_grid(CHIPASK)
    base = solve(pf)
    f = frontier(pf, "PA", points=5, base=base)
    assert f.points[0].us_utility == pytest.approx(base.us_value, abs=1.0)
    assert f.points[0].package is not None
    assert f.points[0].package.compute == base.deals[0].package().compute
    for point in f.points:
        assert point.us_utility <= base.us_value + 1.0
        assert point.package is not None
        chips = point.package.compute["2027"] / grid.unit
        assert chips <= 1_280 + 1e-6, point
        top = amounts(model.cap(model.partners["PA"], point.package.security, "2027"), 1, 1)
        assert chips <= top[-1] / grid.unit + 1e-6


def test_an_amount_above_its_limit_in_whole_chips_is_not_said_to_be_in_steps() -> None:
    """2,911 H100e is PA's ask but 1,280.19 B200 chips: no step of chips holds it, so a
    frontier point with it is not in the declared step (it was, as 'at its limit')."""
    pf = load_portfolio(CHIPASK)
    off = Package(partner="PA", security="veu", compute={"2027": 2_911.0})
    assert step_of(pf, [off]) == 0.0
    on = off.model_copy(update={"compute": {"2027": 1_280 * 36_000 / 15_832}})
    assert step_of(pf, [on]) == pf.granularity.h100e


LEVELGRID = Path(__file__).parent / "data" / "qa33verify" / "levelgrid" / "portfolio.yaml"


def test_partner_best_keeps_compute_on_the_grid_of_the_level_its_ties_break_to() -> None:
    """Steps of 500 H100e; PB's open cap is 750, its kyc cap 1,000, and beyond 501 H100e
    compute is worth nothing to it. partner-best put PB under open at 750 (its cap there),
    then broke the tie for the US by moving it to kyc (less risk, the same utility) with
    compute as it was: 750 H100e under kyc, no whole step and not its limit there, while
    the result said steps of 500."""
    pf, model, grid = load_portfolio(LEVELGRID), read_model(LEVELGRID), read_grid(LEVELGRID)
    result = solve(pf, mode="partner-best")
    assert result.solver.details["granularity_h100e"] == 500
    assert_whole(model, result, grid)
    assert check(pf, [d.package() for d in result.deals]).ok
