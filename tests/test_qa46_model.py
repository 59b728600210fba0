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

import inspect
import pickle
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import dealbench
from dealbench.arguments import plain_kinds
from dealbench.errors import ArgumentError
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


# --- the library's plain arguments -----------------------------------------------------------

#: A good value of each plain kind, for the parameters a case does not test.
GOOD = {"str": "AA", "int": 1, "float": 1.0, "bool": False}
#: A value of another kind, for the parameter a case tests.
WRONG = {"str": 3, "int": "x", "float": "x", "bool": "no"}


def _plain_parameters() -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(call, parameter, its kinds) for each plain parameter of an exported call."""
    for name in dealbench.__all__:
        call = getattr(dealbench, name)
        if not inspect.isfunction(call):
            continue
        for parameter in inspect.signature(call).parameters.values():
            if (kinds := plain_kinds(parameter.annotation)) is not None:
                yield name, parameter.name, kinds


PLAIN = list(_plain_parameters())


def test_the_plain_parameters_are_found_by_the_signatures() -> None:
    """The cases below are found by the annotations: a rename would silently drop them."""
    found = {(name, parameter) for name, parameter, _ in PLAIN}
    assert {
        ("record_offer", "partner"),
        ("record_offer", "expect"),
        ("solve", "threads"),
        ("walk_away", "note"),
        ("verdict", "round_number"),
        ("room", "why"),
    } <= found
    assert len(PLAIN) > 80


@pytest.mark.parametrize(
    ("name", "parameter", "kinds"), PLAIN, ids=[f"{n}-{p}" for n, p, _ in PLAIN]
)
def test_a_plain_argument_of_another_kind_is_refused_by_name(
    name: str, parameter: str, kinds: tuple[str, ...]
) -> None:
    """`record_offer(pf, root, 3)` was an AttributeError ('int' object has no attribute
    'upper'), `solve(pf, threads="x")` a ValueError, `walk_away(..., note=3)` an
    AttributeError, `verdict(..., round_number="x")` a pydantic ValidationError, and
    `room(pf, root, why="no")` ran as if `why=True`. The check comes before any work, so the
    other arguments need no real objects here."""
    call = getattr(dealbench, name)
    kwargs: dict[str, object] = {}
    for p, spec in inspect.signature(call).parameters.items():
        if spec.default is inspect.Parameter.empty and spec.kind not in (
            spec.VAR_KEYWORD,
            spec.VAR_POSITIONAL,
        ):
            plain = plain_kinds(spec.annotation)
            kwargs[p] = GOOD[next(k for k in plain if k in GOOD)] if plain else None
    wrong = next(WRONG[k] for k in kinds if k in WRONG and not _fits(WRONG[k], kinds))
    kwargs[parameter] = wrong
    with pytest.raises(ArgumentError) as info:
        call(**kwargs)
    assert info.value.argument == parameter, str(info.value)
    assert "expected " in str(info.value) and f"{wrong}" in str(info.value)


def _fits(value: object, kinds: tuple[str, ...]) -> bool:
    return (isinstance(value, str) and "str" in kinds) or (
        isinstance(value, int) and ("int" in kinds or "float" in kinds)
    )


def test_the_calls_of_the_brief_say_what_they_take(
    tiny_portfolio: dealbench.Portfolio, tmp_path: Path
) -> None:
    root = tmp_path / "rounds"
    said = {}
    for label, call in {
        "partner": lambda: dealbench.record_offer(tiny_portfolio, root, 3),  # type: ignore[arg-type]
        "threads": lambda: dealbench.solve(tiny_portfolio, threads="x"),  # type: ignore[arg-type]
        "expect": lambda: dealbench.record_offer(tiny_portfolio, root, "AA", expect="x"),  # type: ignore[arg-type]
        "note": lambda: dealbench.walk_away(tiny_portfolio, root, "AA", note=3),  # type: ignore[arg-type]
    }.items():
        with pytest.raises(ArgumentError) as info:
            call()
        assert info.value.argument == label
        said[label] = str(info.value)
    assert said == {
        "partner": "partner: expected text (a str), got 3",
        "threads": "threads: expected a whole number (an int) or None, got 'x'",
        "expect": "expect: expected a whole number (an int) or None, got 'x'",
        "note": "note: expected text (a str) or None, got 3",
    }
    assert not root.exists()  # refused before any work


def test_a_parameter_with_words_of_its_own_keeps_them(tiny_portfolio: dealbench.Portfolio) -> None:
    """`gap`, `time_limit` and `partner_utility` say what they take in their own words, given
    a value of the wrong kind too (the words `dealbench.arguments` gives them)."""
    with pytest.raises(ArgumentError, match="expected a relative gap from 0 to below 1"):
        dealbench.solve(tiny_portfolio, gap="1%")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="expected a positive number of seconds"):
        dealbench.solve(tiny_portfolio, time_limit="30s")  # type: ignore[arg-type]


def test_numbers_of_other_types_and_pickling_still_work(
    tiny_portfolio: dealbench.Portfolio,
) -> None:
    """A numpy integer is a whole number, an int a number; the checked call pickles as
    `dealbench.solve` (a process pool sends it so)."""
    result = dealbench.solve(tiny_portfolio, threads=np.int64(1), time_limit=30, gap=0)  # type: ignore[arg-type]
    assert result.deals
    assert pickle.loads(pickle.dumps(dealbench.solve)) is dealbench.solve
    assert inspect.signature(dealbench.solve).parameters["threads"].annotation == "int | None"
