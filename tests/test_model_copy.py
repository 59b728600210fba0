"""A changed copy of a model recomputes what it caches: what scenarios (`--set`), the
negotiation layer and robust solves rely on when they change one figure of a partner."""

from __future__ import annotations

from dealbench.model import load_portfolio
from helpers import REPO


def test_a_copy_with_a_new_value_curve_has_the_new_segments() -> None:
    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    ae = pf.partner("AE")
    assert ae is not None
    before = ae.segments  # cached on the original
    changed = ae.model_copy(update={"value_per_h100e": 1.0})
    assert changed.segments != before
    assert all(value == 1.0 for _, value in changed.segments)
    assert ae.segments == before  # the original keeps its own


def test_a_copy_with_new_levels_offers_the_new_options() -> None:
    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    ae = pf.partner("AE")
    assert ae is not None
    concession = next(c for c in ae.concessions if c.levels)
    assert concession.options  # cached
    one = concession.model_copy(update={"levels": concession.levels[:1]})  # type: ignore[index]
    assert [o.id for o in one.options] == [concession.options[0].id]


def test_a_policy_copy_with_other_levels_lists_them() -> None:
    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    policy = pf.policy
    assert policy.level_ids  # cached
    fewer = policy.model_copy(update={"security_levels": policy.security_levels[:1]})
    assert fewer.level_ids == policy.level_ids[:1]
