"""Session 48 (qa48-input): bad input, overrides and signals. A tier cap a policy writes
once for every level is set under one level as a cap written per level is; a bad value
given by a YAML alias is said at the alias; Ctrl-C early in a command ends it as
"interrupted" and 130, not as signal 2."""

from __future__ import annotations

from pathlib import Path

from dealbench import apply_overrides, load_portfolio
from dealbench.analyze import read_value
from helpers import Runner

#: One partner under the monopoly regime, whose tier 2 cap is one figure for every level
#: (`tier2: 1_699`).
_MONOPOLY = """\
id: mono
title: One partner under the monopoly regime
policy: ../policy/monopoly.yaml
periods: [2026]
supply: {2026: 400_000}
partners: [../partners/sg.yaml]
"""


def test_a_tier_cap_written_once_for_every_level_is_set_under_one_level(deals: Path) -> None:
    """`--set policy.caps.tier2.veu=50_000` under monopoly.yaml (`tier2: 1_699`, the same at
    every level) said "policy.caps.tier2 is a single value (1,699), it has no 'veu'", where
    bilateral.yaml's tier 2 (written per level) took it, and a sweep of the path found no
    figure there. The one figure now stands for each level, and the level set changes
    alone."""
    path = deals / "portfolios" / "mono.yaml"
    path.write_text(_MONOPOLY)
    portfolio = load_portfolio(path)
    assert read_value(portfolio, "policy.caps.tier2.veu") == 1_699
    changed = apply_overrides(portfolio, ["policy.caps.tier2.veu=50_000"])
    assert changed.policy.caps.tier2 == {"baseline": 1_699, "kyc": 1_699, "veu": 50_000}
    sg = changed.partners[0]
    assert changed.level_cap(sg, "veu") == 50_000
    assert changed.level_cap(sg, "baseline") == 1_699


_ALIASED = """\
code: XA
name: Aliasland
tier: 2
diversion_risk: 0.3
ask: {2026: 100_000}
value_per_h100e: 30k
batna: 1bn
security_costs: {baseline: 0}
concessions:
  - id: first
    title: First
    category: security
    levels:
      - &level {id: l1, title: L1, us_value: 1bn, partner_cost: 2bnx}
  - id: second
    title: Second
    category: security
    levels:
      - *level
"""


def test_a_bad_value_given_by_an_alias_is_said_at_the_alias(run: Runner, tmp_path: Path) -> None:
    """A level written once under an anchor (`&level`, line 14) and used again by an alias
    (`- *level`, line 19) was refused twice at line 14, the second time for
    concessions[1], which line 14 is not: the user looked at the anchor for a fault the
    alias's use was named by. It is now said at the alias, with where its value is
    written."""
    path = tmp_path / "xa.yaml"
    path.write_text(_ALIASED)
    done = run("validate", path)
    assert done.exit_code == 2, done.output
    assert not done.traceback
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {path}:14: concessions[0].levels[0].partner_cost: ")
    assert lines[1].startswith(f"error: {path}:19: concessions[1].levels[0].partner_cost: ")
    assert lines[1].endswith("got '2bnx' (by the alias *level; written on line 14)")
