"""The joint frontier's floors, cheaper (session 37, lead).

Each floor's point and its lift reuse the figures `solve` checked the other deals to
(`check(..., checked=...)`: a package that is one of them exactly is not evaluated
again), and a floor started from its neighbour searches two sets a partner in its first
round (`JOINT_SETS_FROM_NEIGHBOUR`), a chain's first floor three, and its schedule
starts from where the floor before's ended (`ScheduleStart`). What a user relies on:
every point is what the independent check says of its packages, and a proven optimum.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from tests.helpers import continuous

from dealbench.checker import check
from dealbench.model.package import Package
from dealbench.negotiate import frontier, joint_chains
from dealbench.negotiate.frontier import point_of
from dealbench.optimize import solve
from dealbench.optimize.decomposition.warm import WarmStart
from dealbench.optimize.schedule import schedule
from dealbench.optimize.schedule.smooth import ScheduleStart
from dealbench.synth import Size, generate

#: Twelve partners, six periods (as tests/test_qa24_joint.py): the plain model solves it.
V = Size("V", 12, 6, 3, 3)


def test_figures_given_as_checked_are_kept_only_for_the_same_package() -> None:
    """Figures of the very package are kept (the same check as without them); figures of
    another package of the same partner are not: the package given is evaluated."""
    pf = generate(V, seed=240)
    result = solve(pf)
    packages = [d.package() for d in result.deals]
    plain = check(pf, packages)
    assert check(pf, packages, checked=plain.deals) == plain
    first = packages[0]
    moved = {t: x + 1000.0 for t, x in first.compute.items()}
    other = Package(
        partner=first.partner,
        security=first.security,
        compute=moved,
        concessions=dict(first.concessions),
    )
    stale = check(pf, [other, *packages[1:]])
    assert check(pf, packages, checked=stale.deals) == plain
    assert check(pf, [other, *packages[1:]], checked=plain.deals) == stale


@pytest.mark.parametrize("seed", [228, 236, 241])
def test_every_joint_point_is_what_the_check_says_of_its_packages(seed: int) -> None:
    """Each point of a joint frontier (its V, the partner's U and figures, the portfolio's
    risk) equals the point a full check of its packages gives: the floored portfolio's
    figures of the other deals stand for the real portfolio's."""
    pf = continuous(generate(V, seed=seed))
    base = solve(pf)
    code = max(base.deals, key=lambda d: d.us_value).partner
    f = frontier(pf, code, points=6, jointly=True, base=base, bargaining=False, jobs=1)
    joint = [p for p in f.points if p.package is not None and p.label != "US-best"]
    assert joint
    for p in joint:
        assert p.package is not None
        again = point_of(pf, code, [*p.others, p.package], p.label)
        sums = {"others", "us_utility", "portfolio_risk"}  # summed in another order here
        assert again.model_dump(exclude=sums) == p.model_dump(exclude=sums)
        assert again.us_utility == pytest.approx(p.us_utility, rel=1e-12)
        assert again.portfolio_risk == pytest.approx(p.portfolio_risk, rel=1e-12)
        assert sorted(o.partner for o in again.others) == sorted(o.partner for o in p.others)


def _joint_values(seed: int) -> Callable[[], list[tuple[float, float]]]:
    """(U, V) of each point of a 6-point joint frontier of V seed `seed` (continuous), for
    the partner worth most to the US, as the code stands when called."""
    pf = continuous(generate(V, seed=seed))
    base = solve(pf)
    code = max(base.deals, key=lambda d: d.us_value).partner

    def values() -> list[tuple[float, float]]:
        f = frontier(pf, code, points=6, jointly=True, base=base, bargaining=False, jobs=1)
        return [(p.partner_utility, p.us_utility) for p in f.points]

    return values


@pytest.mark.parametrize("seed", [228, 241])
def test_two_sets_from_the_neighbour_give_the_proven_points(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sets a partner from the floor before, or three everywhere: the same V at every
    floor within the gap (each a proven optimum), whatever package ties."""
    values = _joint_values(seed)
    now = values()
    monkeypatch.setattr(joint_chains, "JOINT_SETS_FROM_NEIGHBOUR", 3)
    before = values()
    assert len(now) == len(before)
    for (u, v), (u0, v0) in zip(now, before, strict=True):
        assert abs(u - u0) <= 1e4
        assert abs(v - v0) <= 2e-6 * abs(v0) + 1e4


def _scheduled(seed: int, **starts: ScheduleStart | None) -> list[dict[str, float]]:
    """The compute of a V portfolio's optimum, scheduled again from its packages."""
    pf = generate(V, seed=seed)
    packages = [d.package() for d in solve(pf).deals]
    done = schedule(pf, "us-best", packages, **starts)  # type: ignore[arg-type]
    return [dict(p.compute) for p in done.packages]


def _close(a: list[dict[str, float]], b: list[dict[str, float]]) -> bool:
    return len(a) == len(b) and all(
        x.keys() == y.keys() and all(abs(x[t] - y[t]) <= 1e-3 for t in x)
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("seed", [228, 240])
def test_a_schedule_started_where_another_ended_is_the_same_schedule(seed: int) -> None:
    """The smooth schedule's value and steadiness stages started from where the same
    program's, or an unrelated portfolio's, ended (`ScheduleStart`): the same amounts as
    from scratch, to a thousandth of an H100e; each stage is still solved to its optimum."""
    cold = _scheduled(seed)
    kept = ScheduleStart()
    assert _close(_scheduled(seed, keep=kept), cold)
    assert set(kept.stages) == {0, 1}
    assert _close(_scheduled(seed, prior=kept), cold)
    other = ScheduleStart()
    _scheduled(seed + 1, keep=other)
    assert _close(_scheduled(seed, prior=other), cold)


@pytest.mark.parametrize("seed", [228, 241])
def test_floors_whose_schedules_start_from_the_floor_before_give_the_same_points(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each joint floor's schedule started from the one before's, or from scratch: the
    same V and partner utility at every point (to USD 1, the LPs' tolerances)."""
    values = _joint_values(seed)
    now = values()
    narrowed = joint_chains._narrowed

    def from_scratch(warm: WarmStart | None, sets: int | None = None) -> WarmStart | None:
        w = narrowed(warm, sets)
        return None if w is None else dataclasses.replace(w, keep_schedule=False)

    monkeypatch.setattr(joint_chains, "_narrowed", from_scratch)
    before = values()
    assert len(now) == len(before)
    for (u, v), (u0, v0) in zip(now, before, strict=True):
        assert abs(u - u0) <= 1.0 and abs(v - v0) <= 1.0
