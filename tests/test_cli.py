"""The command line: every command, exact messages for bad input, and exit codes.

Bad inputs are fixtures under tests/data/bad/<case>/ (files that reference
tests/data/bad/_base/ for the parts that are fine). Each case names the command
a user would run and the exact stderr they must see: `error: FILE:LINE: FIELD:
message`, exit code 2, no traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dealbench.optimize import SolveResult, SolverInfo, Status
from helpers import DATA, REPO, Run, Runner

BAD = DATA / "bad"
TINY = DATA / "tiny" / "portfolio.yaml"

V = "validate"
BASE = ("--portfolio", "_base/portfolio.yaml")

# (case folder, command line, exact stderr)
BAD_CASES: list[tuple[str, list[str], str]] = [
    # --- YAML and file shape ---
    (
        "unknown-key-top",
        [V, "unknown-key-top/partner.yaml"],
        "error: unknown-key-top/partner.yaml:3: teir: unknown field; did you mean 'tier'? "
        "(it is required)\n",
    ),
    (
        "unknown-key-nested",
        [V, "unknown-key-nested/partner.yaml"],
        "error: unknown-key-nested/partner.yaml:17: concessions[1].titel: unknown field; "
        "did you mean 'title'? (it is required)\n",
    ),
    (
        "duplicate-key",
        [V, "duplicate-key/partner.yaml"],
        "error: duplicate-key/partner.yaml:8: batna: duplicate key: already given on line 7 "
        "(a key may appear only once)\n",
    ),
    (
        "duplicate-key-nested",
        [V, "duplicate-key-nested/partner.yaml"],
        "error: duplicate-key-nested/partner.yaml:21: concessions[1].partner_cost: duplicate key: "
        "already given on line 20 (a key may appear only once)\n",
    ),
    (
        "invalid-yaml",
        [V, "invalid-yaml/partner.yaml"],
        "error: invalid-yaml/partner.yaml:6: invalid YAML: did not find expected ',' or '}' "
        "(while parsing a flow mapping that starts on line 5)\n",
    ),
    (
        "empty-file",
        [V, "empty-file/partner.yaml"],
        "error: empty-file/partner.yaml:1: the file is empty, expected a mapping\n",
    ),
    (
        "list-top-level",
        [V, "list-top-level/partner.yaml"],
        "error: list-top-level/partner.yaml:1: expected a mapping of fields at the top level\n",
    ),
    (
        "not-utf8",
        [V, "not-utf8/partner.yaml"],
        "error: not-utf8/partner.yaml:2: not UTF-8 text (invalid continuation byte)\n",
    ),
    (
        "unknown-kind",
        [V, "unknown-kind/notes.yaml"],
        "error: unknown-kind/notes.yaml:1: cannot tell what this file is: expected a policy "
        "(security_levels), a partner (code), a portfolio (partners, periods), a package "
        "(partner, security), a negotiation's round (round, side) or a scenarios file "
        "(scenarios)\n",
    ),
    (
        "missing-field",
        [V, "missing-field/partner.yaml"],
        "error: missing-field/partner.yaml:1: name: missing required field\n",
    ),
    (
        "bad-country-code",
        [V, "bad-country-code/partner.yaml"],
        "error: bad-country-code/partner.yaml:1: code: expected a country code of two or three "
        "capital letters, such as AE, got 'Alpha'\n",
    ),
    (
        "bad-id",
        [V, "bad-id/partner.yaml"],
        "error: bad-id/partner.yaml:16: concessions[1].id: expected an id of letters, digits, "
        "'_', '.' and '-', starting with a letter or digit, got 'no prc'\n",
    ),
    (
        "bad-category",
        [V, "bad-category/partner.yaml"],
        "error: bad-category/partner.yaml:12: concessions[0].category: expected 'investment', "
        "'purchase', 'security', 'alignment', 'market-access' or 'other', got 'invest'; did you mean 'investment'?\n",
    ),
    (
        "level-not-a-mapping",
        [V, "level-not-a-mapping/partner.yaml"],
        "error: level-not-a-mapping/partner.yaml:14: concessions[0].levels[0]: expected a mapping "
        "of fields, got 'small'\n",
    ),
    # A value that may take two shapes reports only the shape it was written in.
    (
        "requires-misspelt-key",
        [V, "requires-misspelt-key/partner.yaml"],
        "error: requires-misspelt-key/partner.yaml:21: concessions[1].requires[0].securty: "
        "unknown field; did you mean 'security'? (it is required)\n",
    ),
    (
        "piecewise-misspelt-key",
        [V, "piecewise-misspelt-key/partner.yaml"],
        "error: piecewise-misspelt-key/partner.yaml:7: value_per_h100e[0].valu: unknown field; "
        "did you mean 'value'? (it is required)\n",
    ),
    (
        "cap-not-a-number",
        [V, "cap-not-a-number/policy.yaml"],
        "error: cap-not-a-number/policy.yaml:8: caps.tier2.baseline: expected a number, "
        "got 'lots'\n",
    ),
    # --- units and ranges ---
    (
        "bad-money",
        [V, "bad-money/partner.yaml"],
        "error: bad-money/partner.yaml:7: batna: expected an amount of USD such as 1.4tn, 200bn, "
        "350m, 75k or 1000, got '1 billion'; write 1bn\n",
    ),
    (
        "bad-compute-mapping",
        [V, "bad-compute-mapping/partner.yaml"],
        "error: bad-compute-mapping/partner.yaml:5: ask.2026: expected H100e as a number, "
        "{tpp: N}, {h100e: N} or {chips: N, model: NAME}, got keys ['chips', 'tpp']\n",
    ),
    (
        "bad-compute-type",
        [V, "bad-compute-type/partner.yaml"],
        "error: bad-compute-type/partner.yaml:5: ask.2026: expected a number, got a list\n",
    ),
    (
        "unknown-chip",
        [V, "unknown-chip/partner.yaml"],
        "error: unknown-chip/partner.yaml:5: ask.2026: unknown chip model 'A100'; "
        "expected one of: H100, H200, B200, GB200, GB300\n",
    ),
    (
        "negative-ask",
        [V, "negative-ask/partner.yaml"],
        "error: negative-ask/partner.yaml:5: ask.2026: must be at least 0, got -5_000\n",
    ),
    (
        "diversion-risk-range",
        [V, "diversion-risk-range/partner.yaml"],
        "error: diversion-risk-range/partner.yaml:4: diversion_risk: must be at most 1, got 1.5\n",
    ),
    (
        "tier-4",
        [V, "tier-4/partner.yaml"],
        "error: tier-4/partner.yaml:3: tier: expected 1, 2 or 3, got 4\n",
    ),
    (
        "negative-value",
        [V, "negative-value/partner.yaml"],
        "error: negative-value/partner.yaml:6: value_per_h100e: "
        "a value per H100e cannot be negative, got -30k\n",
    ),
    (
        "piecewise-values-increase",
        [V, "piecewise-values-increase/partner.yaml"],
        "error: piecewise-values-increase/partner.yaml:8: value_per_h100e[1].value: values must "
        "not increase from segment to segment (the value curve is concave)\n",
    ),
    (
        "piecewise-upto-order",
        [V, "piecewise-upto-order/partner.yaml"],
        "error: piecewise-upto-order/partner.yaml:8: value_per_h100e[1].upto: `upto` must "
        "increase from segment to segment (50,000 follows 50,000)\n",
    ),
    # --- concession menus ---
    (
        "requires-unknown",
        [V, "requires-unknown/partner.yaml"],
        "error: requires-unknown/partner.yaml:21: concessions[1].requires[1]: unknown concession "
        "'invset'; expected one of: invest, no-prc; did you mean 'invest'?\n",
    ),
    (
        "requires-self",
        [V, "requires-self/partner.yaml"],
        "error: requires-self/partner.yaml:21: concessions[1].requires[0]: "
        "a concession cannot require itself\n",
    ),
    (
        "excludes-unknown",
        [V, "excludes-unknown/partner.yaml"],
        "error: excludes-unknown/partner.yaml:22: concessions[1].excludes[0]: unknown concession "
        "'inverst'; expected one of: invest, no-prc; did you mean 'invest'?\n",
    ),
    (
        "requires-cycle",
        [V, "requires-cycle/partner.yaml"],
        "error: requires-cycle/partner.yaml:13: concessions[0].requires: requirements form a "
        "cycle: invest -> no-prc -> invest\n",
    ),
    (
        "duplicate-concession",
        [V, "duplicate-concession/partner.yaml"],
        "error: duplicate-concession/partner.yaml:16: concessions[1].id: duplicate concession id "
        "'invest'\n",
    ),
    (
        "duplicate-level",
        [V, "duplicate-level/partner.yaml"],
        "error: duplicate-level/partner.yaml:15: concessions[0].levels[1].id: duplicate level id "
        "'small'\n",
    ),
    (
        "reserved-level-id",
        [V, "reserved-level-id/partner.yaml"],
        "error: reserved-level-id/partner.yaml:14: concessions[0].levels[0].id: 'none' is "
        "reserved; choose another level id\n",
    ),
    (
        "concession-without-values",
        [V, "concession-without-values/partner.yaml"],
        "error: concession-without-values/partner.yaml:16: concessions[1].partner_cost: a "
        "concession without `levels` needs `partner_cost`, a USD amount (missing or blank "
        "here)\n",
    ),
    # --- policy ---
    (
        "negative-cap",
        [V, "negative-cap/policy.yaml"],
        "error: negative-cap/policy.yaml:8: caps.tier2.baseline: a cap cannot be negative, "
        "got -10_000\n",
    ),
    (
        "cap-unknown-level",
        [V, "cap-unknown-level/policy.yaml"],
        "error: cap-unknown-level/policy.yaml:8: caps.tier2.kcy: unknown security level 'kcy'; "
        "expected one of: baseline, kyc, veu; did you mean 'kyc'?\n",
    ),
    (
        "duplicate-security-level",
        [V, "duplicate-security-level/policy.yaml"],
        "error: duplicate-security-level/policy.yaml:6: security_levels[2].id: duplicate "
        "security level id 'kyc'\n",
    ),
    (
        "mitigation-range",
        [V, "mitigation-range/policy.yaml"],
        "error: mitigation-range/policy.yaml:6: security_levels[2].mitigation: must be at most 1, "
        "got 1.2\n",
    ),
    # --- a partner against its portfolio and regime ---
    (
        "requires-unknown-level",
        [V, "requires-unknown-level/portfolio.yaml"],
        "error: requires-unknown-level/partner.yaml:21: concessions[1].requires[0].security: "
        "unknown security level 'kcy' in regime base; expected one of: baseline, kyc, veu; did you mean 'kyc'?\n",
    ),
    (
        "security-cost-unknown-level",
        ["solve", "security-cost-unknown-level/portfolio.yaml"],
        "error: security-cost-unknown-level/partner.yaml:8: security_costs.nveu: unknown security "
        "level 'nveu' in regime base; expected one of: baseline, kyc, veu; did you mean 'veu'?\n",
    ),
    (
        "ask-period-unknown",
        ["solve", "ask-period-unknown/portfolio.yaml"],
        "error: ask-period-unknown/partner.yaml:5: ask.2026Q3: period '2026Q3' is not one of "
        "the portfolio's periods (2026); asks are per period: '2026Q3' is a quarter and this "
        "portfolio's periods are years, so write the ask per year\n",
    ),
    (
        "bad-partner-in-portfolio",
        ["solve", "bad-partner-in-portfolio/portfolio.yaml", "--json"],
        "error: bad-partner-in-portfolio/partner.yaml:5: ask.2026: expected a number, "
        "got '100_000k'; suffixes such as k and m are for amounts of USD: write 100_000_000\n",
    ),
    # --- portfolio ---
    (
        "supply-period-unknown",
        [V, "supply-period-unknown/portfolio.yaml"],
        "error: supply-period-unknown/portfolio.yaml:5: supply.2062: period '2062' is not one of "
        "the portfolio's periods (2026)\n",
    ),
    (
        "supply-period-missing",
        [V, "supply-period-missing/portfolio.yaml"],
        "error: supply-period-missing/portfolio.yaml:5: supply: no supply given for period "
        "'2027'\n",
    ),
    (
        "duplicate-period",
        [V, "duplicate-period/portfolio.yaml"],
        "error: duplicate-period/portfolio.yaml:4: periods[1]: period '2026' is listed twice\n",
    ),
    (
        "bad-period-label",
        [V, "bad-period-label/portfolio.yaml"],
        "error: bad-period-label/portfolio.yaml:4: periods[0]: expected a period label such as "
        "2026 or 2026Q3, got a list\n",
    ),
    (
        "partner-file-missing",
        ["solve", "partner-file-missing/portfolio.yaml"],
        "error: partner-file-missing/portfolio.yaml:6: partners[1]: file not found: bb.yaml "
        "(looked for partner-file-missing/bb.yaml)\n",
    ),
    (
        "policy-file-missing",
        [V, "policy-file-missing/portfolio.yaml"],
        "error: policy-file-missing/portfolio.yaml:3: policy: file not found: "
        "../_base/regime.yaml (looked for _base/regime.yaml)\n",
    ),
    (
        "partner-listed-twice",
        [V, "partner-listed-twice/portfolio.yaml"],
        "error: partner-listed-twice/portfolio.yaml:6: partners[1]: partner AA is listed twice "
        "(also _base/partner.yaml)\n",
    ),
    # --- packages ---
    (
        "package-unknown-concession",
        ["evaluate", "package-unknown-concession/package.yaml", *BASE],
        "error: package-unknown-concession/package.yaml:4: concessions.no-prc-hw: unknown "
        "concession 'no-prc-hw' of AA; expected one of: invest, no-prc; did you mean 'no-prc'?\n",
    ),
    (
        "package-unknown-level",
        ["evaluate", "package-unknown-level/package.yaml", *BASE],
        "error: package-unknown-level/package.yaml:4: concessions.invest: unknown level 'medium' "
        "of 'invest'; expected one of: small, large\n",
    ),
    (
        "package-level-true",
        ["evaluate", "package-level-true/package.yaml", *BASE],
        "error: package-level-true/package.yaml:4: concessions.invest: 'invest' has levels; "
        "name one of: small, large\n",
    ),
    (
        "package-yes-no-level",
        ["evaluate", "package-yes-no-level/package.yaml", *BASE, "--json"],
        "error: package-yes-no-level/package.yaml:4: concessions.no-prc: 'no-prc' is a yes/no "
        "term; write true or false\n",
    ),
    (
        "package-unknown-partner",
        ["evaluate", "package-unknown-partner/package.yaml", *BASE],
        "error: package-unknown-partner/package.yaml:1: partner: partner 'ZZ' is not in "
        "portfolio base; expected one of: AA\n",
    ),
    (
        "package-unknown-security",
        [V, "package-unknown-security/package.yaml", *BASE],
        "error: package-unknown-security/package.yaml:2: security: unknown security level 'nveu' "
        "in regime base; expected one of: baseline, kyc, veu; did you mean 'veu'?\n",
    ),
    (
        "package-period-unknown",
        ["evaluate", "package-period-unknown/package.yaml", *BASE],
        "error: package-period-unknown/package.yaml:3: compute.2027: period '2027' is not one of "
        "the portfolio's periods (2026)\n",
    ),
    # --- the command line itself ---
    ("file-not-found", [V, "no-such-file.yaml"], "error: no-such-file.yaml: file not found\n"),
    ("directory", ["solve", "_base"], "error: _base: is a directory, expected a YAML file\n"),
    (
        "portfolio-not-found",
        ["solve", "no-such-portfolio.yaml"],
        "error: no-such-portfolio.yaml: file not found\n",
    ),
    (
        "package-portfolio-not-found",
        ["evaluate", "_base/package.yaml", "--portfolio", "no-such-portfolio.yaml"],
        "error: no-such-portfolio.yaml: file not found\n",
    ),
    (
        "unknown-mode",
        ["solve", "_base/portfolio.yaml", "--mode", "best"],
        "error: --mode: unknown mode 'best'; expected one of: us-best, partner-best, nash, kalai; did you mean 'us-best' or 'partner-best'?\n",
    ),
    (
        "unknown-solver",
        ["solve", "_base/portfolio.yaml", "--solver", "gurobi"],
        "error: --solver: unknown solver 'gurobi'; expected one of: highs, cbc\n",
    ),
]


def assert_no_traceback(result: Run) -> None:
    assert result.traceback == "", result.traceback
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("args", "stderr"), [pytest.param(a, e, id=c) for c, a, e in BAD_CASES])
def test_bad_input(
    run: Runner, monkeypatch: pytest.MonkeyPatch, args: list[str], stderr: str
) -> None:
    monkeypatch.chdir(BAD)
    result = run(*args)
    assert_no_traceback(result)
    assert result.stderr == stderr
    assert result.stdout == ""
    assert result.exit_code == 2


def test_there_are_enough_bad_input_cases() -> None:
    assert len(BAD_CASES) >= 25
    assert len({case for case, _, _ in BAD_CASES}) == len(BAD_CASES)


def test_every_bad_fixture_folder_has_a_case() -> None:
    folders = {p.name for p in BAD.iterdir() if p.is_dir() and p.name != "_base"}
    cases = {case for case, _, _ in BAD_CASES}
    assert folders <= cases, f"fixtures without a case: {sorted(folders - cases)}"


def test_the_base_of_the_bad_fixtures_is_good(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each bad case differs from _base in one place, so _base itself must be valid."""
    monkeypatch.chdir(BAD)
    files = ["_base/policy.yaml", "_base/partner.yaml", "_base/portfolio.yaml"]
    result = run(V, *files, "_base/package.yaml", *BASE)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "ok: _base/policy.yaml (policy)\n"
        "ok: _base/partner.yaml (partner)\n"
        "ok: _base/portfolio.yaml (portfolio)\n"
        "ok: _base/package.yaml (package)\n"
    )


# --- validate -------------------------------------------------------------------------


def test_validate_reports_every_file(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Good files are listed on stdout, every problem of the bad ones on stderr; exit 2."""
    monkeypatch.chdir(BAD)
    result = run(V, "_base/partner.yaml", "tier-4/partner.yaml", "bad-money/partner.yaml")
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert result.stdout == "ok: _base/partner.yaml (partner)\n"
    assert result.stderr == (
        "error: tier-4/partner.yaml:3: tier: expected 1, 2 or 3, got 4\n"
        "error: bad-money/partner.yaml:7: batna: expected an amount of USD such as 1.4tn, "
        "200bn, 350m, 75k or 1000, got '1 billion'; write 1bn\n"
    )


def test_validate_reports_several_problems_of_one_file(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (BAD / "_base" / "partner.yaml").read_text()
    text = text.replace("tier: 2", "tier: 5").replace("diversion_risk: 0.2", "diversion_risk: -1")
    (tmp_path / "partner.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = run(V, "partner.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: partner.yaml:3: tier: expected 1, 2 or 3, got 5\n"
        "error: partner.yaml:4: diversion_risk: must be at least 0, got -1\n"
    )


def test_validate_the_shipped_data(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    files = sorted(str(p.relative_to(REPO)) for p in (REPO / "deals").rglob("*.yaml"))
    packages = [f for f in files if "/packages/" in f]
    others = [f for f in files if "/packages/" not in f]
    result = run(V, *others)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("ok: ") == len(others)
    result = run(V, *packages, "--portfolio", "deals/portfolios/global.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"ok: {p} (package)" for p in packages]


def test_validate_names_the_kind_of_each_file(run: Runner) -> None:
    tiny = DATA / "tiny"
    result = run(V, tiny / "policy.yaml", tiny / "aa.yaml", tiny / "portfolio.yaml")
    assert result.exit_code == 0
    assert result.stdout == (
        f"ok: {tiny / 'policy.yaml'} (policy)\n"
        f"ok: {tiny / 'aa.yaml'} (partner)\n"
        f"ok: {tiny / 'portfolio.yaml'} (portfolio)\n"
    )


# --- solve ----------------------------------------------------------------------------

DEAL_KEYS = {"partner", "security", "compute", "concessions", "us_value", "partner_utility", "risk"}


def test_solve_prints_a_table(run: Runner) -> None:
    result = run("solve", TINY)
    assert_no_traceback(result)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "Tiny portfolio" in out
    assert "AA" in out and "veu" in out and "100,000" in out
    assert "Status: optimal   US utility: $2.30bn" in out
    assert "No deal: none" in out


def test_solve_json(run: Runner) -> None:
    result = run("solve", TINY, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"status", "objective", "deals", "no_deal", "solver"} <= set(data)
    assert data["status"] == "optimal"
    assert data["objective"] == pytest.approx(2.3e9, rel=1e-6)
    assert data["no_deal"] == []
    (deal,) = data["deals"]
    assert set(deal) >= DEAL_KEYS
    assert deal["partner"] == "AA"
    assert deal["security"] == "veu"
    assert deal["compute"] == {"2026": pytest.approx(100_000, rel=1e-6)}
    assert deal["concessions"] == {"invest": "small", "no-prc": True}
    assert deal["us_value"] == pytest.approx(2.3e9, rel=1e-6)
    assert deal["partner_utility"] == pytest.approx(1.8e9, rel=1e-6)
    assert deal["risk"] == pytest.approx(2_000, rel=1e-6)
    assert {"name", "version", "seconds", "gap"} <= set(data["solver"])
    assert data["solver"]["name"] == "highs"
    assert data["solver"]["gap"] == pytest.approx(0, abs=1e-6)


def test_solve_json_partner_best_with_no_deal(run: Runner) -> None:
    """partner-best on supply-shared leaves BB without a deal (see test_handworked)."""
    result = run(
        "solve", DATA / "supply-shared" / "portfolio.yaml", "--mode", "partner-best", "--json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["no_deal"] == ["BB"]
    assert [d["partner"] for d in data["deals"]] == ["AA"]
    assert data["objective"] == pytest.approx(5e9, rel=1e-6)  # the partners' total
    assert data["us_value"] == pytest.approx(1e9, rel=1e-6)


def test_solve_json_stdout_is_pure_json_in_a_fresh_process() -> None:
    """HiGHS prints a banner on its first use in a process; it must not reach stdout.

    In-process runs cannot see it (it is written to file descriptor 1 by C++), so this
    runs the installed `dealbench` script.
    """
    exe = Path(sys.executable).with_name("dealbench")
    proc = subprocess.run(
        [str(exe), "solve", str(TINY), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["objective"] == pytest.approx(2.3e9, rel=1e-6)


def test_solve_out_writes_the_result_and_term_sheets(run: Runner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("solve", TINY, "--json", "--out", out)
    assert result.exit_code == 0, result.stderr
    written = json.loads((out / "result.json").read_text())
    assert written["objective"] == json.loads(result.stdout)["objective"]
    sheet = out / "term-sheets" / "AA.md"
    assert sheet.is_file()
    assert "Alphaland" in sheet.read_text()


def test_solve_out_replaces_its_own_files(run: Runner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("solve", TINY, "--out", out).exit_code == 0
    again = run("solve", TINY, "--out", out)
    assert again.exit_code == 0, again.stderr
    assert (out / "term-sheets" / "AA.md").is_file()


def test_solve_out_refuses_to_overwrite_a_file_it_did_not_write(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = Path("out")
    assert run("solve", TINY, "--out", out).exit_code == 0
    sheet = out / "term-sheets" / "AA.md"
    sheet.write_text("My own notes on Alphaland.\n")

    refused = run("solve", TINY, "--out", out)
    assert_no_traceback(refused)
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"error: {sheet} exists and was not written by dealbench, or was edited since; "
        "it is left as it is (use --force to overwrite it)\n"
    )
    assert sheet.read_text() == "My own notes on Alphaland.\n"

    forced = run("solve", TINY, "--out", out, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert sheet.read_text() != "My own notes on Alphaland.\n"


def test_solve_out_refuses_a_users_result_json(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("out").mkdir()
    Path("out/result.json").write_text("{}\n")
    refused = run("solve", TINY, "--out", "out")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "error: out/result.json exists and was not written by dealbench, or was edited since; "
        "it is left as it is (use --force to overwrite it)\n"
    )
    assert Path("out/result.json").read_text() == "{}\n"


def test_a_refused_output_folder_is_left_as_it_was(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When one file may not be replaced, none is: no new result.json beside old term sheets."""
    monkeypatch.chdir(tmp_path)
    assert run("solve", TINY, "--out", "out").exit_code == 0
    before = Path("out/result.json").read_bytes()
    Path("out/term-sheets/AA.md").write_text("My own notes.\n")
    refused = run("solve", TINY, "--out", "out", "--date", "2026-01-01")
    assert refused.exit_code == 2
    assert Path("out/result.json").read_bytes() == before


def test_solve_infeasible_floor_exits_3(run: Runner) -> None:
    """The US can get at most 2.3bn from tiny (test_handworked), so a 3bn floor is infeasible."""
    result = run("solve", TINY, "--mode", "partner-best", "--v-floor", "3e9", "--json")
    assert_no_traceback(result)
    assert result.exit_code == 3
    assert json.loads(result.stdout)["status"] == "infeasible"  # one JSON object, always
    assert result.stderr.startswith("error: ")


def _result(status: Status, objective: float | None = None) -> SolveResult:
    return SolveResult(
        status=status,
        mode="us-best",
        portfolio="tiny",
        portfolio_title="Tiny portfolio",
        policy="tiny",
        periods=["2026"],
        objective=objective,
        supply={"2026": 1e6},
        supply_used={"2026": 0.0},
        solver=SolverInfo(name="highs", version="test", seconds=1.0, gap=0.5, bound=1e9),
        fingerprint="0",
    )


def test_solver_limit_without_a_package_exits_4(
    run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dealbench.optimize.solve", lambda *a, **k: _result(Status.NO_SOLUTION))
    result = run("solve", TINY)
    assert_no_traceback(result)
    assert result.exit_code == 4
    assert result.stderr == ("error: the solver stopped at its limit before finding a package\n")


def test_solver_limit_with_a_package_prints_it_and_exits_4(
    run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dealbench.optimize.solve", lambda *a, **k: _result(Status.TIME_LIMIT, 0.0))
    result = run("solve", TINY, "--json")
    assert_no_traceback(result)
    assert result.exit_code == 4
    assert json.loads(result.stdout)["status"] == "time-limit"
    assert result.stderr.startswith("warning: the time limit stopped the solver")


def test_a_real_time_limit_exits_4(run: Runner) -> None:
    """The shipped global portfolio cannot be solved in a millisecond."""
    result = run("solve", REPO / "deals" / "portfolios" / "global.yaml", "--time-limit", "0.001")
    assert_no_traceback(result)
    assert result.exit_code == 4, result.stderr
    assert result.stderr.startswith(("error: ", "warning: "))


def test_unexpected_errors_keep_their_traceback(
    run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only dealbench's own errors become messages; anything else is a bug and shows as one."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("dealbench.model.load_portfolio", broken)
    result = run("solve", TINY)
    assert result.exit_code == 1
    assert "RuntimeError: a bug" in result.traceback


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["solve"], "missing argument 'portfolio'"),
        (["evaluate", "x.yaml"], "missing option '--portfolio'"),
        (["solve", "p.yaml", "--gap", "small"], "error: --gap: expected a number"),
        (["frobnicate"], "no such command 'frobnicate'"),
    ],
)
def test_usage_errors_exit_2(run: Runner, args: list[str], message: str) -> None:
    result = run(*args)
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert message in result.stderr.lower()


@pytest.mark.parametrize(("text", "share"), [("1%", 0.01), ("0.01", 0.01), ("1e-6", 1e-6)])
def test_a_share_option_reads_a_number_or_a_percentage(text: str, share: float) -> None:
    from dealbench.cli.base import share_option

    assert share_option(text) == pytest.approx(share)


def test_gap_as_a_percentage_solves_and_out_of_range_is_refused(run: Runner) -> None:
    result = run("solve", TINY, "--gap", "1%")
    assert result.exit_code == 0, result.stderr
    assert "Status: optimal" in result.stdout
    result = run("solve", TINY, "--gap", "150%")
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert "--gap: expected a relative gap from 0 to below 1" in result.stderr
    assert "got 150%" in result.stderr  # as typed (qa38b-input)


# --- evaluate -------------------------------------------------------------------------


def test_evaluate_prints_the_figures(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    result = run("evaluate", "_base/package.yaml", *BASE)
    assert result.exit_code == 0, result.stderr
    assert "Package for Alphaland (AA) under veu" in result.stdout
    assert "Partner accepts: yes" in result.stdout
    assert "Violations: none" in result.stdout


def test_evaluate_json(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """The us-best package of tiny, written by hand: the figures of test_tiny_us_best."""
    monkeypatch.chdir(BAD)
    result = run("evaluate", "_base/package.yaml", *BASE, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert DEAL_KEYS | {"accepts", "violations"} <= set(data)
    assert data["accepts"] is True
    assert data["violations"] == []
    assert data["us_value"] == pytest.approx(2.3e9, rel=1e-6)
    assert data["partner_utility"] == pytest.approx(1.8e9, rel=1e-6)
    assert data["risk"] == pytest.approx(2_000, rel=1e-6)
    assert data["concessions"] == {"invest": "small", "no-prc": True}


def test_evaluate_lists_violations_in_plain_words(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under kyc the tier-2 cap is 50,000 and the ask 100,000; 150,000 breaks both.

    The partner still accepts: 30k x 150,000 - 0.1bn (kyc) = 4.4bn >= its BATNA of 1bn.
    """
    (tmp_path / "over.yaml").write_text(
        "partner: AA\nsecurity: kyc\ncompute: {2026: 150_000}\nconcessions: {no-prc: true}\n"
    )
    monkeypatch.chdir(tmp_path)
    result = run("evaluate", "over.yaml", "--portfolio", BAD / "_base" / "portfolio.yaml", "--json")
    assert result.exit_code == 3, result.stderr  # the verdict: it breaks limits
    data = json.loads(result.stdout)
    assert data["accepts"] is True
    assert [v["message"] for v in data["violations"]] == [
        "AA: 2026 compute 150,000 H100e exceeds its ask of 100,000 H100e",
        "AA: 2026 compute 150,000 H100e exceeds the tier 2 cap under kyc of 50,000 H100e",
    ]


def test_evaluate_a_package_the_partner_refuses(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10,000 H100e under veu for the large investment: 0.3bn - 2.5bn - 0.5bn < 1bn BATNA."""
    (tmp_path / "greedy.yaml").write_text(
        "partner: AA\nsecurity: veu\ncompute: {2026: 10_000}\nconcessions: {invest: large}\n"
    )
    monkeypatch.chdir(tmp_path)
    result = run(
        "evaluate", "greedy.yaml", "--portfolio", BAD / "_base" / "portfolio.yaml", "--json"
    )
    assert result.exit_code == 3, result.stderr  # the verdict: the partner would not accept
    data = json.loads(result.stdout)
    assert data["accepts"] is False
    assert data["violations"] == []
    assert data["partner_utility"] == pytest.approx(0.3e9 - 2.5e9 - 0.5e9, rel=1e-6)


def test_evaluate_the_shipped_counter(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = run(
        "evaluate",
        "deals/packages/ae-counter.yaml",
        "--portfolio",
        "deals/portfolios/gulf-asia.yaml",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["partner"] == "AE"
    assert isinstance(data["accepts"], bool)
    assert isinstance(data["violations"], list)


# --- demo -----------------------------------------------------------------------------


def test_demo_writes_the_result_and_a_term_sheet_per_deal(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Markdown only: rendering every format is the render tests' business, and slow.
    monkeypatch.setattr("dealbench.render.documents.FORMATS", ("md",), raising=False)
    monkeypatch.chdir(tmp_path)
    result = run("demo", "--out", "demo-out")
    assert_no_traceback(result)
    assert result.exit_code == 0, result.stderr
    assert "Status: optimal" in result.stdout
    data = json.loads((tmp_path / "demo-out" / "result.json").read_text())
    assert data["status"] == "optimal"
    assert data["deals"], "the shipped demo concludes deals"
    for deal in data["deals"]:
        assert (tmp_path / "demo-out" / "term-sheets" / f"{deal['partner']}.md").is_file()


def test_python_m_dealbench_runs_the_command_line() -> None:
    """`python -m dealbench` works where the `dealbench` script is not on the PATH."""
    done = subprocess.run(
        [sys.executable, "-m", "dealbench", "validate", "deals/portfolios/gulf-asia.yaml"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: deals/portfolios/gulf-asia.yaml (portfolio)")


def test_a_file_of_no_known_kind_is_told_every_kind_validate_reads(
    tmp_path: Path, run: Runner
) -> None:
    """The list of kinds left out rounds and scenarios files, which `validate` reads: it
    names every kind, with the keys that tell it."""
    notes = tmp_path / "notes.yaml"
    notes.write_text("title: Meeting notes\n", encoding="utf-8")
    result = run("validate", notes)
    assert result.exit_code == 2 and not result.traceback
    for said in (
        "a policy (security_levels)", "a partner (code)", "a portfolio (partners, periods)",
        "a package (partner, security)", "a negotiation's round (round, side)",
        "a scenarios file (scenarios)",
    ):  # fmt: skip
        assert said in result.stderr
