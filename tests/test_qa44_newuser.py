"""qa44-newuser: a new user's first files, written by hand from DESIGN.md's format, with
the mistakes a person makes in YAML; each refused at its own file, line and field."""

from __future__ import annotations

from pathlib import Path

from helpers import Runner

POLICY = """\
id: gate
title: Gate
security_levels:
  - {id: baseline, title: Standard, mitigation: 0.0}
  - {id: screened, title: Screened end users, mitigation: 0.6}
caps:
  tier1: {}
  tier2: {baseline: 50_000, screened: 100_000}
  tier3: 0
export_value_per_h100e: 9k
risk_penalty_per_h100e: 150k
"""

PARTNER = """\
code: MX
name: Mexico
tier: 2
diversion_risk: 0.15
ask: {2026: 80_000, 2027: 120_000}
value_per_h100e: 30k
batna: 1.5bn
security_costs: {baseline: 0, screened: 200m}
concessions:
  - id: customs-screening
    title: Customs screening of re-exports
    category: security
    us_value: 1.5bn
    partner_cost: 400m
  - id: no-prc-cloud
    title: No PRC cloud providers
    category: alignment
    us_value: 2bn
    partner_cost: 1bn
    requires: [{security: screened}]
"""

PORTFOLIO = """\
id: atlantic
title: Atlantic
policy: gate.yaml
periods: [2026, 2027]
supply: {2026: 200_000, 2027: 260_000}
partners: [mx.yaml]
"""


def _files(folder: Path, **changed: str) -> Path:
    """The policy, partner and portfolio in `folder`, each with its `changed` text."""
    texts = {"gate": POLICY, "mx": PARTNER, "atlantic": PORTFOLIO, **changed}
    for name, text in texts.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder / "atlantic.yaml"


def test_validate_with_a_portfolio_names_the_field_a_package_leaves_out(
    run: Runner, tmp_path: Path
) -> None:
    """`validate mx-counter.yaml --portfolio atlantic.yaml` of a package written without
    its `security:` said "mx-counter.yaml:1: cannot tell what this file is: expected a
    policy (security_levels), a partner (code), ...": the check for a scenarios file
    looked past the kind `load_file` had found. Without --portfolio it said the field."""
    portfolio = _files(tmp_path)
    package = tmp_path / "mx-counter.yaml"
    package.write_text(
        "partner: MX\nside: counter\nround: 2\ncompute: {2026: 80_000, 2027: 100_000}\n"
        "concessions: {customs-screening: true}\n",
        encoding="utf-8",
    )
    for extra in ((), ("--portfolio", str(portfolio))):
        out = run("validate", package, *extra)
        assert out.exit_code == 2, out.output
        assert not out.traceback
        assert "cannot tell what this file is" not in out.stderr, out.stderr
        assert "mx-counter.yaml:1: security: missing required field" in out.stderr, out.stderr


def test_a_requirement_that_is_no_id_is_said_once_without_a_class_name(
    run: Runner, tmp_path: Path
) -> None:
    """`requires: [customs screening]` (a space in the id) said two errors on the line,
    one of them at `concessions[1].requires[0].SecurityRequirement`: a Python class name
    where the file's field goes. One message now, at the field the file writes."""
    _files(tmp_path, mx=PARTNER.replace("[{security: screened}]", "[customs screening]"))
    out = run("validate", tmp_path / "mx.yaml")
    assert out.exit_code == 2, out.output
    errors = out.stderr.strip().splitlines()
    assert errors == [
        f"error: {tmp_path / 'mx.yaml'}:20: concessions[1].requires[0]: expected an id of "
        "letters, digits, '_', '.' and '-', starting with a letter or digit, got "
        "'customs screening'"
    ], out.stderr


def test_a_list_item_indented_more_than_the_one_above_is_refused_at_its_line(
    run: Runner, tmp_path: Path
) -> None:
    """A second item indented more than the first (`- 2026` then `    - 2027`) is folded
    by YAML into the first item's text: the portfolio was refused at line 7 for periods
    '2026 - 2027' (supply.2026 "is not one of the portfolio's periods (2026 - 2027)"), and
    a mis-indented requirement as an id 'customs-screening - no-prc-cloud'. Now the line
    the item is on says what YAML did and how to write it."""
    portfolio = _files(
        tmp_path,
        atlantic=PORTFOLIO.replace("periods: [2026, 2027]", "periods:\n  - 2026\n    - 2027"),
    )
    out = run("validate", portfolio)
    assert out.exit_code == 2, out.output
    assert not out.traceback
    assert out.stderr.strip().splitlines() == [
        f"error: {portfolio}:6: invalid YAML: '- 2027' is indented more than the line above "
        "it, so YAML reads it as more of that text ('2026 - 2027'), not as an item of a "
        "list; start the items of one list in the same column (or put text of several "
        "lines in quotes)"
    ], out.stderr
    nested = PARTNER.replace(
        "    requires: [{security: screened}]\n",
        "    excludes:\n      - customs-screening\n        - no-prc-cloud\n",
    )
    _files(tmp_path, mx=nested)
    out = run("validate", tmp_path / "mx.yaml")
    assert out.exit_code == 2, out.output
    assert f"{tmp_path / 'mx.yaml'}:22: invalid YAML: '- no-prc-cloud' is indented" in (
        out.stderr
    ), out.stderr


def test_text_over_several_lines_and_items_in_their_column_still_read(
    run: Runner, tmp_path: Path
) -> None:
    """What the refusal above must not catch: a plain title folded over two lines (no
    line of it starts with '- '), a quoted one that holds ' - ', and a block list."""
    partner = PARTNER.replace(
        "    title: No PRC cloud providers\n",
        "    title: No PRC cloud providers\n      in federal data centres\n",
    ).replace("    title: Customs screening of re-exports\n", '    title: "Customs - re-exports"\n')
    portfolio = _files(
        tmp_path,
        mx=partner,
        atlantic=PORTFOLIO.replace("periods: [2026, 2027]", "periods:\n  - 2026\n  - 2027"),
    )
    out = run("validate", portfolio, tmp_path / "mx.yaml")
    assert out.exit_code == 0, out.output
