"""The objectives of the plain model, one `add_*` each: us-best and partner-best
(`add_objective`), nash's sum of logs bounded by tangents (`add_nash_objective`) and
kalai's least share (`add_kalai_objective`), with the rows that leave partners without a
zone of agreement out of the bargain.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulp

from dealbench.model.partner import Partner
from dealbench.optimize.formulation import MONEY, Formulation, Row, safe_name

#: Per partner, the ideal gains (US, partner) over no deal in model units: the
#: Nash cuts are placed below them and Kalai's shares are taken of them.
Ideals = dict[str, tuple[float, float]]
#: nash: a partner bargained with gains at least this share of each ideal gain (where the
#: lowest tangent is placed, `nash.LOWEST`), and each side of a partner left without a
#: deal counts this log, far below the log of any gain counted.
NASH_LEAST_SHARE = 1e-3


NASH_LEFT_LOG = -100.0


def add_objective(f: Formulation, v_floor: float | None) -> None:
    """us-best: max V. partner-best: max sum U subject to V >= V_floor (default: no deal)."""
    pf = f.portfolio
    us_batna = sum(p.us_batna for p in pf.partners)
    us_gain = pulp.lpSum(f.us_terms(p) for p in pf.partners)
    if f.mode == "us-best":
        f.offset = us_batna
        f.problem += us_gain
        return
    floor = us_batna if v_floor is None else v_floor
    f.add(us_gain >= (floor - us_batna) / MONEY, "us_floor", Row("us-floor"))
    f.offset = sum(p.batna for p in pf.partners)
    f.problem += pulp.lpSum(f.deal_terms(p) - (p.batna / MONEY) * f.z[p.code] for p in pf.partners)


def _no_zopa(f: Formulation, ideals: Ideals, require: Sequence[str] = ()) -> list[Partner]:
    """Partners with a zone of agreement; the others get no deal (z = 0), unless the user
    requires one (then it has a deal, outside the bargaining objective)."""
    out = []
    for p in f.portfolio.partners:
        if p.code in ideals:
            out.append(p)
        elif p.code not in require:
            f.add(f.z[p.code] <= 0, f"nozopa_{p.code}", Row("no-zopa", p.code))
    return out


def gains(f: Formulation, p: Partner) -> tuple[pulp.LpAffineExpression, pulp.LpAffineExpression]:
    """(V[p] - us_batna[p], U[p] - batna[p]) in model units; both 0 without a deal."""
    return f.us_terms(p), f.deal_terms(p) - (p.batna / MONEY) * f.z[p.code]


def add_nash_objective(
    f: Formulation,
    ideals: Ideals,
    points: dict[str, tuple[list[float], list[float]]],
    require: Sequence[str] = (),
) -> None:
    """max sum_p log(US gain) + log(partner gain), each log bounded by its tangents.

    Which partners bargain is the MIP's choice, the same for every partner: a binary
    `bargain[p]` (not for a required partner, whose deal stands anyway) gives p a deal
    with both gains at least `NASH_LEAST_SHARE` of its ideals, or no deal and a log of
    `NASH_LEFT_LOG` for each side. So when the limits cannot give every partner a gain
    at once, as few as possible are left without one, and of those sets the one with the
    largest product over the others. Without it, a gain of 0 counted as the lowest
    tangent's value there, log(LOWEST x ideal) - 1, which is higher for a larger ideal:
    the MIP left out the partner with the most to gain (tests/data/qa26verify)."""
    import math

    terms = []
    for i, p in enumerate(_no_zopa(f, ideals, require)):
        us_gain, partner_gain = gains(f, p)
        us_points, partner_points = points[p.code]
        chosen = None
        if p.code not in require:
            chosen = f.problem.add_variable(f"bargain_{i}_{safe_name(p.code)}", cat=pulp.LpBinary)
            f.add(f.z[p.code] - chosen <= 0, f"bargain_deal_{p.code}", Row("nash-cut", p.code))
        for side, gain, at, ideal in (
            ("v", us_gain, us_points, ideals[p.code][0]),
            ("u", partner_gain, partner_points, ideals[p.code][1]),
        ):
            phi = f.problem.add_variable(
                f"log{side}_{i}_{safe_name(p.code)}", lowBound=NASH_LEFT_LOG
            )
            terms.append(phi)
            for j, a in enumerate(at):
                f.add(
                    phi - gain / a <= math.log(a) - 1.0,
                    f"tangent_{side}_{p.code}_{j}",
                    Row("nash-cut", p.code),
                )
            if chosen is not None:
                top = math.log(max(at)) + 5.0 - NASH_LEFT_LOG  # above the cuts' bound
                f.add(
                    phi - top * chosen <= NASH_LEFT_LOG,
                    f"left_{side}_{p.code}",
                    Row("nash-cut", p.code),
                )
                f.add(
                    gain - NASH_LEAST_SHARE * ideal * chosen >= 0,
                    f"gains_{side}_{p.code}",
                    Row("nash-cut", p.code),
                )
    f.problem += pulp.lpSum(terms)


def add_kalai_objective(
    f: Formulation,
    ideals: Ideals,
    tau_floor: float | None,
    require: Sequence[str] = (),
    *,
    least_risk: bool = False,
) -> None:
    """max tau with each side's gain >= tau x its ideal gain (then, with `tau_floor`,
    the sum of shares at tau >= tau_floor; with `least_risk` too, the least risk R).

    With a floor above 0 every partner with a zone of agreement has a deal (without one
    its gains are 0, below the floor): z[p] >= 1, a row the solver cannot derive itself
    from the gains' rows (the second stage on global: 931 nodes with it, 2,082-6,698
    without, the same optimum)."""
    tau = f.problem.add_variable("tau", lowBound=0, upBound=1)
    shares = []
    bargained = _no_zopa(f, ideals, require)
    for p in bargained:
        us_gain, partner_gain = gains(f, p)
        vi, ui = ideals[p.code]
        f.add(us_gain - vi * tau >= 0, f"kalai_v_{p.code}", Row("kalai", p.code))
        f.add(partner_gain - ui * tau >= 0, f"kalai_u_{p.code}", Row("kalai", p.code))
        shares += [us_gain / vi, partner_gain / ui]
    if tau_floor is None:
        f.problem += 1.0 * tau
        return
    f.add(tau >= tau_floor, "kalai_tau", Row("kalai"))
    if tau_floor > 0:
        for p in bargained:
            f.add(f.z[p.code] >= 1, f"kalai_deal_{p.code}", Row("kalai", p.code))
    if least_risk:
        f.problem += -pulp.lpSum(f.risk_terms(p) for p in f.portfolio.partners)
    else:
        f.problem += pulp.lpSum(shares)
