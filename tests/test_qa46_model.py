"""Session 46 (qa46-model): the data model's rules and the library's plain arguments.

- A range concession's level at amount 0 is refused where the partner is read (`validate`,
  every command's load, `--set`, the web): granted, it met another concession's `requires`
  at no cost, the very thing a package's `invest-us: 0` at `min: 0` is refused for.
- A call of the library given a plain argument of the wrong kind (`record_offer(pf, root,
  3)`, `solve(pf, threads="x")`, `walk_away(..., note=3)`) is refused as `ArgumentError`
  naming the parameter, by one check every exported call passes through, found from the
  signatures.
"""

from __future__ import annotations

from pathlib import Path

from helpers import Runner, deals_copy, edit_first_line

#: A level at amount 0 put before KR's first level of its `invest-us` range, and
#: `hbm-priority` made to require `invest-us`.
ZERO_LEVEL = (
    "      - id: zero\n"
    "        title: No investment\n"
    "        amount: 0\n"
    "        us_value: 0\n"
    "        partner_cost: 0\n"
    "      - id: 100bn"
)


def _kr_with_a_zero_level(deals: Path) -> int:
    """deals/partners/kr.yaml with a level at amount 0 (the line of its `amount`)."""
    line = edit_first_line(deals, "partners/kr.yaml", r"^      - id: 100bn.*$", ZERO_LEVEL)
    edit_first_line(
        deals,
        "partners/kr.yaml",
        r"^    us_value: 3bn .*$",
        "    requires: [invest-us]\n    us_value: 3bn",
    )
    return line + 2


def test_a_level_at_amount_0_is_refused_by_validate(run: Runner, tmp_path: Path) -> None:
    """It validated, and `evaluate` of `{invest-us: zero, hbm-priority: true}` said
    `invest-us=zero`, `Violations: none`: `hbm-priority`'s `requires: [invest-us]` met by an
    investment of nothing."""
    deals = deals_copy(tmp_path)
    line = _kr_with_a_zero_level(deals)
    done = run("validate", deals / "partners/kr.yaml")
    assert done.exit_code == 2, done.output
    assert done.traceback == ""
    assert (
        f"partners/kr.yaml:{line}: concessions[0].levels[0].amount: a level at amount 0 grants "
        "nothing" in done.stderr
    )
    assert "start the range at 0 with `min: 0`" in done.stderr


def test_a_package_cannot_meet_requires_with_a_level_at_0(run: Runner, tmp_path: Path) -> None:
    deals = deals_copy(tmp_path)
    _kr_with_a_zero_level(deals)
    package = tmp_path / "zero.yaml"
    package.write_text(
        "partner: KR\nsecurity: kyc\ncompute: {2026: 220_000, 2027: 220_000, 2028: 220_000}\n"
        "concessions: {invest-us: zero, hbm-priority: true}\n",
        encoding="utf-8",
    )
    done = run("evaluate", package, "--portfolio", deals / "portfolios/global.yaml")
    assert done.exit_code == 2, done.output
    assert "Violations: none" not in done.output
    assert "a level at amount 0 grants nothing" in done.stderr


def test_set_cannot_move_a_level_to_amount_0(run: Runner, tmp_path: Path) -> None:
    """The same rule holds for a level `--set` (or a scenario, or the web's form) moves to 0."""
    deals = deals_copy(tmp_path)
    edit_first_line(deals, "partners/kr.yaml", r"^      - id: 100bn .*$", "      - id: small")
    done = run(
        "evaluate",
        deals / "packages/kr-counter.yaml",
        "--portfolio",
        deals / "portfolios/global.yaml",
        "--set",
        "partners.KR.concessions.invest-us.levels.small.amount=0",
    )
    assert done.exit_code == 2, done.output
    assert "levels.small.amount: a level at amount 0 grants nothing" in done.stderr


def test_a_level_above_0_and_min_0_still_validate(run: Runner, tmp_path: Path) -> None:
    """The shipped range (`min: 0`, levels at 100bn and 350bn) is as valid as before."""
    done = run("validate", deals_copy(tmp_path) / "partners/kr.yaml")
    assert done.exit_code == 0, done.output
