"""Portfolios a new user writes by hand (qa33-input): files that are valid but unusual,
read as a reader of README.md and DESIGN.md would read them. Each test failed before its
fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.model.load import load_portfolio
from dealbench.optimize.plain import solve_plain
from helpers import Runner

# A regime of its own: security levels named otherwise than the examples.
POLICY = """\
id: gates
title: Deals behind security gates
security_levels:
  - {id: open, title: Ordinary licence, mitigation: 0}
  - {id: audited, title: Audited operators, mitigation: 40%}
  - {id: sovereign-vault, title: US-run vaults, mitigation: 0.95}
caps:
  tier1: {}
  tier2: {open: 20_000, audited: 80_000, sovereign-vault: 400_000}
  tier3: 0
export_value_per_h100e: 10k
risk_penalty_per_h100e: 100k
risk_budget: 30_000
acceptance_margin: 25m
"""

VN = """\
code: VN
name: Vietnam
tier: 2
diversion_risk: 0.5
ask: {2026: 50_000, 2027: 80_000}
value_per_h100e: 25k
batna: 500m
security_costs: {open: 0, audited: 300m, sovereign-vault: 900m}
concessions: []
"""

PORTFOLIO = """\
id: mine
title: Vietnam, no supply in 2027
policy: gates.yaml
periods: [2026, 2027]
supply: {2026: 150_000, 2027: 0}
partners: [vn.yaml]
caps: {VN: {audited: 500}}
"""


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder / "portfolio.yaml"


def test_a_change_that_opens_only_a_package_worth_less_than_no_deal_is_not_the_remedy(
    run: Runner, tmp_path: Path
) -> None:
    """VN accepts 525m (walk-away 500m plus the 25m margin); its own cap under audited,
    500 H100e, keeps it from that level. Under open (cap 20,000 a year,
    no mitigation) 21,000 H100e give it 525m: 2026's cap and 1,000 in 2027, whose supply is
    0; each open H100e costs the US 100k x 0.5 - 10k = 40k, so that package is worth -840m.
    Under sovereign-vault (cost 900m) it needs 1.425bn of compute: 2026's ask of 50,000 and
    7,000 in 2027, each H100e worth 10k - 100k x 0.5 x 0.05 = 7.5k to the US: 427.5m. `solve`
    said to "raise supply in 2027 from 0 to 1,000 H100e", which opens no deal; the change
    that opens one is 7,000."""
    portfolio = _write(tmp_path, {"gates.yaml": POLICY, "vn.yaml": VN, "portfolio.yaml": PORTFOLIO})
    done = run("solve", portfolio)
    assert done.exit_code == 0, done.output
    said = " ".join(done.stdout.split())
    assert (
        "raise supply in 2027 from 0 to 1,000 H100e; that gives a package VN accepts but none "
        "worth more to the US than no deal (the best, open with 21,000 H100e, is worth "
        "-$840.0m to the US against $0 without a deal); to open one worth having, raise "
        "supply in 2027 from 0 to 7,000 H100e: sovereign-vault with 57,000 H100e, worth "
        "$427.5m to the US"
    ) in said, said
    # The change said opens the deal, and no less does.
    pf = load_portfolio(portfolio)
    for supply, deal in ((7_000, True), (6_000, False)):
        raised = pf.model_copy(update={"supply": {**pf.supply, "2027": float(supply)}})
        result = solve_plain(raised, "us-best")
        assert (result.deal("VN") is not None) is deal, supply
    opened = solve_plain(
        pf.model_copy(update={"supply": {**pf.supply, "2027": 7_000.0}}), "us-best"
    ).deal("VN")
    assert opened is not None
    assert opened.security == "sovereign-vault"
    assert abs(opened.us_value - 427.5e6) < 1.0


KW = """\
code: KW
name: Kuwait
tier: 2
diversion_risk: 0.25
ask: {2027: 100_000, 2026: 60_000}
value_per_h100e: 40k
batna: 1.5bn
security_costs: {open: 0, audited: 200m, sovereign-vault: 1bn}
concessions: []
"""


def test_a_partners_cap_written_as_one_number_says_to_name_each_level(
    run: Runner, tmp_path: Path
) -> None:
    """A policy's tier may be one number for every level (`tier3: 0`), so a user capping
    one partner "whatever the level" wrote `caps: {KW: 30_000}` in the portfolio; it was
    refused with "caps.KW: expected a mapping of keys to values, got 30000", which does
    not say what to write. The same by `--set`, and `caps: 30_000` itself."""
    files = {"gates.yaml": POLICY, "kw.yaml": KW}
    mine = PORTFOLIO.replace("vn.yaml", "kw.yaml").replace(
        "caps: {VN: {audited: 500}}", "caps: {KW: 30_000}"
    )
    portfolio = _write(tmp_path, {**files, "portfolio.yaml": mine})
    done = run("solve", portfolio)
    assert done.exit_code == 2, done.output
    assert not done.traceback, done.traceback
    assert done.stderr == (
        f"error: {portfolio}:7: caps.KW: expected KW's caps by security level, such as "
        "{veu: 500_000} (H100e per period), got 30_000; to cap KW under every level, name "
        "each level\n"
    ), done.stderr
    fine = _write(tmp_path, {**files, "portfolio.yaml": mine.replace("caps: {KW: 30_000}", "")})
    done = run("solve", fine, "--set", "portfolio.caps.KW=5000")
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        "error: --set: portfolio.caps.KW: expected KW's caps by security level, such as "
        "{veu: 500_000} (H100e per period), got 5000; to cap KW under every level, name "
        "each level\n"
    ), done.stderr
    whole = _write(tmp_path, {**files, "portfolio.yaml": mine.replace("{KW: 30_000}", "30_000")})
    done = run("validate", whole)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {whole}:7: caps: expected caps by partner and security level, e.g. "
        "{AE: {veu: 800_000}}, got 30_000\n"
    ), done.stderr


def test_a_tier_that_caps_stronger_levels_and_not_a_weaker_one_is_noted(
    run: Runner, tmp_path: Path
) -> None:
    """`tier2: {audited: 80_000, sovereign-vault: 400_000}`, open left out: written by a
    user who lists the caps that security unlocks, read by the tool as no cap at all under
    open, the weakest level, without a word (DESIGN.md's `tier1: {}` is no cap). A cap
    under open above audited's is the same inversion. Both are valid; each is now noted at
    its line (or at the --set that made it), as money without a unit is."""
    gap = POLICY.replace("tier2: {open: 20_000, ", "tier2: {")
    mine = PORTFOLIO.replace("caps: {VN: {audited: 500}}\n", "")
    portfolio = _write(tmp_path, {"gates.yaml": gap, "vn.yaml": VN, "portfolio.yaml": mine})
    policy = tmp_path / "gates.yaml"
    missing = (
        f"note: {policy}:9: caps.tier2: tier 2 caps audited and sovereign-vault but not open, "
        "a weaker level: a tier 2 partner may receive any amount under open; write open's "
        "cap (0 to allow nothing under it) if that is not meant\n"
    )
    done = run("validate", policy)
    assert done.exit_code == 0, done.output
    assert done.stderr == missing, done.stderr
    done = run("solve", portfolio)
    assert done.exit_code == 0, done.output
    assert missing in done.stderr, done.stderr
    # Caps that rise with security say nothing; one set above a stronger level's is noted
    # at the --set that set it.
    _write(tmp_path, {"gates.yaml": POLICY})
    done = run("validate", policy)
    assert (done.exit_code, done.stderr) == (0, ""), done.output
    done = run("solve", portfolio, "--set", "policy.caps.tier2.open=90_000")
    assert done.exit_code == 0, done.output
    assert (
        "note: --set: policy.caps.tier2.open: tier 2 caps open at 90,000 H100e, more than "
        "audited (80,000), a stronger level: a tier 2 partner may receive more under open's "
        "weaker security; lower open's cap or raise audited's if that is not meant\n"
    ) in done.stderr, done.stderr


PURCHASES = """\
code: PC
name: Purchland
tier: 2
diversion_risk: 0.2
ask: {2026: 40_000, 2027: 40_000}
value_per_h100e: 40k
batna: 1bn
security_costs: {open: 0, audited: 100m}
concessions:
  - id: buy-chips
    title: Purchase of US-made accelerators
    category: purchase
    amount: {unit: chips, min: 0, step: 25_000}
    levels:
      - {id: small, title: TITLE, amount: 50_000, us_value: 500m, partner_cost: 200m}
      - {id: large, title: 200 thousand chips, amount: 200_000, us_value: 1.5bn, partner_cost: 900m}
"""


def test_a_title_with_a_thousands_comma_inside_braces_is_answered_with_quotes(
    run: Runner, tmp_path: Path
) -> None:
    """`- {id: small, title: 50,000 chips, ...}`: inside braces YAML reads `title: 50` and a
    field `000 chips` with no value. The answer was two errors that did not say why
    ("levels[0].000 chips: unknown field", "levels[0].title: expected text, got 50"); a
    number so split (`{2026: 150,000}`) was already named. Now the title is too, with the
    fix that fits text: quotes, not underscores."""
    for title, written, first in (("50,000 chips", "50,000 chips", "50"),
                                  ("USD 1,500bn", "USD 1,500bn", "USD 1")):  # fmt: skip
        partner = tmp_path / "pc.yaml"
        partner.write_text(PURCHASES.replace("TITLE", title), encoding="utf-8")
        done = run("validate", partner)
        assert done.exit_code == 2, done.output
        assert not done.traceback, done.traceback
        rest = written[len(first) + 1 :]
        assert done.stderr == (
            f"error: {partner}:15: invalid YAML: {written!r} is read as two entries, {first!r} "
            f"and {rest!r}: inside {{ }} a comma separates entries; quote text that holds a "
            f'comma ("{written}")\n'
        ), done.stderr
    # Quoted, it is the title; a number split so keeps its own advice.
    partner.write_text(PURCHASES.replace("TITLE", '"50,000 chips"'), encoding="utf-8")
    assert run("validate", partner).exit_code == 0
    partner.write_text(
        PURCHASES.replace("{2026: 40_000,", "{2026: 40,000,").replace("TITLE", "small"),
        encoding="utf-8",
    )
    done = run("validate", partner)
    assert done.stderr.endswith(
        "inside { } a comma separates entries; write thousands with '_' (100_000) and "
        "decimals with a point (1.5bn)\n"
    ), done.stderr


def test_half_years_are_periods_whose_labels_say_their_length(run: Runner, tmp_path: Path) -> None:
    """Four half-years, `periods: [2026H1, 2026H2, 2027H1, 2027H2]`, under a policy whose caps
    are per year (the default): refused, "period '2026H1' does not say its length ...;
    relabel the periods, or write `caps_per: period` in the policy". The second way out
    reads the annual caps as caps per half-year: twice what the policy allows in a year.
    A half-year now holds half of an annual cap, as a quarter holds a quarter of it: VN's
    cap under open, 20,000 a year, is 10,000 a half-year."""
    vn = VN.replace(
        "ask: {2026: 50_000, 2027: 80_000}",
        "ask: {2026H1: 25_000, 2026H2: 25_000, 2027H1: 40_000, 2027H2: 40_000}",
    )
    halves = PORTFOLIO.replace("periods: [2026, 2027]", "periods: [2026H1, 2026H2, 2027H1, 2027H2]")
    halves = halves.replace(
        "supply: {2026: 150_000, 2027: 0}",
        "supply: {2026H1: 75_000, 2026H2: 75_000, 2027H1: 75_000, 2027H2: 75_000}",
    )
    portfolio = _write(tmp_path, {"gates.yaml": POLICY, "vn.yaml": vn, "portfolio.yaml": halves})
    pf = load_portfolio(portfolio)
    partner = pf.partner("VN")
    assert partner is not None
    assert pf.cap(partner, "open", "2026H1") == 10_000
    assert pf.cap_basis(partner, "open") == "half of the policy's 20,000 H100e a year"
    package = tmp_path / "package.yaml"
    package.write_text(
        "partner: VN\nsecurity: open\n"
        "compute: {2026H1: 15_000, 2026H2: 10_000, 2027H1: 0, 2027H2: 0}\n",
        encoding="utf-8",
    )
    done = run("evaluate", package, "--portfolio", portfolio)
    assert not done.traceback, done.traceback
    said = " ".join(done.stdout.split())
    assert (
        "VN: 2026H1 compute 15,000 H100e exceeds the tier 2 cap under open of 10,000 H100e "
        "(half of the policy's 20,000 H100e a year)"
    ) in said, said
    # Years mixed in, or halves out of order, are named as quarters are.
    mixed = _write(tmp_path, {"portfolio.yaml": halves.replace("2027H1, 2027H2]", "2027]")})
    done = run("validate", mixed)
    assert done.exit_code == 2, done.output
    assert (
        f"error: {mixed}:4: periods[2]: period '2027' is a year but '2026H1' is a half-year; "
        "the periods of one portfolio all have one length\n"
    ) in done.stderr, done.stderr
    backwards = halves.replace("[2026H1, 2026H2,", "[2026H2, 2026H1,")
    done = run("validate", _write(tmp_path, {"portfolio.yaml": backwards}))
    assert "period '2026H1' is listed after '2026H2'" in done.stderr, done.stderr


def test_a_long_security_level_id_is_kept_whole_in_the_rounds_history(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A regime's level named `sovereign-vault` (not the examples' three-letter `veu`) was
    printed by `history` in an 80-column terminal as "sovereign-vaul" over "t": the
    Security column broke the id as it wraps words. It is held whole, as `solve`'s is."""
    monkeypatch.setenv("COLUMNS", "80")
    portfolio = _write(tmp_path, {"gates.yaml": POLICY, "vn.yaml": VN, "portfolio.yaml": PORTFOLIO})
    # VN's only deal worth having is under sovereign-vault (2027's supply raised to 7,000).
    mine = PORTFOLIO.replace("2027: 0}", "2027: 7_000}")
    portfolio = _write(tmp_path, {"portfolio.yaml": mine})
    done = run("offer", portfolio, "-p", "VN", "--date", "2026-12-05", "--out", tmp_path / "out")
    assert done.exit_code == 0, done.output
    counter = tmp_path / "counter.yaml"
    counter.write_text(
        "partner: VN\nsecurity: open\ncompute: {2026: 20_000, 2027: 1_000}\n", encoding="utf-8"
    )
    done = run("counter", portfolio, "-p", "VN", counter, "--date", "2026-12-06",
               "--out", tmp_path / "out")  # fmt: skip
    assert done.exit_code == 0, done.output
    done = run("history", portfolio, "-p", "VN")
    assert done.exit_code == 0, done.output
    row = next(line for line in done.stdout.splitlines() if line.strip().startswith("1 us"))
    assert " sovereign-vault " in row, done.stdout
