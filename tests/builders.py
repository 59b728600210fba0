"""Build portfolios in Python: by hand for one test, or generated for many.

`generate(picker)` draws a small random portfolio. The picker is either a
seeded `random.Random` (`RandomPicker`, for the brute-force cross-check, where
a failing case is named by its seed) or hypothesis' `draw` (`portfolios()`,
for the property tests, where hypothesis shrinks a failing case). Numbers are
round (thousands of H100e, tenths of a billion USD) so that optima are exact
in floating point up to the solver's tolerances.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st

from dealbench.model import Partner, Policy, Portfolio
from dealbench.model.granularity import Granularity

T = TypeVar("T")

LEVELS = ("baseline", "kyc", "veu")
CODES = ("AA", "BB", "CC", "DD")
PERIODS = ("2026", "2027", "2028")


# --- by hand --------------------------------------------------------------------------


def policy(
    *,
    levels: Sequence[tuple[str, float]] = (("baseline", 0.0), ("kyc", 0.5), ("veu", 0.9)),
    caps: dict[str, Any] | None = None,
    export_value: float | str = "10k",
    risk_penalty: float | str = "100k",
    risk_budget: float | None = None,
    margin: float | str = 0,
    id: str = "test",
) -> Policy:
    """A regime; `caps` as in a policy file (`{"tier2": {"baseline": 10_000}, "tier3": 0}`)."""
    return Policy.model_validate(
        {
            "id": id,
            "title": f"Regime {id}",
            "security_levels": [
                {"id": lv, "title": lv.upper(), "mitigation": m} for lv, m in levels
            ],
            "caps": caps if caps is not None else {},
            "export_value_per_h100e": export_value,
            "risk_penalty_per_h100e": risk_penalty,
            "risk_budget": risk_budget,
            "acceptance_margin": margin,
        }
    )


def concession(
    id: str,
    *,
    levels: Sequence[tuple[str, float | str, float | str]] | None = None,
    us_value: float | str | None = None,
    partner_cost: float | str | None = None,
    requires: Sequence[str | dict[str, str]] = (),
    excludes: Sequence[str] = (),
) -> dict[str, Any]:
    """A concession as a partner file writes it: `levels=[(id, us_value, partner_cost)]`
    for a levelled one, or `us_value` and `partner_cost` for a yes/no term."""
    out: dict[str, Any] = {"id": id, "title": f"Concession {id}"}
    if levels is not None:
        out["levels"] = [
            {"id": lid, "title": f"{id} {lid}", "us_value": uv, "partner_cost": pc}
            for lid, uv, pc in levels
        ]
    else:
        out["us_value"] = us_value
        out["partner_cost"] = partner_cost
    out["requires"] = list(requires)
    out["excludes"] = list(excludes)
    return out


def partner(
    code: str = "AA",
    *,
    tier: int = 2,
    diversion_risk: float = 0.2,
    ask: dict[str, float] | None = None,
    value: float | str | list[dict[str, Any]] = "30k",
    batna: float | str = 0,
    us_batna: float | str = 0,
    security_costs: dict[str, float | str] | None = None,
    concessions: Sequence[dict[str, Any]] = (),
) -> Partner:
    return Partner.model_validate(
        {
            "code": code,
            "name": f"Partner {code}",
            "tier": tier,
            "diversion_risk": diversion_risk,
            "ask": ask if ask is not None else {"2026": 100_000},
            "value_per_h100e": value,
            "batna": batna,
            "us_batna": us_batna,
            "security_costs": security_costs
            if security_costs is not None
            else dict.fromkeys(LEVELS, 0),
            "concessions": list(concessions),
        }
    )


def portfolio(
    the_policy: Policy,
    partners: Sequence[Partner],
    *,
    supply: dict[str, float],
    risk_budget: float | None = None,
    id: str = "test",
    granularity: float | Granularity = 0,
) -> Portfolio:
    """A portfolio over the periods of `supply`, in their order; amounts are continuous
    unless `granularity` (H100e, or a `Granularity`) says otherwise, so hand-worked
    optima stay exact."""
    grid = granularity if isinstance(granularity, Granularity) else Granularity(h100e=granularity)
    return Portfolio(
        own_granularity=grid,
        id=id,
        title=f"Portfolio {id}",
        policy=the_policy,
        periods=list(supply),
        supply=dict(supply),
        partners=list(partners),
        risk_budget=risk_budget if risk_budget is not None else the_policy.risk_budget,
    )


def with_limits(
    pf: Portfolio, *, supply: dict[str, float] | None = None, risk_budget: float | None = None
) -> Portfolio:
    """A copy of `pf` with other shared limits."""
    update: dict[str, Any] = {}
    if supply is not None:
        update["supply"] = supply
    if risk_budget is not None:
        update["risk_budget"] = risk_budget
    return pf.model_copy(update=update)


# --- generated ------------------------------------------------------------------------


class Picker(Protocol):
    def int(self, lo: int, hi: int) -> int: ...

    def choice(self, options: Sequence[T]) -> T: ...

    def bool(self) -> bool: ...


class RandomPicker:
    """Choices from a seeded `random.Random`."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def int(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, options: Sequence[T]) -> T:
        return self.rng.choice(list(options))

    def bool(self) -> bool:
        return self.rng.random() < 0.5


class DrawPicker:
    """Choices drawn by hypothesis (so failing cases shrink)."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def int(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def choice(self, options: Sequence[T]) -> T:
        return self.draw(st.sampled_from(list(options)))

    def bool(self) -> bool:
        return self.draw(st.booleans())


def generate(
    pick: Picker,
    *,
    max_partners: int = 3,
    max_periods: int = 2,
    max_concessions: int = 2,
    max_combinations: int | None = None,
) -> Portfolio:
    """A small random portfolio. `max_combinations` bounds the number of discrete
    choices (deal or not, security level, concession levels) over all partners, so
    that enumerating them stays cheap; concessions are dropped to meet it."""
    n_periods = pick.int(1, max_periods)
    periods = list(PERIODS[:n_periods])
    mitigations = sorted(pick.choice((0.0, 0.25, 0.5, 0.75, 0.9, 1.0)) for _ in LEVELS)
    the_policy = policy(
        levels=list(zip(LEVELS, mitigations, strict=True)),
        caps=_caps(pick),
        export_value=pick.choice(("5k", "10k", "20k")),
        risk_penalty=pick.choice((0, "20k", "50k", "100k")),
        margin=pick.choice((0, 0, "100m")),
    )
    partners = []
    for code in CODES[: pick.int(1, max_partners)]:
        p = _partner(pick, code, periods, pick.int(0, max_concessions))
        if max_combinations is not None:
            while combinations(p) * _product(partners) > max_combinations and p.concessions:
                p = p.model_copy(update={"concessions": p.concessions[:-1]})
        partners.append(p)
    supply = {t: float(pick.choice((0, 50_000, 100_000, 150_000, 300_000))) for t in periods}
    budget = pick.choice((None, None, 0.0, 1_000.0, 5_000.0, 20_000.0))
    return portfolio(the_policy, partners, supply=supply, risk_budget=budget)


@st.composite
def portfolios(
    draw: st.DrawFn, max_partners: int = 4, max_periods: int = 3, max_concessions: int = 3
) -> Portfolio:
    """Hypothesis strategy over `generate`'s portfolios."""
    return generate(
        DrawPicker(draw),
        max_partners=max_partners,
        max_periods=max_periods,
        max_concessions=max_concessions,
    )


def combinations(p: Partner) -> int:
    """Discrete choices for one partner: no deal, or a level and a level of each concession."""
    per_level = 1
    for c in p.concessions:
        per_level *= len(c.options) + 1
    return 1 + len(p.security_costs) * per_level


def _product(partners: Sequence[Partner]) -> int:
    out = 1
    for p in partners:
        out *= combinations(p)
    return out


def _caps(pick: Picker) -> dict[str, Any]:
    options = (None, None, 0, 20_000, 50_000, 100_000)
    tier2 = {lv: cap for lv in LEVELS if (cap := pick.choice(options)) is not None}
    tier1: Any = pick.choice(({}, {}, 150_000, {"baseline": 50_000}))
    # Tier 3 receives nothing whatever the policy says; sometimes the policy says more.
    tier3: Any = pick.choice((0, 0, {}, 50_000))
    return {"tier1": tier1, "tier2": tier2, "tier3": tier3}


def _partner(pick: Picker, code: str, periods: list[str], n_concessions: int) -> Partner:
    if pick.bool():
        value: Any = pick.choice(("10k", "30k", "50k"))
    else:
        first = pick.choice((20_000, 50_000, 100_000))
        high = pick.choice((30_000, 50_000))
        value = [
            {"upto": first, "value": high},
            {"upto": first + pick.choice((50_000, 100_000)), "value": pick.choice((0, 10_000))},
        ]
    levels = [lv for lv in LEVELS if pick.bool()] or [pick.choice(LEVELS)]
    costs = {lv: pick.choice((0, 0, "100m", "500m")) for lv in levels}
    menu: list[dict[str, Any]] = []
    for i in range(n_concessions):
        cid = f"c{i}"
        requires: list[str | dict[str, str]] = []
        excludes: list[str] = []
        if pick.int(0, 3) == 0:
            requires.append({"security": pick.choice(LEVELS)})
        if i > 0 and pick.int(0, 3) == 0:
            requires.append(f"c{pick.int(0, i - 1)}")
        if i > 0 and pick.int(0, 3) == 0:
            excludes.append(f"c{pick.int(0, i - 1)}")
        if pick.bool():
            menu.append(
                concession(
                    cid,
                    us_value=pick.choice((0, "500m", "2bn", "5bn")),
                    partner_cost=pick.choice(("100m", "500m", "2bn")),
                    requires=requires,
                    excludes=excludes,
                )
            )
        else:
            menu.append(
                concession(
                    cid,
                    levels=[
                        ("lo", pick.choice(("500m", "1bn")), pick.choice(("200m", "500m"))),
                        ("hi", pick.choice(("2bn", "4bn")), pick.choice(("1bn", "2.5bn"))),
                    ],
                    requires=requires,
                    excludes=excludes,
                )
            )
    return partner(
        code,
        tier=pick.choice((1, 2, 2, 2, 3)),
        diversion_risk=pick.choice((0.0, 0.1, 0.2, 0.5, 1.0)),
        # A period left out of the ask is an ask of 0 (docs/decisions.md).
        ask={
            t: pick.choice((0, 20_000, 50_000, 100_000, 150_000))
            for t in periods
            if pick.int(0, 5) > 0
        },
        value=value,
        batna=pick.choice((0, 0, "500m", "1bn", "2bn")),
        us_batna=pick.choice(("-2bn", 0, 0, "500m")),
        security_costs=costs,
        concessions=menu,
    )
