"""A bounded fuzzer over the loaders and the command line.

Random YAML, mutated valid files and random option values: every outcome is a
success or a documented error (exit 0, 2 or 3 with `error:` lines), never a
traceback. The default profile runs a few seconds; before a release:

    HYPOTHESIS_PROFILE=thorough .venv/bin/pytest tests/test_reliability_fuzz.py -q
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import DATA, Run, invoke

BASE = DATA / "bad" / "_base"
FILES = {name: (BASE / name).read_text() for name in ("partner.yaml", "policy.yaml")}
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
FUZZ = settings(  # examples: the profile's (50 by default, 1,000 when thorough)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)

SCALARS = st.sampled_from(
    [
        "true",
        "false",
        "null",
        "~",
        ".nan",
        ".inf",
        "-.inf",
        "0",
        "-1",
        "1e400",
        "1" + "0" * 400,
        "2026",
        "'2026'",
        "[]",
        "{}",
        "[1, [2]]",
        "{a: {b: c}}",
        "&a x",
        "*a",
        "!!binary aGk=",
        "!!python/name:os.system",
        "200bn",
        "1.4tn",
        "-5bn",
        "ten",
        '"\\x07"',
        "'x' * 9",
        "{{ 9**9**9 }}",
        "{tpp: 1}",
        "{chips: 1, model: H100}",
        "<<: {a: 1}",
        "- x",
        "|",
        ">-",
    ]
)


def _documented(result: Run, codes: tuple[int, ...] = (0, 2, 3)) -> None:
    assert result.traceback == "", result.traceback
    assert "Traceback" not in result.output
    assert result.exit_code in codes, (result.exit_code, result.output)
    if result.exit_code in (2, 3):
        assert result.stderr.startswith("error: "), result.output


def _validate(tmp: Path, name: str, text: str) -> Run:
    path = tmp / name
    path.write_text(text, "utf-8")
    return invoke(["validate", path])


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_is_a_documented_answer(tmp_path: Path, text: str) -> None:
    _documented(_validate(tmp_path, "random.yaml", text))


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(FILES)))
    lines = FILES[name].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["value", "delete", "duplicate", "indent", "key"]))
        line = lines[i]
        if how == "value" and ":" in line:
            lines[i] = line.split(":", 1)[0] + ": " + draw(SCALARS)
        elif how == "delete":
            del lines[i]
        elif how == "duplicate":
            lines.insert(i, line)
        elif how == "indent":
            lines[i] = draw(st.sampled_from(["", "  ", "    ", "\t"])) + line.lstrip()
        elif how == "key" and ":" in line:
            lines[i] = (
                draw(st.from_regex(r"[a-z_]{1,8}", fullmatch=True)) + ":" + line.split(":", 1)[1]
            )
        if not lines:
            lines = ["x: 1"]
    return name, "\n".join(lines) + "\n"


@FUZZ
@given(case=mutated())
def test_mutated_files_are_a_documented_answer(tmp_path: Path, case: tuple[str, str]) -> None:
    name, text = case
    _documented(_validate(tmp_path, name, text))


OPTION_VALUES = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "0", "-0", "1", "1e-9", "0.5", "1e400", "abc", ""]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@settings(FUZZ, max_examples=300 if THOROUGH else 15)  # each example is a solve
@given(
    option=st.sampled_from(["--gap", "--time-limit", "--v-floor"]),
    value=OPTION_VALUES,
    mode=st.sampled_from(["us-best", "partner-best"]),
)
def test_random_option_values_are_a_documented_answer(option: str, value: str, mode: str) -> None:
    result = invoke(["solve", DATA / "tiny" / "portfolio.yaml", "--mode", mode, option, value])
    assert result.traceback == "", result.traceback
    assert result.exit_code in (0, 2, 3, 4), result.output
