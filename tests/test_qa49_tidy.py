"""Session 49 (qa49-tidy): what a value given by an alias is said at, kept through the
rewrite of session 48's alias lines (yamlparse's `Given` beside the positions, in place of
an `int` subclass carried through every line). test_qa48_input holds the first case."""

from __future__ import annotations

from pathlib import Path

from helpers import Runner

_PARTNER = """\
code: XA
name: Aliasland
tier: 2
diversion_risk: 0.3
ask: {2026: 100_000}
value_per_h100e: 30k
batna: 1bn
security_costs: {baseline: 0}
"""

_LIST = """\
concessions:
  - id: first
    title: First
    category: security
    levels: &lvs
      - {id: l1, us_value: 1bn, partner_cost: 1bn}
      - id: l2
        title: L2
        us_value: 1bn
        partner_cost: 1_0z
  - id: second
    title: Second
    category: security
    levels: *lvs
  - id: third
    title: &tt [x, y]
    category: security
    levels: &none []
  - id: fourth
    title: *tt
    category: security
    levels:
      *none
"""

_MERGED = """\
concessions:
  - id: first
    title: First
    category: security
    levels:
      - &lv {id: l1, title: L1, us_value: &uv 1bn, partner_cost: -3_000}
      - <<: *lv
        id: l2
      - <<: {id: l9, title: L9, us_value: *uv, partner_cost: 1bn}
        id: l3
        us_value: 5bn
"""


def _said(run: Runner, tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "xa.yaml"
    path.write_text(_PARTNER + body)
    done = run("validate", path)
    assert not done.traceback
    return [line.replace(f"{path}:", "") for line in done.stderr.strip().splitlines()]


def test_a_list_given_by_an_alias_is_said_at_the_alias_inside_it_only(
    run: Runner, tmp_path: Path
) -> None:
    """Each item of `levels: *lvs` is said at the alias's line with its own written line;
    a fault of the field the alias stands for as a whole (`title: *tt`, a list where text
    goes; `levels: *none`, empty) is said at the key, which the file writes there, as
    before."""
    said = _said(run, tmp_path, _LIST)
    usd = "expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000"
    assert said == [
        "error: 14: concessions[0].levels[0].title: missing required field",
        f"error: 18: concessions[0].levels[1].partner_cost: {usd}, got '1_0z'",
        "error: 22: concessions[1].levels[0].title: missing required field"
        " (by the alias *lvs; written on line 14)",
        f"error: 22: concessions[1].levels[1].partner_cost: {usd}, got '1_0z'"
        " (by the alias *lvs; written on line 18)",
        "error: 24: concessions[2].title: expected text, got a list",
        "error: 26: concessions[2].levels: expected at least 1 level, got none",
        "error: 28: concessions[3].title: expected text, got a list",
        "error: 30: concessions[3].levels: expected at least 1 level, got none",
    ]


def test_a_key_a_merge_gives_is_said_at_the_merge(run: Runner, tmp_path: Path) -> None:
    """`<<: *lv` gives l2 its partner_cost: the note on it names the merge's line, and the
    figure as written under the anchor. A key both a mapping and its merge give (l3's
    us_value, by an alias in the merge) is the mapping's own, said with no alias."""
    said = _said(run, tmp_path, _MERGED)
    assert said[0].startswith("note: 14: concessions[0].levels[0].partner_cost: read as -$3,000")
    assert said[1].startswith("note: 15: concessions[0].levels[1].partner_cost: read as -$3,000")
    assert said[1].endswith("if -3m was meant, write -3m (by the alias *lv; written on line 14)")
    assert len(said) == 2
    said = _said(run, tmp_path, _MERGED.replace("us_value: 5bn", "us_value: 5q"))
    assert said == [
        "error: 19: concessions[0].levels[2].us_value: expected an amount of USD such as "
        "1.4tn, 200bn, 350m, 75k or 1000, got '5q'"
    ]
