"""Bad input as a careless user writes it (qa31-input): a value left empty, an id in the
wrong case, a house template that is not a file, a bad byte in a partner file, a figure of
a distribution; and a fuzz of the shipped deals/, one fault at a time, through every
command that reads the file. Each test failed before its fix (the fuzz, where it found
one)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import Run, Runner, deals_copy, edit_first_line

PORTFOLIO = "portfolios/gulf-asia.yaml"
UNCERTAIN = "portfolios/gulf-asia-uncertain.yaml"
AE = "partners/ae.yaml"
AE_UNCERTAIN = "partners/uncertain/ae.yaml"
POLICY = "policy/bilateral.yaml"
PACKAGE = "packages/ae-offer.yaml"
ROUND = "rounds/gulf-asia/AE/004-partner.yaml"
SCENARIOS = "scenarios/gulf-asia.yaml"


# --- an empty value says so ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "old", "new", "field", "expected"),
    [
        (PORTFOLIO, r"^  2027: 1_200_000.*", "  2027:", "supply.2027", "a number"),
        (AE, r"^batna: .*", "batna:", "batna", "an amount of USD such as 1.4tn, 200bn, "
         "350m, 75k or 1000"),
        (POLICY, r"mitigation: 0\.5 .*", "mitigation:", "security_levels[1].mitigation",
         "a number"),
        (AE, r"^  - id: invest-us", "  - id:", "concessions[0].id", "an id of letters, "
         "digits, '_', '.' and '-', starting with a letter or digit"),
        (PACKAGE, r"^  2027: 600_000.*", "  2027:", "compute.2027", "a number"),
        (PACKAGE, r"^  us-operated: true", "  us-operated:", "concessions.us-operated",
         "a level id, true or false, or an amount"),
        (ROUND, r"^side: partner", "side:", "side", "'us' or 'partner'"),
    ],
)  # fmt: skip
def test_an_empty_value_is_said_to_be_empty_at_its_file_line_and_field(
    run: Runner, tmp_path: Path, name: str, old: str, new: str, field: str, expected: str
) -> None:
    """`2027:` with nothing after it under supply said "supply.2027: expected a number, got
    None": Python's word for nothing. Now "the value is empty", at the file, line and
    field, for numbers, amounts, ids, a package's terms and a round's fields alike."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, name, old, new)
    target = deals / (name if name in (PACKAGE, ROUND) else PORTFOLIO)
    done = run("validate", target, *(("--portfolio", deals / PORTFOLIO) if name == PACKAGE else ()))
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {deals / name}:{line}: {field}: the value is empty; expected {expected}\n"
    ), done.stderr


def test_a_figure_of_a_distribution_is_named_at_its_key(run: Runner, tmp_path: Path) -> None:
    """`batna: {dist: uniform, low: , high: 10bn}` said "batna: ... got None" at batna's
    line, and a distribution written over several lines named the line of `batna:`, not
    of the figure. It is now `batna.low` at low's line."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(
        deals,
        AE_UNCERTAIN,
        r"^batna: .*",
        "batna:\n  dist: uniform\n  low:\n  high: 10bn",
    )
    done = run("validate", deals / UNCERTAIN)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {deals / AE_UNCERTAIN}:{line + 2}: batna.low: the value is empty; expected "
        "an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000\n"
    ), done.stderr


@pytest.mark.parametrize(
    ("old", "new", "field", "said"),
    [
        (r"^round: 4", "round: four", "round", "expected a whole number, got 'four'"),
        (r"^date: .*", "date: someday", "date", "expected a date such as 2026-03-14, got "
         "'someday'"),
    ],
)  # fmt: skip
def test_a_rounds_number_or_date_mistyped_is_said_in_the_files_words(
    run: Runner, tmp_path: Path, old: str, new: str, field: str, said: str
) -> None:
    """`round: four` said "input should be a valid integer, unable to parse string as an
    integer", `date: someday` "input should be a valid date or datetime, input is too
    short": pydantic's words. Now what the field takes, as every other field says it."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, ROUND, old, new)
    done = run("validate", deals / ROUND)
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {deals / ROUND}:{line}: {field}: {said}\n", done.stderr


# --- an id in the wrong case is hinted ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "old", "new", "field", "said"),
    [
        (PACKAGE, r"^security: veu", "security: VEU", "security",
         "unknown security level 'VEU' in regime bilateral; expected one of: baseline, kyc, "
         "veu; did you mean 'veu'?"),
        (AE, r"^  veu: 2\.5bn.*", "  VEU: 2.5bn", "security_costs.VEU",
         "unknown security level 'VEU' in regime bilateral; expected one of: baseline, kyc, "
         "veu; did you mean 'veu'?"),
        (PORTFOLIO, r"^periods:", "caps: {AE: {VEU: 1000}}\nperiods:", "caps.AE.VEU",
         "unknown security level 'VEU'; expected one of: baseline, kyc, veu; did you mean "
         "'veu'?"),
        (PORTFOLIO, r"^periods:", "caps: {ae: {veu: 1000}}\nperiods:", "caps.ae",
         "'ae' is not a partner of this portfolio; expected one of: AE, SA, QA, BH, IN, SG, "
         "MY, KZ, AM; did you mean 'AE'?"),
        (PACKAGE, r"^  us-operated: true", "  US-Operated: true", "concessions.US-Operated",
         "unknown concession 'US-Operated' of AE; expected one of: invest-us, match-us-ai, "
         "mirror-data-centres, us-operated, align-controls, champion-cap, no-prc-hardware; "
         "did you mean 'us-operated'?"),
        (PACKAGE, r"^  invest-us: 1400bn", "  invest-us: 1400BN", "concessions.invest-us",
         "unknown level '1400BN' of 'invest-us'; expected one of: 200bn, 1400bn; 1400BN is "
         "level 1400bn: write 1400bn"),  # an amount's level: said once, as the amount
    ],
)  # fmt: skip
def test_an_id_written_in_the_wrong_case_is_named_with_the_id_meant(
    run: Runner, tmp_path: Path, name: str, old: str, new: str, field: str, said: str
) -> None:
    """`security: VEU` listed the levels (baseline, kyc, veu) but left the user to see that
    only the case differed, as partner codes already said. Every unknown id (levels,
    concessions, a concession's levels, partners in caps) now names the one meant."""
    deals = deals_copy(tmp_path)
    line = edit_first_line(deals, name, old, new)
    target = deals / (PACKAGE if name == PACKAGE else PORTFOLIO)
    done = run("validate", target, *(("--portfolio", deals / PORTFOLIO) if name == PACKAGE else ()))
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {deals / name}:{line}: {field}: {said}\n", done.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("solve", "{pf}", "--policy", "Tiered"), "--policy: unknown regime 'Tiered'; expected "
         "one of: tiered, monopoly, repeal, bilateral (or a policy file); did you mean "
         "'tiered'?"),
        (("solve", "{pf}", "--mode", "Nash"), "--mode: unknown mode 'Nash'; expected one of: "
         "us-best, partner-best, nash, kalai; did you mean 'nash'?"),
        (("offer", "{pf}", "--partner", "AE", "--fix", "Invest-US", "--rounds", "{rounds}"),
         "--fix: unknown term 'Invest-US'; expected compute, security or a concession of AE: "
         "invest-us, match-us-ai, mirror-data-centres, us-operated, align-controls, "
         "champion-cap, no-prc-hardware; did you mean 'invest-us'?"),
    ],
)  # fmt: skip
def test_an_option_naming_an_id_in_the_wrong_case_is_named_with_the_id_meant(
    run: Runner, tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    deals = deals_copy(tmp_path)
    rounds = deals / "rounds" / "gulf-asia"
    before = sorted(p.name for p in (rounds / "AE").iterdir())
    done = run(*(a.format(pf=deals / PORTFOLIO, rounds=rounds) for a in args))
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {said}\n", done.stderr
    assert sorted(p.name for p in (rounds / "AE").iterdir()) == before


# --- a house template or reference.docx that is no file -----------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _device(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _folder(path: Path) -> None:
    path.mkdir()


@pytest.mark.parametrize("make", [_fifo, _device, _folder], ids=["fifo", "device", "folder"])
@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        ("term_sheet.md.j2", "md", "a template"),
        ("clauses/confidentiality.txt.j2", "md", "a template"),
        ("reference.docx", "docx", "a Word document (.docx)"),
    ],
)
def test_a_house_template_or_reference_docx_that_is_not_a_file_is_refused_by_name(
    run: Runner,
    tmp_path: Path,
    make: Callable[[Path], None],
    name: str,
    fmt: str,
    expected: str,
) -> None:
    """A FIFO, a device or a folder named as a house template or `reference.docx` in
    `--templates` was passed over in silence (the shipped template or Word's default
    styles used instead), or, read as bytes, waited on. Each is now read as a data file
    is (`yamlio.read_regular_file`): refused by name, exit 2, nothing written."""
    deals = deals_copy(tmp_path)
    house = tmp_path / "house"
    shutil.copytree(deals / "house", house)
    target = house / name
    target.unlink(missing_ok=True)
    make(target)
    out = tmp_path / "out"
    done = run(
        "render",
        deals / PACKAGE,
        "--portfolio",
        deals / PORTFOLIO,
        "--templates",
        house,
        "--format",
        fmt,
        "--out",
        out,
    )
    assert done.exit_code == 2, done.output
    problem = (
        "is a directory," if make is _folder else "not a regular file (a device, FIFO or socket);"
    )
    assert done.stderr == f"error: {target}: {problem} expected {expected}\n", done.stderr
    assert not done.traceback and not out.exists()


def test_demo_refuses_a_fifo_in_the_example_data_before_it_solves(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`demo` copies ./deals (the example data) into OUT/deals; it read each file with
    `read_bytes`, after the solve, and a FIFO there (`packages/stray.yaml`) waited for a
    writer forever (here a writer sends it a package). Each file is now read as a data
    file is, before the solve: the FIFO is refused by name, exit 2, nothing written."""
    import threading

    deals = deals_copy(tmp_path)
    fifo = deals / "packages" / "stray.yaml"
    os.mkfifo(fifo)

    def writer() -> None:  # what a reader that waits is sent
        with open(fifo, "w") as out:
            out.write("partner: AE\nsecurity: veu\n")

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    monkeypatch.chdir(tmp_path)
    try:
        done = run("demo", "--out", "out")
    finally:  # a reader end, so that the writer's open returns
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        thread.join(10)
        os.close(fd)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        "error: deals/packages/stray.yaml: not a regular file (a device, FIFO or socket); "
        "expected a file of the example data\n"
    ), done.stderr
    assert not (tmp_path / "out").exists()


def test_a_bad_byte_in_a_partner_file_is_named_at_its_line_in_that_file(
    run: Runner, tmp_path: Path
) -> None:
    """A byte that is not UTF-8 in ae.yaml was said at the portfolio's line naming the file
    ("gulf-asia.yaml:14: partners[0]: ../partners/ae.yaml: not UTF-8 text"), which says
    nothing of where the byte is. It is now said at its line of ae.yaml, as invalid YAML
    in it is."""
    deals = deals_copy(tmp_path)
    path = deals / AE
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"name: United", b"name: \xffUnited", 1))
    line = raw[: raw.index(b"name: United")].count(b"\n") + 1
    done = run("solve", deals / PORTFOLIO)
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {path}:{line}: not UTF-8 text (invalid start byte)\n"


# --- the fuzz: the shipped files, one fault at a time, through every command ----------------


Edit = Callable[[Path], int | None]


def _line(name: str, old: str, new: str, said: Callable[[int], int] = lambda line: line) -> Edit:
    """An edit of one line; `said`: the line the error names, from the edited one."""
    return lambda deals: said(edit_first_line(deals, name, old, new))


def _top(line: int) -> int:
    """A field missing at the top level is named at line 1."""
    return 1


def _next(line: int) -> int:
    """A duplicate key is named at its second line."""
    return line + 1


def _replace(name: str, data: bytes | None) -> Edit:
    """deals/`name` replaced by `data` (None: a folder of that name)."""

    def edit(deals: Path) -> None:
        path = deals / name
        path.unlink()
        if data is None:
            path.mkdir()
        else:
            path.write_bytes(data)

    return edit


def _bad_byte(name: str, key: bytes) -> Edit:
    def edit(deals: Path) -> int:
        path = deals / name
        raw = path.read_bytes()
        at = raw.index(key)
        path.write_bytes(raw[:at] + key + b" \xff" + raw[at + len(key) :])
        return raw[:at].count(b"\n") + 1

    return edit


#: Which commands read each kind of file, and how each is run on the copy of deals/.
PORTFOLIO_COMMANDS = (
    "validate", "solve", "evaluate", "frontier", "offer", "counter", "room", "history",
    "compare", "sweep", "risk", "render", "improve", "redline",
)  # fmt: skip
PACKAGE_COMMANDS = ("evaluate", "risk", "render", "improve", "redline")
ROUND_COMMANDS = ("validate", "offer", "counter", "room", "history")


def _command(name: str, deals: Path, out: Path, portfolio: str) -> list[str | Path]:
    pf, pkg, rounds = deals / portfolio, deals / PACKAGE, deals / "rounds" / "gulf-asia"
    return {
        "solve": ["solve", pf, "--out", out, "--render", "md"],
        "evaluate": ["evaluate", pkg, "--portfolio", pf],
        "frontier": ["frontier", pf, "--partner", "AE", "--points", "3", "--out", out],
        "offer": ["offer", pf, "--partner", "AE", "--rounds", rounds, "--out", out],
        "counter": [
            "counter", pf, "--partner", "AE", deals / "packages" / "ae-counter-2.yaml",
            "--rounds", rounds, "--out", out,
        ],
        "room": ["room", pf, "--rounds", rounds, "--render", "md", "--out", out],
        "history": ["history", pf, "--partner", "AE", "--rounds", rounds, "--out", out],
        "compare": ["compare", pf, "--regimes", "bilateral,tiered", "--render", "md", "--out", out],
        "sweep": ["sweep", pf, deals / SCENARIOS, "--out", out],
        "risk": ["risk", pkg, "--portfolio", pf, "--samples", "100"],
        "render": [
            "render", pkg, "--portfolio", pf, "--doc", "deal-memo", "--format", "md", "--out", out,
        ],
        "improve": ["improve", pkg, "--portfolio", pf],
        "redline": [
            "redline", pkg, deals / "packages" / "ae-counter.yaml", "--portfolio", pf,
            "--format", "md", "--out", out / "redline.md",
        ],
    }.get(name, ["validate", pf])  # fmt: skip


#: (id, the file at fault, its edit, the field said (None: the file as a whole), the
#: commands that read it). The line said is the edited line, or 1 for an empty file.
FAULTS: list[tuple[str, str, Edit, str | None, tuple[str, ...]]] = [
    # a wrong type for each kind of field
    ("integer-as-word", AE, _line(AE, r"^tier: 2", "tier: two"), "tier", PORTFOLIO_COMMANDS),
    ("text-as-list", AE, _line(AE, r"^name: .*", "name: [a, b]"), "name", PORTFOLIO_COMMANDS),
    ("mapping-as-number", AE, _line(AE, r"^ask: .*\n(  .*\n)*", "ask: 40000\n"), "ask",
     PORTFOLIO_COMMANDS),
    ("list-as-word", AE, _line(AE, r"requires: \[\{security: veu\}\]", "requires: veu"),
     "concessions[3].requires", PORTFOLIO_COMMANDS),
    ("share-as-word", AE, _line(AE, r"^diversion_risk: .*", "diversion_risk: high"),
     "diversion_risk", PORTFOLIO_COMMANDS),
    ("money-as-list", AE, _line(AE, r"^  kyc: 400m.*", "  kyc: [1]"), "security_costs.kyc",
     PORTFOLIO_COMMANDS),
    ("choice-as-word", POLICY, _line(POLICY, r"^caps:", "caps_per: month\ncaps:"), "caps_per",
     PORTFOLIO_COMMANDS),
    ("path-as-number", PORTFOLIO, _line(PORTFOLIO, r"^policy: .*", "policy: 3"), "policy",
     PORTFOLIO_COMMANDS),
    ("yes-no-as-word", PACKAGE, _line(PACKAGE, r"^  us-operated: true", "  us-operated: maybe"),
     "concessions.us-operated", PACKAGE_COMMANDS),
    ("round-as-word", ROUND, _line(ROUND, r"^round: 4", "round: four"), "round", ROUND_COMMANDS),
    ("date-as-word", ROUND, _line(ROUND, r"^date: .*", "date: someday"), "date", ROUND_COMMANDS),
    ("distribution-unknown", AE_UNCERTAIN,
     _line(AE_UNCERTAIN, r"^batna: .*", "batna: {dist: gauss, low: 6bn, high: 10bn}"), "batna",
     ("validate", "solve", "risk")),
    # a missing required field, a duplicate key, an unknown one
    ("missing-field", AE, _line(AE, r"^code: AE\n", "", _top), "code", PORTFOLIO_COMMANDS),
    ("duplicate-key", AE, _line(AE, r"^batna: .*", "batna: 8bn\nbatna: 9bn", _next), "batna",
     PORTFOLIO_COMMANDS),
    ("duplicate-key-in-package", PACKAGE,
     _line(PACKAGE, r"^security: veu", "security: veu\nsecurity: kyc", _next), "security",
     PACKAGE_COMMANDS),
    ("unknown-field", PORTFOLIO, _line(PORTFOLIO, r"^title: ", "titel: "), "titel",
     PORTFOLIO_COMMANDS),
    # a negative amount, an empty one
    ("negative-ask", AE, _line(AE, r"^  2027: 1_250_000.*", "  2027: -5"), "ask.2027",
     PORTFOLIO_COMMANDS),
    ("negative-supply", PORTFOLIO, _line(PORTFOLIO, r"^  2027: 1_200_000.*", "  2027: -1"),
     "supply.2027", PORTFOLIO_COMMANDS),
    ("negative-compute", PACKAGE, _line(PACKAGE, r"^  2027: 600_000.*", "  2027: -600_000"),
     "compute.2027", PACKAGE_COMMANDS),
    ("negative-cap", POLICY, _line(POLICY, r"^    kyc: .*", "    kyc: -5"), "caps.tier2.kyc",
     PORTFOLIO_COMMANDS),
    ("empty-supply", PORTFOLIO, _line(PORTFOLIO, r"^  2027: 1_200_000.*", "  2027:"),
     "supply.2027", PORTFOLIO_COMMANDS),
    ("empty-round-compute", ROUND, _line(ROUND, r"^    '2027': 600000", "    '2027':"),
     "package.compute.2027", ROUND_COMMANDS),
    # an unknown partner code, security level or level
    ("unknown-partner-in-package", PACKAGE, _line(PACKAGE, r"^partner: AE", "partner: ZZ"),
     "partner", PACKAGE_COMMANDS),
    ("unknown-partner-in-round", ROUND, _line(ROUND, r"^  partner: AE", "  partner: ZZ"),
     "package.partner", ROUND_COMMANDS),
    ("unknown-partner-in-scenario", SCENARIOS,
     _line(SCENARIOS, r"partners\.AE\.batna", "partners.ZZ.batna"),
     "scenarios[4].set.partners.ZZ.batna", ("sweep",)),
    ("security-in-upper-case", ROUND, _line(ROUND, r"^  security: veu", "  security: VEU"),
     "package.security", ROUND_COMMANDS),
    ("unknown-level", PACKAGE, _line(PACKAGE, r"^  invest-us: 1400bn", "  invest-us: 999bn"),
     "concessions.invest-us", PACKAGE_COMMANDS),
    # huge numbers, NaN, infinity
    ("huge-compute", AE, _line(AE, r"^  2027: 1_250_000.*", "  2027: 1e400"), "ask.2027",
     PORTFOLIO_COMMANDS),
    ("huge-money", AE, _line(AE, r"^batna: .*", "batna: 1e30"), "batna", PORTFOLIO_COMMANDS),
    ("nan-share", AE, _line(AE, r"^diversion_risk: .*", "diversion_risk: .nan"),
     "diversion_risk", PORTFOLIO_COMMANDS),
    ("inf-money", POLICY,
     _line(POLICY, r"^risk_penalty_per_h100e: .*", "risk_penalty_per_h100e: .inf"),
     "risk_penalty_per_h100e", PORTFOLIO_COMMANDS),
    ("inf-compute", PACKAGE, _line(PACKAGE, r"^  2027: 600_000.*", "  2027: .inf"),
     "compute.2027", PACKAGE_COMMANDS),
    # a file that is not a good file
    ("bad-byte", AE, _bad_byte(AE, b"title:"), None, PORTFOLIO_COMMANDS),
    ("bad-byte-in-round", ROUND, _bad_byte(ROUND, b"note:"), None, ROUND_COMMANDS),
    ("empty-file", PACKAGE, _replace(PACKAGE, b""), None, PACKAGE_COMMANDS),
    ("empty-round", ROUND, _replace(ROUND, b""), None, ROUND_COMMANDS),
    ("tab-indented", AE, _line(AE, r"^  2026: ", "\t2026: "), None, PORTFOLIO_COMMANDS),
    ("tab-indented-package", PACKAGE, _line(PACKAGE, r"^  2026: ", "\t2026: "), None,
     PACKAGE_COMMANDS),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "edit", "field", "commands"),
    [pytest.param(*fault[1:], id=fault[0]) for fault in FAULTS],
)
def test_a_fault_in_a_shipped_file_is_answered_by_every_command_that_reads_it(
    run: Runner,
    tmp_path: Path,
    name: str,
    edit: Edit,
    field: str | None,
    commands: tuple[str, ...],
) -> None:
    """deals/ copied, one file given one fault a careless user makes, then every command
    that reads that file: each exits 2 naming the file, the line and the field, with no
    traceback, nothing written (no --out folder, no round recorded, the files as they
    were)."""
    deals = deals_copy(tmp_path)
    line = edit(deals) or 1
    before = _snapshot(deals)
    portfolio = UNCERTAIN if name == AE_UNCERTAIN else PORTFOLIO
    where = re.escape(f"{deals / name}:{line}: ") + (re.escape(f"{field}: ") if field else "")
    for command in commands:
        if command == "validate" and name == ROUND:
            args: list[str | Path] = ["validate", deals / ROUND]
        else:
            args = _command(command, deals, tmp_path / "out", portfolio)
        done = run(*args)
        _answered(done, command, where)
        assert not (tmp_path / "out").exists(), command
        assert _snapshot(deals) == before, command


def _answered(done: Run, command: str, where: str) -> None:
    assert not done.traceback, (command, done.traceback)
    assert done.exit_code == 2, (command, done.output)
    assert re.search(f"^error: {where}", done.stderr, flags=re.M), (command, done.stderr)
    assert "None" not in done.stderr and "Traceback" not in done.output, (command, done.output)


def test_a_directory_where_a_partner_file_goes_is_named_where_the_portfolio_names_it(
    run: Runner, tmp_path: Path
) -> None:
    deals = deals_copy(tmp_path)
    shutil.rmtree(deals / AE_UNCERTAIN, ignore_errors=True)
    (deals / AE).unlink()
    (deals / AE).mkdir()
    text = (deals / PORTFOLIO).read_text("utf-8")
    line = text[: text.index("../partners/ae.yaml")].count("\n") + 1
    for command in ("validate", "solve", "room", "evaluate", "compare"):
        done = run(*_command(command, deals, tmp_path / "out", PORTFOLIO))
        _answered(done, command, re.escape(f"{deals / PORTFOLIO}:{line}: partners[0]: "))
        assert "../partners/ae.yaml: is a directory, expected a YAML file" in done.stderr
        assert not (tmp_path / "out").exists()


def _snapshot(deals: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(deals)): p.read_bytes() if p.is_file() and not p.is_symlink() else None
        for p in sorted(deals.rglob("*"))
    }
