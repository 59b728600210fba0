"""Session 46 (qa46-newuser): a new user with only the repository.

Each test is a fault met by following the README and the commands' `--help` on a fresh
clone, and by writing a portfolio of one's own from docs/formats.md alone: two new
partners over four quarters, one with a range concession.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import invoke

POLICY = """\
id: andes
title: Andean pilot regime
security_levels:
  - {id: baseline, title: Standard licence conditions, mitigation: 0}
  - {id: veu, title: VEU-grade data centres, mitigation: 80%}
caps:
  tier1: {}
  tier2: {baseline: 8_000, veu: 40_000}
  tier3: 0
export_value_per_h100e: 8k
risk_penalty_per_h100e: 100k
risk_budget: 5_000
acceptance_margin: 5m
"""

CHILE = """\
code: CL
name: Chile
tier: 2
diversion_risk: 0.08
ask: {2026Q1: 5_000, 2026Q2: 8_000, 2026Q3: 10_000, 2026Q4: 12_000}
value_per_h100e:
  - {upto: 5_000, value: 40k}
  - {upto: 12_000, value: 20k}
batna: 200m
security_costs: {baseline: 0, veu: 30m}
concessions:
  - id: lithium-offtake
    title: Lithium offtake for US battery makers
    category: purchase
    amount: {unit: USD, min: 0, step: 1bn}
    levels:
      - {id: 4bn, title: USD 4bn of offtake, amount: 4bn, us_value: 800m, partner_cost: 300m}
  - id: no-prc
    title: No PRC-made accelerators
    category: security
    us_value: 150m
    partner_cost: 60m
    requires: [{security: veu}]
"""

PERU = """\
code: PE
name: Peru
tier: 2
diversion_risk: 0.15
ask: {2026Q1: 2_000, 2026Q2: 3_000, 2026Q3: 4_000, 2026Q4: 4_000}
value_per_h100e: 25k
batna: 50m
security_costs: {baseline: 0, veu: 20m}
concessions:
  - id: mining-jv
    title: Critical-minerals joint venture
    category: investment
    us_value: 120m
    partner_cost: 50m
    excludes: [prc-port]
  - id: prc-port
    title: Review of PRC port concession
    category: security
    us_value: 200m
    partner_cost: 150m
"""

PORTFOLIO = """\
id: andes
title: Andean quarters, 2026
policy: ../policy/andes.yaml
periods: [2026Q1, 2026Q2, 2026Q3, 2026Q4]
supply: {2026Q1: 6_000, 2026Q2: 8_000, 2026Q3: 10_000, 2026Q4: 12_000}
partners: [../partners/cl.yaml, ../partners/pe.yaml]
"""


def _andes(root: Path) -> Path:
    """The portfolio, laid out as docs/formats.md lays out its own example."""
    for name, text in (
        ("policy/andes.yaml", POLICY),
        ("partners/cl.yaml", CHILE),
        ("partners/pe.yaml", PERU),
        ("portfolios/andes.yaml", PORTFOLIO),
    ):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root / "portfolios/andes.yaml"


def test_a_verdicts_frontier_package_without_concessions_says_so(tmp_path: Path) -> None:
    """`counter` on a Peruvian counter above its ask and cap said the frontier's package
    was "with veu, -, compute 2026Q1 2,000, ...": the "-" a table prints for no
    concessions, inside a sentence. It now says "under veu with no concessions, compute"."""
    portfolio = _andes(tmp_path)
    counter = tmp_path / "pe-counter.yaml"
    counter.write_text(
        "partner: PE\nside: counter\nsecurity: baseline\n"
        "compute: {2026Q1: 3_000, 2026Q2: 3_000, 2026Q3: 4_000, 2026Q4: 4_000}\n"
        "concessions: {mining-jv: true}\n",
        encoding="utf-8",
    )
    run = invoke(["counter", portfolio, counter, "--no-documents"])
    assert run.exit_code == 0, run.output
    said = " ".join(run.stdout.split())
    assert "under veu with no concessions, compute 2026Q1 2,000, 2026Q2 3,000" in said
    assert ", -," not in said


def _peru_valued(root: Path, value: str) -> Path:
    """The Peruvian partner file with `value_per_h100e` written as `value`."""
    partner = root / "pe.yaml"
    partner.write_text(PERU.replace("value_per_h100e: 25k", value), encoding="utf-8")
    return partner


def test_a_value_per_period_is_answered_with_the_curve_to_write(tmp_path: Path) -> None:
    """docs/formats.md's comment "value_per_h100e: # per period; ..." led to a value per
    quarter, `{2026Q1: 30k, ...}`, which `validate` refused with "expected an amount of USD
    such as 1.4tn, ..., got a mapping": not that segments were the other form, nor that the
    curve is the same in every period. It now says both."""
    partner = _peru_valued(
        tmp_path, "value_per_h100e: {2026Q1: 30k, 2026Q2: 25k, 2026Q3: 25k, 2026Q4: 20k}"
    )
    run = invoke(["validate", partner])
    assert run.exit_code == 2
    assert run.traceback == ""
    assert (
        "pe.yaml:6: value_per_h100e: expected one curve for every period, an amount (25k) or "
        "a list of segments ({upto, value}), got a value per period; a partner's value per "
        "H100e is the same in every period"
    ) in run.stderr
    assert "got a mapping" not in run.stderr


def test_a_segment_outside_its_list_is_answered_with_the_list_item(tmp_path: Path) -> None:
    """One segment written as a mapping, `{upto: 4_000, value: 25k}`, was "expected an
    amount ..., got a mapping" too; the error now says to make it an item of the list."""
    partner = _peru_valued(tmp_path, "value_per_h100e: {upto: 4_000, value: 25k}")
    run = invoke(["validate", partner])
    assert run.exit_code == 2
    assert (
        "value_per_h100e: expected a list of segments, got one segment outside a list; write "
        "each segment as an item of the list: `- {upto: 20_000, value: 30k}`"
    ) in run.stderr
    listed = _peru_valued(tmp_path, "value_per_h100e:\n  - {upto: 4_000, value: 25k}")
    assert invoke(["validate", listed]).exit_code == 0


def test_a_distribution_of_the_value_still_loads(tmp_path: Path) -> None:
    """The mapping a value may be, a distribution, is read as before."""
    partner = _peru_valued(tmp_path, "value_per_h100e: {dist: uniform, low: 20k, high: 30k}")
    run = invoke(["validate", partner])
    assert run.exit_code == 0, run.stderr
