"""Bad input, tried as a hostile and careless user would: every case is exit 2, one clear
message naming the file, the line and the field, no traceback, in bounded time.

The cases are generated here from the valid files of tests/data/bad/_base/: each edits
one line of one file (a number at the edges, a boolean where a number is meant, a type
the field does not take) or replaces a file by something that is not a data file at all
(a FIFO, a device, a symlink loop, an alias bomb, a file over the size limit). Together
with the hand-written cases of tests/test_cli.py they cover every class of issue 13.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dealbench.model.yamlio import MAX_FILE_BYTES
from dealbench.model.yamlparse import MAX_DEPTH, MAX_VALUES
from helpers import DATA, Run, Runner

BASE = DATA / "bad" / "_base"
#: Seconds one bad input may take, well above what it does take (a few hundredths).
BOUND = 5.0


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it, the command to run, and where the error must point."""

    id: str
    file: str  # the file (or option) the message must name
    line: int | None  # the line it must name (None: a file-level problem)
    field: str  # the field path it must name ("" for a file-level problem)
    says: str  # a fragment of the message saying what is wrong or expected
    edit: Callable[[Path], object] = lambda folder: None
    args: tuple[str, ...] = ()  # the command; default: validate the file


def _replace_line(name: str, line: int, text: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / name
        lines = path.read_text("utf-8").splitlines()
        lines[line - 1] = text
        path.write_text("\n".join(lines) + "\n", "utf-8")

    return edit


def _append(name: str, text: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        with (folder / name).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return edit


def _write(name: str, data: str | bytes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / name
        path.unlink(missing_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, "utf-8")

    return edit


# --- numbers at the edges, booleans and wrong types in every kind of numeric field ------

HUGE_INT = "1" + "0" * 400  # no float holds it
LONG_INT = "9" * 5000  # past Python's int-from-text limit as well
#: (name, YAML text, fragment of the message)
BAD_NUMBERS = [
    ("true", "true", "expected"),
    ("false", "false", "expected"),
    ("nan", ".nan", "finite"),
    ("inf", ".inf", "finite"),
    ("minus-inf", "-.inf", "finite"),
    ("huge-int", HUGE_INT, "1,000tn"),
    ("long-int", LONG_INT, "1,000tn"),
    ("huge-money", f'"{HUGE_INT}bn"', "1,000tn"),
    ("float-overflow", "1e400", "too large to hold"),
    ("over-limit", "2e15", "1,000tn"),
    ("word", "ten", "expected an amount of USD"),
    ("list", "[1]", "expected"),
    ("mapping", "{a: 1}", "expected"),
    ("null", "null", "expected"),
]
#: (file, line, line text with {v}, field path)
MONEY_FIELDS = [
    ("partner.yaml", 6, "value_per_h100e: {v}", "value_per_h100e"),
    ("partner.yaml", 7, "batna: {v}", "batna"),
    (
        "partner.yaml",
        8,
        "security_costs: {{baseline: 0, kyc: {v}, veu: 500m}}",
        "security_costs.kyc",
    ),
    (
        "partner.yaml",
        14,
        "      - {{id: small, title: USD 10bn, us_value: {v}, partner_cost: 500m}}",
        "concessions[0].levels[0].us_value",
    ),
    ("partner.yaml", 19, "    us_value: {v}", "concessions[1].us_value"),
    ("partner.yaml", 20, "    partner_cost: {v}", "concessions[1].partner_cost"),
    ("policy.yaml", 10, "export_value_per_h100e: {v}", "export_value_per_h100e"),
    ("policy.yaml", 11, "risk_penalty_per_h100e: {v}", "risk_penalty_per_h100e"),
]
MONEY_ONLY = {"word", "over-limit", "huge-money", "float-overflow", "huge-int", "long-int"}


def _money_cases() -> list[Case]:
    cases = []
    for file, line, text, path in MONEY_FIELDS:
        for name, value, says in BAD_NUMBERS:
            at, where = line, path
            if path == "value_per_h100e" and name == "list":
                where = "value_per_h100e[0]"  # a list is read as the piecewise value curve
            if path.startswith("concessions[1].") and name == "null":  # null: left blank
                says = "a concession without `levels` needs"  # at the blank field's line
            cases.append(
                Case(
                    f"{path}-{name}",
                    file,
                    at,
                    where,
                    says,
                    _replace_line(file, line, text.format(v=value)),
                )
            )
    return cases


BAD_COMPUTE = [
    ("true", "true", "expected a number"),
    ("false", "false", "expected a number"),
    ("nan", ".nan", "finite"),
    ("inf", ".inf", "finite"),
    ("huge-int", HUGE_INT, "at most"),  # too large, not "expected a finite number" (qa32)
    ("over-limit", "2e12", "at most"),
    ("negative", "-1", "at least 0"),
    ("tpp-inf", "{tpp: .inf}", "finite"),
    ("chips-bool", "{chips: true, model: H100}", "expected a number"),
    ("chip-unknown", "{chips: 10, model: Z9}", "unknown chip model"),
    ("word", "lots", "expected"),
]
COMPUTE_FIELDS = [
    ("partner.yaml", 5, "ask: {{2026: {v}}}", "ask.2026"),
    ("portfolio.yaml", 5, "supply: {{2026: {v}}}", "supply.2026"),
    ("package.yaml", 3, "compute: {{2026: {v}}}", "compute.2026"),
    ("policy.yaml", 8, "  tier2: {{baseline: {v}, kyc: 50_000}}", "caps.tier2.baseline"),
]


def _compute_cases() -> list[Case]:
    cases = []
    for file, line, text, path in COMPUTE_FIELDS:
        for name, value, says in BAD_COMPUTE:
            if path.startswith("caps") and name == "negative":
                says = "cannot be negative"
            cases.append(
                Case(
                    f"{path}-{name}",
                    file,
                    line,
                    path,
                    says,
                    _replace_line(file, line, text.format(v=value)),
                )
            )
    return cases


BAD_FRACTIONS = [
    ("true", "true", "expected a number"),
    ("nan", ".nan", "finite"),
    ("inf", ".inf", "finite"),
    ("above-one", "1.5", "at most 1"),
    ("negative", "-0.1", "at least 0"),
    ("huge-int", HUGE_INT, "at most"),  # too large, not "expected a finite number" (qa32)
    ("text", "high", "expected a number"),
]
FRACTION_FIELDS = [
    ("partner.yaml", 4, "diversion_risk: {v}", "diversion_risk"),
    (
        "policy.yaml",
        5,
        "  - {{id: kyc, title: Know-your-customer screening, mitigation: {v}}}",
        "security_levels[1].mitigation",
    ),
]


def _fraction_cases() -> list[Case]:
    return [
        Case(f"{path}-{name}", file, line, path, says, _replace_line(file, line, text.format(v=v)))
        for file, line, text, path in FRACTION_FIELDS
        for name, v, says in BAD_FRACTIONS
    ]


def _tier_cases() -> list[Case]:
    values = [("true", "true"), ("false", "false"), ("zero", "0"), ("four", "4")]
    values += [("word", "two"), ("float", "2.5"), ("null", "null"), ("list", "[2]")]
    values += [("huge", HUGE_INT)]
    return [
        Case(
            f"tier-{name}",
            "partner.yaml",
            3,
            "tier",
            "expected",
            _replace_line("partner.yaml", 3, f"tier: {v}"),
        )
        for name, v in values
    ]


# --- structure: duplicate keys (also of different types), cycles, wrong kinds ----------

DENSE_CYCLE = "".join(
    f"  - {{id: c{i}, title: C{i}, us_value: 1m, partner_cost: 1m, requires: [c{(i + 1) % 3}]}}\n"
    for i in range(3)
)


def _structure_cases() -> list[Case]:
    p, pol, pf, pkg = "partner.yaml", "policy.yaml", "portfolio.yaml", "package.yaml"
    return [
        Case(  # a partner that signs for less than it has without a deal
            "negative-acceptance-margin",
            pol,
            12,
            "acceptance_margin",
            "must be at least 0",
            _append(pol, "acceptance_margin: -50m\n"),
        ),
        Case(
            "empty-periods",
            pf,
            4,
            "periods",
            "expected at least 1 period, got none",
            _replace_line(pf, 4, "periods: []"),
        ),
        Case(  # said "expected a number, got a list": the single value's branch
            "empty-value-segments",
            p,
            6,
            "value_per_h100e",
            "value_per_h100e: expected at least 1 segment ({upto, value}), got none",
            _replace_line(p, 6, "value_per_h100e: []"),
        ),
        Case(
            "empty-partners",
            pf,
            6,
            "partners",
            "expected at least 1 partner file, got none",
            _replace_line(pf, 6, "partners: []"),
        ),
        Case(
            "empty-security-levels",
            pol,
            3,
            "security_levels",
            "expected at least 1 security level, got none",
            _write(pol, "id: base\ntitle: T\nsecurity_levels: []\ncaps: {tier2: 0, tier3: 0}\n"),
        ),
        Case(
            "key-int-and-text",
            p,
            5,
            "ask.2026",
            "duplicate key: already given on line 5",
            _replace_line(p, 5, "ask: {2026: 100_000, '2026': 200_000}"),
        ),
        Case(
            "key-int-and-text-supply",
            pf,
            5,
            "supply.2026",
            "duplicate key",
            _replace_line(pf, 5, "supply: {'2026': 1, 2026: 2}"),
        ),
        Case(
            "key-bool-and-text",
            pkg,
            4,
            "concessions.true",
            "duplicate key",
            _replace_line(pkg, 4, "concessions: {true: small, 'true': large}"),
        ),
        Case(
            "key-twice-block",
            p,
            8,
            "tier",
            "duplicate key: already given on line 3",
            _replace_line(p, 8, "tier: 2"),
        ),
        Case(
            "key-twice-levels",
            pol,
            8,
            "caps.tier2.kyc",
            "duplicate key",
            _replace_line(pol, 8, "  tier2: {baseline: 10_000, kyc: 50_000, kyc: 60_000}"),
        ),
        Case(
            "period-twice-typed",
            pf,
            4,
            "periods[1]",
            "listed twice",
            _replace_line(pf, 4, "periods: [2026, '2026']"),
        ),
        Case(
            "periods-of-two-lengths",
            pf,
            4,
            "periods[1]",
            "period '2026Q1' is a quarter but '2026' is a year",
            _replace_line(pf, 4, "periods: [2026, 2026Q1]"),
        ),
        Case(
            "requires-cycle-3",
            p,
            10,
            "concessions[0].requires",
            "requirements form a cycle: c0 -> c1 -> c2 -> c0",
            _replace_line_block(p, 9, "concessions:\n" + DENSE_CYCLE),
        ),
        Case(
            "requires-level-as-concession",
            p,
            21,
            "concessions[1].requires[0]",
            "a minimum security level is written {security: kyc}",
            _replace_line(p, 21, "    requires: [kyc]"),
        ),
        Case(
            "requires-security-typo",
            p,
            21,
            "concessions[1].requires[0].securty",
            "unknown field",
            _replace_line(p, 21, "    requires: [{securty: kyc}]"),
        ),
        Case(
            "tier3-capped-negative",
            pol,
            9,
            "caps.tier3",
            "cannot be negative",
            _replace_line(pol, 9, "  tier3: -5"),
        ),
        Case(
            "partner-as-portfolio",
            p,
            1,
            "",
            "this is a partner file, expected a portfolio file here",
            args=("solve", p),
        ),
        Case(  # named where the portfolio lists it: the fix is there
            "policy-as-partner",
            pf,
            6,
            "partners[0]",
            "policy.yaml: this is a policy file, expected a partner file here",
            lambda folder: (folder / "portfolio.yaml").write_text(
                (BASE / "portfolio.yaml").read_text().replace("[partner.yaml]", "[policy.yaml]")
            ),
            args=("solve", pf),
        ),
        Case(
            "result-as-package",
            "result.json",
            1,
            "",
            "this is a solve result (result.json), not a data file; expected a YAML file",
            _write("result.json", '{"status": "optimal", "deals": [], "solver": {}}\n'),
            args=("evaluate", "result.json", "--portfolio", pf),
        ),
        Case(
            "result-validated",
            "result.json",
            1,
            "",
            "this is a solve result (result.json), not a data file",
            _write("result.json", '{"status": "optimal", "deals": [], "solver": {}}\n'),
        ),
        Case(
            "unknown-tag",
            p,
            7,
            "batna",
            "unknown tag",
            _replace_line(p, 7, "batna: !!python/object:os.system ls"),
        ),
        Case(
            "tab-indent",
            p,
            11,
            "",
            "invalid YAML",
            _replace_line(p, 11, "\ttitle: Investment"),
        ),
        Case(
            "control-character",
            p,
            2,
            "",
            "unacceptable character #x0007",
            _replace_line(p, 2, "name: Alpha\x07land"),
        ),
        Case(
            "not-utf8",
            p,
            2,
            "",
            "not UTF-8",
            _write(p, b"code: AA\nname: Alpha\xfeland\n"),
        ),
        Case(
            "alias-self",
            p,
            5,
            "",
            "refers to the mapping or list that contains it",
            _replace_line(p, 5, "ask: &a {2026: 100_000, x: *a}"),
        ),
        Case(
            "alias-undefined",
            p,
            7,
            "",
            "found undefined alias 'nope'",
            _replace_line(p, 7, "batna: *nope"),
        ),
    ]


def _replace_line_block(name: str, line: int, text: str) -> Callable[[Path], None]:
    """Replace everything from `line` on with `text`."""

    def edit(folder: Path) -> None:
        path = folder / name
        lines = path.read_text("utf-8").splitlines(keepends=True)
        path.write_text("".join(lines[: line - 1]) + text, "utf-8")

    return edit


# --- files that are not data files ------------------------------------------------------


def _bomb(levels: int = 12) -> str:
    out = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        out.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "code: AA\n" + "\n".join(out) + "\n"


def _symlink_loop(folder: Path) -> None:
    (folder / "loop.yaml").symlink_to("loop2.yaml")
    (folder / "loop2.yaml").symlink_to("loop.yaml")


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / "fifo.yaml")


def _too_big(folder: Path) -> None:
    with (folder / "big.yaml").open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used


def _dangling(folder: Path) -> None:
    (folder / "gone.yaml").symlink_to("nowhere.yaml")


def _directory(folder: Path) -> None:
    (folder / "dir.yaml").mkdir()


def _loop_in_portfolio(folder: Path) -> None:
    _symlink_loop(folder)
    text = (BASE / "portfolio.yaml").read_text().replace("[partner.yaml]", "[loop.yaml]")
    (folder / "portfolio.yaml").write_text(text)


def _file_cases() -> list[Case]:
    cases = [
        Case("symlink-loop", "loop.yaml", None, "", "a loop of symbolic links", _symlink_loop),
        Case("fifo", "fifo.yaml", None, "", "not a regular file", _fifo),
        Case("device-zero", "/dev/zero", None, "", "not a regular file"),
        Case("device-urandom", "/dev/urandom", None, "", "not a regular file"),
        Case("too-big", "big.yaml", None, "", f"limited to {MAX_FILE_BYTES:,} bytes", _too_big),
        Case("dangling-symlink", "gone.yaml", None, "", "file not found", _dangling),
        Case("directory", "dir.yaml", None, "", "a folder without YAML files", _directory),
        Case(
            "directory-as-portfolio",
            "dir.yaml",
            None,
            "",
            "is a directory",
            _directory,
            args=("solve", "dir.yaml"),
        ),
        Case(
            "name-control-character",
            "partner.yaml",
            2,
            "name",
            "contains the control character '\\x1b'",
            _replace_line("partner.yaml", 2, 'name: "Alpha\\x1b[31mland"'),
        ),
        Case(
            "name-line-break",
            "partner.yaml",
            2,
            "name",
            "a name or title is one line of text",
            _replace_line("partner.yaml", 2, 'name: "Alpha\\n# Forged heading"'),
        ),
        Case(
            "name-too-long",
            "partner.yaml",
            2,
            "name",
            "at most 200 characters",
            _replace_line("partner.yaml", 2, "name: " + "A" * 240),
        ),
        Case(
            "name-forged-bold",
            "partner.yaml",
            2,
            "name",
            "contains '**', which documents read as markup",
            _replace_line("partner.yaml", 2, "name: Alpha **land**"),
        ),
        Case(
            "clause-forged-redline",
            "partner.yaml",
            18,
            "concessions[1].clause",
            "contains '~~'",
            _replace_line("partner.yaml", 18, "    clause: The Partner ~~will not~~ may buy."),
        ),
        Case(
            "title-control-character",
            "partner.yaml",
            11,
            "concessions[0].title",
            "control character",
            _replace_line("partner.yaml", 11, '    title: "Invest\\u0000ment"'),
        ),
        Case("missing", "nothing.yaml", None, "", "file not found"),
        Case("nul-in-path", "", None, "", "null byte", args=("validate", "a\x00b.yaml")),
        Case(
            "alias-bomb",
            "bomb.yaml",
            2,
            "",
            f"more than {MAX_VALUES:,} values",
            _write("bomb.yaml", _bomb()),
        ),
        Case(
            "alias-bomb-mapping",
            "bomb.yaml",
            None,
            "",
            f"more than {MAX_VALUES:,} values",
            _write(
                "bomb.yaml",
                "code: AA\nx0: &x0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n"
                + "".join(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]\n" for i in range(1, 9)),
            ),
        ),
        Case(
            "many-values",
            "flat.yaml",
            2,
            "",
            f"the file holds more than {MAX_VALUES:,} values",
            _write("flat.yaml", "code: AA\nx: [" + ",".join(["1"] * (MAX_VALUES + 10)) + "]\n"),
        ),
        Case(
            "deep-nesting",
            "deep.yaml",
            1,
            "",
            "nest",
            _write("deep.yaml", "a: " + "[" * 2000 + "]" * 2000 + "\n"),
        ),
        Case(
            "nesting-over-limit",
            "deep.yaml",
            None,
            "",
            f"more than {MAX_DEPTH} levels",
            _write("deep.yaml", "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"),
        ),
        Case("empty", "empty.yaml", 1, "", "the file is empty", _write("empty.yaml", "")),
        Case("only-comment", "c.yaml", 1, "", "only comments", _write("c.yaml", "# hi\n")),
        Case("scalar-top", "s.yaml", 1, "", "expected a mapping", _write("s.yaml", "42\n")),
        Case("binary", "bin.yaml", None, "", "", _write("bin.yaml", bytes(range(256)))),
        Case(
            "portfolio-partner-loop",
            "portfolio.yaml",
            6,
            "partners[0]",
            "a loop of symbolic links",
            _loop_in_portfolio,
            args=("solve", "portfolio.yaml"),
        ),
    ]
    return cases


# --- command-line values --------------------------------------------------------------


def _option_cases() -> list[Case]:
    solve = ("solve", "portfolio.yaml")
    out = []
    for option, values, says in (
        ("--gap", ("nan", "inf", "-inf", "-0.1", "1", "2"), "expected a relative gap"),
        ("--time-limit", ("nan", "inf", "0", "-1"), "expected a positive number of seconds"),
        (
            "--v-floor",
            ("nan", "inf", "-inf", "1e400", "ten", f"{HUGE_INT}bn", "2e15"),
            "USD",
        ),
    ):
        for value in values:
            out.append(
                Case(
                    f"{option[2:]}={value[:12]}",
                    option,
                    None,
                    "",
                    says,
                    args=(*solve, "--mode", "partner-best", option, value),
                )
            )
    return out


CASES = [
    *_money_cases(),
    *_compute_cases(),
    *_fraction_cases(),
    *_tier_cases(),
    *_structure_cases(),
    *_file_cases(),
    *_option_cases(),
]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for path in BASE.iterdir():
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _command(case: Case) -> tuple[str, ...]:
    if case.args:
        return case.args
    if case.file == "package.yaml":
        return ("validate", case.file, "--portfolio", "portfolio.yaml")
    return ("validate", case.file)


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices and symlinks are POSIX")
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_bad_input_is_named_exactly(run: Runner, folder: Path, case: Case) -> None:
    case.edit(folder)
    start = time.perf_counter()
    result: Run = run(*_command(case))
    elapsed = time.perf_counter() - start
    assert result.traceback == "", result.traceback
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    assert elapsed < BOUND, f"{elapsed:.1f} s"
    lines = result.stderr.splitlines()
    if not case.file:  # refused by the command line parser itself, before dealbench runs
        assert case.says in result.stderr
        return
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
    where = case.file if case.line is None else f"{case.file}:{case.line}"
    if case.field:
        where += f": {case.field}:"
    message = next((line for line in lines if line.startswith(f"error: {where}")), None)
    assert message is not None, f"no error at {where!r} in:\n{result.stderr}"
    assert case.says in message, message
    assert len(message) < 400, "a message is one readable line"


def test_there_are_at_least_150_bad_inputs() -> None:
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES)


def test_a_dense_acyclic_menu_validates_in_linear_time(tmp_path: Path, run: Runner) -> None:
    """200 concessions, each requiring every later one: ~20,000 edges, no cycle.

    A search over paths is exponential here (28 concessions took 106 s); a depth-first
    search visits each concession and each requirement once.
    """
    n = 200
    items = "".join(
        f"  - {{id: c{i}, title: C{i}, us_value: 1m, partner_cost: 1m, "
        f"requires: [{', '.join(f'c{j}' for j in range(i + 1, n))}]}}\n"
        for i in range(n)
    )
    text = (BASE / "partner.yaml").read_text().split("concessions:")[0]
    (tmp_path / "dense.yaml").write_text(text + "concessions:\n" + items)
    start = time.perf_counter()
    result = run("validate", tmp_path / "dense.yaml")
    assert result.exit_code == 0, result.stderr
    assert time.perf_counter() - start < BOUND


def test_every_cycle_of_a_menu_is_reported_once(tmp_path: Path, run: Runner) -> None:
    items = "".join(
        f"  - {{id: c{i}, title: C{i}, us_value: 1m, partner_cost: 1m, requires: [c{j}]}}\n"
        for i, j in ((0, 1), (1, 0), (2, 3), (3, 4), (4, 2), (5, 0))
    )
    text = (BASE / "partner.yaml").read_text().split("concessions:")[0]
    (tmp_path / "two.yaml").write_text(text + "concessions:\n" + items)
    result = run("validate", tmp_path / "two.yaml")
    assert result.exit_code == 2
    cycles = re.findall(r"requirements form a cycle: (.*)", result.stderr)
    assert cycles == ["c0 -> c1 -> c0", "c2 -> c3 -> c4 -> c2"]
