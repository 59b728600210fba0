"""Session 47 (qa47-reread): a reread of the house's structure.

- `analyze` and `negotiate` imported each other (`negotiate.room`, `negotiate.build` and
  `negotiate.joint_chains` use `analyze.parallel`; `analyze.validation` read rounds with
  `negotiate.rounds.read`). `negotiate` is the upper layer now: `validate`'s walk moved to
  `negotiate.validation`, and nothing of `analyze` imports `negotiate` (`test_structure`'s
  `IMPORT_ORDER` holds the order).
- A Partner built in code (`Partner(...)`, `Partner.model_validate`) skipped the rules a
  partner file is held to (`partner_rules`: ids once, ranges well formed, a concave curve,
  no cycle of requirements): the model checks them itself now, for every path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import dealbench
from helpers import REPO, Runner, deals_copy, edit_first_line


def test_validate_runs_from_its_new_home() -> None:
    """Both shells call the one walk, moved without a change of behaviour."""
    from dealbench.negotiate.validation import validate_files

    found = validate_files([REPO / "deals"])
    assert found.issues == []
    assert any(kind == "round" for _path, kind in found.ok)


# --- a partner built in code is held to a partner file's rules ----------------------------


def _kr_data() -> dict[str, Any]:
    return dealbench.load_partner(REPO / "deals/partners/kr.yaml").model_dump()


def test_a_partner_built_in_code_is_held_to_the_partner_rules() -> None:
    """`Partner.model_validate` of KR with its first concession listed twice was accepted
    (the rules were the loader's alone), and the optimizer then saw two concessions of one
    id; now it is refused at its place, in a partner file's words."""
    data = _kr_data()
    data["concessions"].append(dict(data["concessions"][0]))
    with pytest.raises(ValidationError) as info:
        dealbench.Partner.model_validate(data)
    [error] = info.value.errors()
    assert error["loc"] == ("concessions", 4, "id")
    assert error["msg"] == "duplicate concession id 'invest-us'"


def test_a_range_level_at_0_built_in_code_is_refused() -> None:
    data = _kr_data()
    data["concessions"][0]["levels"][0]["amount"] = 0.0
    with pytest.raises(ValidationError, match="a level at amount 0 grants nothing"):
        dealbench.Partner(**data)


def test_two_rules_broken_at_one_place_of_a_file_are_both_said(run: Runner, tmp_path: Path) -> None:
    """A level amount that is negative and below the one before it: both rules, at its line."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(
        deals, "partners/kr.yaml", r"^        amount: 350bn .*$", "        amount: -5bn"
    )
    edit_first_line(deals, "partners/kr.yaml", r"^      - id: 350bn .*$", "      - id: big")
    done = run("validate", deals / "partners/kr.yaml")
    assert done.exit_code == 2, done.output
    where = f"partners/kr.yaml:{line}: concessions[0].levels[1].amount:"
    assert f"{where} an amount cannot be negative" in done.stderr
    assert f"{where} amounts must increase from level to level (-5bn follows 100bn)" in done.stderr
