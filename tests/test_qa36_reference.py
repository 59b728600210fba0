"""qa36-reference: the numbers a negotiator signs, against a reference that reads the YAML alone.

The reference is qa31-verify's (tests/test_qa31_verify.py: the YAML read with a plain
loader, every discrete choice enumerated, compute by LP in HiGHS through highspy); it never
imports `dealbench.optimize` or `dealbench.negotiate`. The portfolios are qa32-verify's
generator (2-3 partners, 1-3 periods of years or quarters, three security levels each with
its own cap, a range concession beside levels and yes/no terms in every partner, risk
budgets that bind, walk-away values above any deal for the US).

Earlier passes compared us-best, partner-best, the held frontier's points (`all` and N), the
joint frontier's points, every zone with the others held, a counter's frontier point, one
room and each improvement found. Here, what they left:
- the held Nash and Kalai points as the enumeration's maximisers on the partner's curves
  (the Nash product within its stated bound, the Kalai share and the ideals it is a share
  of), at `--points all` and `--points 5`;
- the joint frontier's Nash and Kalai points and zone, recomputed from its points'
  packages, and its zone never claiming more than the enumeration's largest joint gain;
- a counter's verdict with one deal concluded (on a package short of the optimum) and one
  partner walked away: the compute and risk it takes, the supply and risk left, the
  portfolio's V in the plan, after walking away and if accepted (the rest re-optimized),
  the frontier point; the room before and after the counter is concluded too;
- logrolling: the top of the ranking is the enumeration's largest joint gain over every
  change of at most two terms (compute re-planned by LP), and every set of terms the
  enumeration finds an improvement in, with room to spare, is listed.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealbench.checker import check
from dealbench.model.load import load_portfolio
from dealbench.model.package import Package
from dealbench.negotiate import (
    conclude,
    frontier,
    improvements,
    record_counter,
    record_offer,
    room,
    walk_away,
)
from dealbench.optimize import solve
from helpers import quick, written
from test_qa31_verify import (
    ABS,
    BN,
    REL,
    Choice,
    Reference,
    RModel,
    RPartner,
    assert_checked,
    close,
    evaluate_ref,
    held_reference,
    lp_max,
    program,
    read_model,
)
from test_qa32_verify import _with_amounts, portfolios

TOL = 1e3  # USD: a gain no larger is no gain (docs/frontier.md, "Zone of possible agreement")
MIN_GAIN = 1e6  # USD: what each side must gain for a change to count (docs/decisions.md)


# ----------------------------------------------------------------------------------------
# The held frontier's bargaining points: the enumeration's maximisers on the curves.


def log_gains(v_gain: float, u_gain: float) -> float:
    return math.log(v_gain / BN) + math.log(u_gain / BN)


def compare_held_bargaining(path: Path) -> None:
    """Each partner's held frontier (`all` and 5 points): the no-deal point, both ideals,
    Kalai's share (the reference's best tau over the partner's curves, with the reference's
    ideals) and the Nash product (within the stated bound of the reference's best)."""
    model, pf = read_model(path), load_portfolio(path)
    base = solve(pf)
    for p in pf.partners:
        code = p.code
        others = [d.package() for d in base.deals if d.partner != code]
        held = held_reference(model, pf, code, others)
        walk_v = held.held_v + model.partners[code].us_batna
        batna = model.partners[code].batna
        top, side = held.best_v(), held.best_u(code, walk_v)
        assert top is not None and side is not None
        ideal = (top.us - walk_v, side.value - batna)
        for points in ("all", 5):
            f = frontier(pf, code, points=points, base=base)  # type: ignore[arg-type]
            assert close(f.no_deal.us_utility, walk_v), (f.no_deal, walk_v)
            assert close(f.no_deal.partner_utility, batna)
            assert close(f.us_best.us_utility, top.us), (f.us_best, top)
            assert close(f.partner_best.partner_utility, side.value), (f.partner_best, side)
            if min(ideal) <= TOL:
                continue
            if f.kalai is not None:
                tau = held.kalai({code: ideal})
                mine = min(
                    (f.kalai.us_utility - walk_v) / ideal[0],
                    (f.kalai.partner_utility - batna) / ideal[1],
                )
                assert mine == pytest.approx(tau, abs=1e-6), (points, f.kalai, tau)
                assert f.bargaining["kalai"]["tau"] == pytest.approx(tau, abs=1e-6)
            else:
                assert held.kalai({code: ideal}) <= 1e-6, (points, ideal)
            best = held.nash([code])
            if not math.isfinite(best):
                assert f.nash is None, f.nash
                continue
            assert f.nash is not None, (points, best)
            assert_checked(pf, [*f.nash.others, *([f.nash.package] if f.nash.package else [])])
            mine = log_gains(f.nash.us_utility - walk_v, f.nash.partner_utility - batna)
            bound = f.bargaining["nash"].get("log_error_bound") or 0.0
            assert mine <= best + 1e-6, (points, mine, best)
            assert mine >= best - bound - 1e-6, (points, mine, best, bound)


# ----------------------------------------------------------------------------------------
# The joint frontier's bargaining points and zone, from its points' packages.


def joint_gain_ref(model: RModel, code: str, walk_v: float) -> float:
    """The most joint gain (V - `walk_v` + U - batna) over every set of deals giving the
    partner a deal with both gains above TOL (0 if there is none): an LP per combination."""
    ref = Reference(model)
    p = model.partners[code]
    best = 0.0
    for combo in ref.combos((code,)):
        prog = ref._prog(combo)
        n = len(prog.cols)
        absent = sum(model.partners[c].us_batna for c in model.partners if c not in combo)
        v_const = sum(const for const, _ in prog.v.values()) + absent / BN
        v_vec = sum((vec for _, vec in prog.v.values()), np.zeros(n))
        u_const, u_vec = prog.u[code]
        rows = [
            (-v_vec, v_const - (walk_v + TOL) / BN),
            (-u_vec, u_const - (p.batna + TOL) / BN),
        ]
        out = lp_max(prog, v_vec + u_vec, rows)
        if out is not None:
            best = max(best, (out[0] + v_const + u_const) * BN - walk_v - p.batna)
    return best


def compare_joint_bargaining(path: Path) -> None:
    """The first partner's joint frontier (4 points, one process): the no-deal point the
    reference's best without the partner; each point's V and U recomputed from its
    packages; Nash and Kalai the best of the points (as documented), their scores and the
    zone's largest joint gain recomputed by the reference, the zone no larger than the
    enumeration's largest joint gain over every set of deals."""
    model, pf = read_model(path), load_portfolio(path)
    base = solve(pf)
    code = pf.partners[0].code
    p = model.partners[code]
    f = frontier(pf, code, points=4, jointly=True, jobs=1, base=base)
    without = Reference(
        model, partners=[c for c in model.partners if c != code], held_v=p.us_batna
    ).best_v()
    assert without is not None
    walk_v = without.us
    assert close(f.no_deal.us_utility, walk_v), (f.no_deal, without)
    figures = {}
    for point in [*f.points, f.us_best, f.partner_best]:
        packages = [*point.others, *([point.package] if point.package else [])]
        assert_checked(pf, packages)
        dealt = {k.partner for k in packages}
        v = sum(evaluate_ref(model, k)[0] for k in packages) + sum(
            m.us_batna for c, m in model.partners.items() if c not in dealt
        )
        u = evaluate_ref(model, point.package)[1] if point.package else p.batna
        assert close(v, point.us_utility) and close(u, point.partner_utility), (point, v, u)
        figures[point.label, point.us_utility, point.partner_utility] = (v - walk_v, u - p.batna)
    both = {k: g for k, g in figures.items() if min(g) > TOL}
    gain = max((sum(g) for g in both.values()), default=0.0)
    assert f.zopa["exists"] == bool(both), (f.zopa, figures)
    assert close(f.zopa["largest_joint_gain"], gain), (f.zopa, gain)
    assert f.zopa["largest_joint_gain"] <= joint_gain_ref(model, code, walk_v) + ABS + REL * 1e9
    if f.nash is not None:
        best = max(g[0] * g[1] for g in both.values())
        g = (f.nash.us_utility - walk_v, f.nash.partner_utility - p.batna)
        assert g[0] * g[1] >= best * (1 - 1e-6), (f.nash, best)
    else:
        assert not both, figures


# ----------------------------------------------------------------------------------------
# A counter's verdict and the room, with a deal concluded and a partner walked away.


CHECK_MONEY = 1e4  # USD: an acceptance shortfall `check` forgives (docs/decisions.md, qa31)


def _limits_kept(pf: Any, fixed: list[Package], counter: Package) -> bool:
    """Whether the counter keeps its own limits and the shared ones beside `fixed`: no kind
    of limit but acceptance among `check`'s violations (acceptance is the reference's)."""
    checked = check(pf, [*fixed, counter])  # each deal's own limits are in its figures
    broken = [*checked.violations, *(v for d in checked.deals for v in d.violations)]
    return not [v for v in broken if v.kind != "acceptance"]


def _fits(pf: Any, model: RModel, packages: list[Package]) -> bool:
    return check(pf, packages).ok and all(evaluate_ref(model, k)[3] for k in packages)


def _short(pf: Any, model: RModel, package: Package) -> Package:
    """The package with 80% of its compute where the partner still accepts it, else as is."""
    less = package.model_copy(update={"compute": {t: 0.8 * x for t, x in package.compute.items()}})
    return less if _fits(pf, model, [less]) else package


def rest_best(
    model: RModel, fixed: list[Package], out: list[str], *, required: tuple[str, ...] = ()
) -> float | None:
    """The portfolio's V with `fixed` as agreed, `out` without a deal, the rest the
    reference's optimum in what the fixed packages leave (None: nothing fits)."""
    supply = dict(model.supply)
    budget = model.budget
    held_v = sum(model.partners[c].us_batna for c in out)
    for pkg in fixed:
        v, _, risk, _ = evaluate_ref(model, pkg)
        held_v += v
        for t, x in pkg.compute.items():
            supply[t] = max(0.0, supply[t] - x)
        if budget is not None:
            budget = max(0.0, budget - risk)
    dealt = {k.partner for k in fixed}
    codes = [c for c in model.partners if c not in dealt and c not in out]
    best = Reference(model, supply=supply, budget=budget, partners=codes, held_v=held_v).best_v(
        required=required
    )
    return None if best is None else best.us


def compare_room(pf: Any, root: Path, model: RModel, fixed: list[Package], out: list[str]) -> Any:
    """The room's V, supply left and its plan's packages against the reference."""
    found = room(pf, root)
    best = rest_best(model, fixed, out)
    assert best is not None
    assert close(found.objective, best), (found.objective, best)
    assert sorted(found.concluded) == sorted(k.partner for k in fixed)
    assert sorted(found.walked_away) == sorted(out)
    for t in model.periods:
        used = sum(k.compute.get(t, 0.0) for k in fixed)
        assert found.supply_left[t] == pytest.approx(model.supply[t] - used, abs=1e-6)
    if model.budget is not None:
        taken = sum(evaluate_ref(model, k)[2] for k in fixed)
        assert found.risk_left == pytest.approx(model.budget - taken, abs=1e-6)
    planned = [r.plan_package for r in found.rows if r.plan_package is not None]
    planned = [k for k in planned if k.partner not in {f.partner for f in fixed}]
    assert_checked(pf, [*fixed, *planned])
    dealt = {k.partner for k in [*fixed, *planned]}
    v = sum(evaluate_ref(model, k)[0] for k in [*fixed, *planned]) + sum(
        m.us_batna for c, m in model.partners.items() if c not in dealt
    )
    assert close(v, found.objective), (v, found.objective)
    return found


def compare_verdict(path: Path, root: Path, scale: float, drop: bool) -> None:
    """With two deals or more in the optimum, the first concluded on 80% of its compute
    (where its partner still accepts); the first open partner the room (else the optimum)
    gives a deal countering with that package, its compute x `scale` (and, `drop`, its
    first concession dropped); another open partner walked away: the verdict's figures and
    the room against the reference; then the counter concluded where it keeps every limit,
    and the room again."""
    model, pf = read_model(path), load_portfolio(path)
    base = solve(pf)
    if not base.deals:
        return
    fixed: list[Package] = []
    if len(base.deals) > 1:
        fixed = [_short(pf, model, base.deals[0].package())]
        record_offer(pf, root, fixed[0].partner, package=fixed[0])
        conclude(pf, root, fixed[0].partner)
    codes = [p.code for p in pf.partners if p.code not in {k.partner for k in fixed}]
    planned = compare_room(pf, root, model, fixed, [])
    dealt = [r.partner for r in planned.rows if r.partner in codes and r.plan_package]
    dealt += [d.partner for d in base.deals if d.partner in codes and d.partner not in dealt]
    if not dealt:
        return
    code = dealt[0]
    out = [c for c in codes if c != code][-1:]
    for other in out:
        walk_away(pf, root, other, by="partner")
    found = compare_room(pf, root, model, fixed, out)
    plan = next(r.plan_package for r in found.rows if r.partner == code)
    if plan is None:  # the room plans none: the package of the optimum, as it was
        deal = base.deal(code)
        if deal is None:
            return
        plan = deal.package()
    record_offer(pf, root, code, package=plan)
    terms = dict(plan.concessions)
    if drop and terms:
        del terms[sorted(terms)[0]]
    counter = plan.model_copy(
        update={
            "compute": {t: float(round(x * scale)) for t, x in plan.compute.items()},
            "concessions": terms,
        }
    )
    verdict = record_counter(pf, root, code, counter).verdict
    v, u, risk, _ = evaluate_ref(model, counter)
    assert close(verdict.us_utility, v) and close(verdict.partner_utility, u)
    for t in model.periods:
        x = counter.compute.get(t, 0.0)
        assert verdict.compute_taken.get(t, 0.0) == pytest.approx(x, abs=1e-6)
        left = model.supply[t] - sum(k.compute.get(t, 0.0) for k in [*fixed, counter])
        assert verdict.supply_left[t] == pytest.approx(left, abs=1e-6), (t, verdict.supply_left)
    assert verdict.risk_taken == pytest.approx(risk, rel=1e-9, abs=1e-6)
    if model.budget is not None:
        left = model.budget - sum(evaluate_ref(model, k)[2] for k in [*fixed, counter])
        assert verdict.risk_left == pytest.approx(left, rel=1e-9, abs=1e-6)
    plan_v = rest_best(model, fixed, out)
    walk_v = rest_best(model, fixed, [*out, code])
    assert plan_v is not None and walk_v is not None
    assert close(verdict.portfolio_plan, plan_v), (verdict.portfolio_plan, plan_v)
    assert close(verdict.portfolio_walk_away, walk_v), (verdict.portfolio_walk_away, walk_v)
    # Acceptance as `check` reads it: USD 10,000 short is solver noise (a counter of the
    # plan's compute in whole H100e fell $4,000 short and is accepted).
    threshold = model.partners[code].batna + model.margin
    keeps = u >= threshold - CHECK_MONEY - REL * abs(threshold) and _limits_kept(pf, fixed, counter)
    assert (not verdict.violations) == keeps, [x.message for x in verdict.violations]
    if keeps:
        accepted = rest_best(model, [*fixed, counter], out)
        assert verdict.portfolio_if_accepted is not None and accepted is not None
        assert close(verdict.portfolio_if_accepted, accepted), (
            verdict.portfolio_if_accepted,
            accepted,
        )
    else:
        assert verdict.portfolio_if_accepted is None
    # The frontier point: the partner alone in what the concluded deal leaves.
    alone = held_reference(model, pf, code, fixed)
    alone.held_v = 0.0
    best = alone.best_v(floor=(code, max(u, threshold) - ABS))
    gap = verdict.frontier
    if gap.on_frontier:
        assert keeps or check(pf, [*fixed, counter]).ok
        assert best is None or v >= best.us - REL * max(abs(v), 1e9) - ABS, (v, best)
    elif best is None or code not in best.deals:
        assert gap.package is None, gap
        assert close(gap.us_utility, model.partners[code].us_batna)
    else:
        assert close(gap.us_utility, best.deals[code][0]), (gap, best)
        assert close(gap.gain, best.deals[code][0] - v)
        assert gap.package is not None
        assert_checked(pf, [*fixed, gap.package])
        assert close(evaluate_ref(model, gap.package)[0], gap.us_utility)
    if keeps:
        conclude(pf, root, code)
        compare_room(pf, root, model, [*fixed, counter], out)


# ----------------------------------------------------------------------------------------
# Logrolling: the top of the ranking is the enumeration's best change of at most two terms.


Terms = tuple[str, tuple[tuple[str, Any], ...]]  # security level, granted (id, option label)


def _label(option: tuple[Any, float, float]) -> Any:
    return option[0]


def _granted(p: RPartner, package: Package) -> dict[str, Any]:
    """The package's granted terms as the menus' option labels (True, a level id, an
    amount in USD)."""
    out = {}
    for cid, g in package.concessions.items():
        if g is False:
            continue
        options = next(m[1] for m in p.menus if m[0] == cid)
        match = [o for o in options if o[0] is True or o[0] == g]
        if not match:
            from test_qa31_verify import money

            match = [o for o in options if isinstance(o[0], float) and abs(o[0] - money(g)) < 1]
        out[cid] = _label(match[0])
    return out


def _amount(p: RPartner, cid: str, label: Any) -> float | None:
    """A range option's amount, or a named level's (None for yes/no)."""
    if isinstance(label, float):
        return label
    return None


def neighbourhood(model: RModel, p: RPartner, package: Package) -> list[Terms]:
    """Every set of terms at most two moves away (docs/decisions.md, "Amounts and
    logrolling"): move the security level; drop a granted concession, grant one, or give
    another of its options (a level or an amount of its range); two moves on different
    terms. The package's own terms are among them (compute re-planned)."""
    now = _granted(p, package)
    moves: list[tuple[str, str, Any]] = [
        ("security", k, None) for k in model.levels if k in p.security and k != package.security
    ]
    for cid, options, _, _ in p.menus:
        current = now.get(cid)
        if cid in now:
            moves.append(("concession", cid, None))
        for o in options:
            if current is None or o[0] != current:
                moves.append(("concession", cid, o[0]))
    out: list[Terms] = []
    sets: list[list[tuple[str, str, Any]]] = [[], *([m] for m in moves)]
    sets += [
        [a, b]
        for a, b in itertools.combinations(moves, 2)
        if a[:2] != b[:2] and not (a[0] == b[0] == "security")
    ]
    for chosen in sets:
        level, granted = package.security, dict(now)
        for kind, what, option in chosen:
            if kind == "security":
                level = what
            elif option is None:
                del granted[what]
            else:
                granted[what] = option
        out.append((level, tuple(sorted(granted.items(), key=lambda kv: kv[0]))))
    return list(dict.fromkeys(out))


def allowed(model: RModel, p: RPartner, terms: Terms) -> bool:
    order = list(model.levels)
    level, granted = terms[0], dict(terms[1])
    for cid, _, requires, excludes in p.menus:
        if cid not in granted:
            continue
        for need in requires:
            if isinstance(need, dict):
                if order.index(level) < order.index(need["security"]):
                    return False
            elif need not in granted:
                return False
        if any(e in granted for e in excludes):
            return False
    return True


def choice(model: RModel, code: str, terms: Any) -> Choice:
    """`terms` (a security level, the concessions granted) as the reference's choice: its
    concessions' US value and partner cost summed."""
    p = model.partners[code]
    level, granted = terms[0], dict(terms[1])
    us = cost = 0.0
    for cid, label in granted.items():
        option = next(o for o in next(m[1] for m in p.menus if m[0] == cid) if o[0] == label)
        us, cost = us + option[1], cost + option[2]
    return Choice(level, us, cost, ())


def best_joint(
    model: RModel,
    code: str,
    terms: Terms,
    start: tuple[float, float],
    others: list[Package],
    margin: float = 0.0,
) -> float | None:
    """The most joint gain over `start` (V_p, U_p) under `terms`, both sides gaining at least
    MIN_GAIN + `margin`, the partner accepting, in the supply and risk budget `others`
    leave: an LP (None: no such schedule)."""
    supply = dict(model.supply)
    budget = model.budget
    for pkg in others:
        _, _, risk, _ = evaluate_ref(model, pkg)
        for t, x in pkg.compute.items():
            supply[t] = max(0.0, supply[t] - x)
        if budget is not None:
            budget = max(0.0, budget - risk)
    prog = program(model, {code: choice(model, code, terms)}, supply, budget)
    (cv, vv), (cu, vu) = prog.v[code], prog.u[code]
    rows = [
        (-vv, cv - (start[0] + MIN_GAIN + margin) / BN),
        (-vu, cu - (start[1] + MIN_GAIN + margin) / BN),
    ]
    out = lp_max(prog, vv + vu, rows)
    if out is None:
        return None
    return (out[0] + cv + cu) * BN - start[0] - start[1]


def _terms_of(p: RPartner, package: Package) -> Terms:
    return (package.security, tuple(sorted(_granted(p, package).items(), key=lambda kv: kv[0])))


def compare_logrolls(path: Path) -> None:
    """For each deal of the optimum and a worse start (half its compute, its concessions
    dropped), the other deals held: every improvement listed gives both sides at least USD 1m
    more (recomputed); the first's joint gain is the enumeration's best over the
    neighbourhood (within the whole H100e the re-plan counts in); every set of terms with an
    improvement and room to spare is listed, its best within the same allowance."""
    model, pf = read_model(path), load_portfolio(path)
    base = solve(pf)
    for deal in base.deals:
        package = deal.package()
        code = deal.partner
        p = model.partners[code]
        others = [d.package() for d in base.deals if d.partner != code]
        half = {t: x / 2 for t, x in package.compute.items()}
        plain = package.model_copy(update={"compute": half, "concessions": {}})
        for start in (package, plain):
            if not check(pf, [*others, start]).ok:
                continue
            sv, su, _, _ = evaluate_ref(model, start)
            # One H100e a period, and one more, at the most a unit moves the joint gain.
            rates = [abs(model.rate(p, k)[0]) for k in p.security]
            per = max(rates) + max(value for _, value in p.segments)
            allowance = per * (len(model.periods) + 1) + ABS
            found = improvements(pf, start, others, every_variant=True)
            by_terms: dict[Terms, float] = {}
            for better in found:
                v, u, _, accepts = evaluate_ref(_with_amounts(path, better.package), better.package)
                assert accepts and v - sv >= MIN_GAIN - ABS and u - su >= MIN_GAIN - ABS, better
                assert close(better.joint_gain, v + u - sv - su), better
                key = _terms_of(p, better.package)
                by_terms[key] = max(by_terms.get(key, -math.inf), better.joint_gain)
            refs = {}
            for terms in neighbourhood(model, p, start):
                if not allowed(model, p, terms):
                    continue
                best = best_joint(model, code, terms, (sv, su), others)
                if best is not None:
                    refs[terms] = best
            top = max(refs.values(), default=None)
            if top is None:
                assert not found, found[:1]
                continue
            for terms, best in refs.items():
                assert by_terms.get(terms, -math.inf) <= best + allowance, (terms, by_terms)
                roomy = best_joint(model, code, terms, (sv, su), others, margin=allowance)
                if roomy is not None:
                    assert terms in by_terms, (start, terms, best)
                    assert by_terms[terms] >= best - allowance, (start, terms, best, by_terms)
            if found:
                assert found[0].joint_gain >= top - allowance, (start, found[0], top)
                listed = improvements(pf, start, others)
                assert listed and listed[0].joint_gain == found[0].joint_gain


# ----------------------------------------------------------------------------------------
# The generated cases.


@quick(8)
@given(files=portfolios(most=3))
def test_generated_held_nash_and_kalai_points_are_the_enumerations_maximisers(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_held_bargaining(written(files, tmp_path_factory.mktemp("gen")))


@quick(4)
@given(files=portfolios(most=3))
def test_generated_joint_frontiers_bargaining_points_and_zone_are_recomputed(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_joint_bargaining(written(files, tmp_path_factory.mktemp("gen")))


@quick(12)
@given(
    files=portfolios(most=3),
    scale=st.sampled_from([0.8, 1.0, 1.0, 1.1]),
    drop=st.booleans(),
)
def test_generated_verdicts_and_rooms_with_deals_concluded_and_walked_away(
    files: dict[str, Any], scale: float, drop: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    where = tmp_path_factory.mktemp("gen")
    compare_verdict(written(files, where), where / "rounds" / "gen", scale, drop)


@quick(8)
@given(files=portfolios(most=3))
def test_generated_logrolls_top_the_enumerations_best_change(
    files: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    compare_logrolls(written(files, tmp_path_factory.mktemp("gen")))


# ----------------------------------------------------------------------------------------
# Faults the generated portfolios found (each kept as a file; each test failed before).

DATA = Path(__file__).parent / "data" / "qa36reference"


def test_the_held_nash_and_kalai_points_do_not_depend_on_the_points_asked_for() -> None:
    """gridgap: PB's held frontier runs from the US-best end (U -$150.0m, its walk-away value
    to the dollar) down a stretch under kyc to U -$142.4m (V $1.79bn), then jumps to the
    partner-best end, an empty deal (U 0, V the no-deal value). The zone exists; the
    enumeration's Nash and Kalai point is the kyc stretch's end. `--points all` showed it;
    `--points 5` (grid at U -112.5m, -75m, -37.5m, all the empty deal) showed no Nash or
    Kalai point at all: the mode solves ran only when one of the points had both gains."""
    path = DATA / "gridgap" / "portfolio.yaml"
    compare_held_bargaining(path)
    pf = load_portfolio(path)
    base = solve(pf)
    marks = []
    for points in ("all", 5):
        f = frontier(pf, "PB", points=points, base=base)  # type: ignore[arg-type]
        assert f.nash is not None and f.kalai is not None, points
        marks.append((f.nash.us_utility, f.nash.partner_utility, f.kalai.partner_utility))
    assert marks[0] == pytest.approx(marks[1])
    assert marks[0][1] == pytest.approx(-142_428_545, abs=1.0)
