"""Session 40, bad input (qa40-inputs): what a user hands the tool, said where it is
written, with its exit code, and nothing written.
"""

from __future__ import annotations

import socket
from pathlib import Path

from helpers import REPO, Runner


def _line_of(text: str, line: str) -> int:
    assert text.count(line) == 1, line
    return text[: text.index(line)].count("\n") + 1


def test_a_concession_that_can_never_be_granted_is_noted_where_written_and_stays_valid(
    run: Runner, deals: Path
) -> None:
    """Its requirements exclude each other: valid (generated menus hold such, and the
    optimizer never grants it), but `validate` said nothing of why it is never offered."""
    partner = deals / "partners/my.yaml"
    text = partner.read_text()
    line = "    requires: [{security: veu}]\n"
    at = _line_of(text, line)
    partner.write_text(
        text.replace(
            line,
            "    requires: [{security: veu}, entity-list-enforcement]\n"
            "    excludes: [strategic-trade-permit]\n",
        )
    )
    note = (
        f"note: {partner}:{at}: concessions[3].requires: 'us-hq-operators' can never be "
        "granted: it requires 'strategic-trade-permit' (through another requirement) and "
        "excludes it"
    )
    for args in (("validate", partner), ("validate", deals / "portfolios/gulf-asia.yaml")):
        result = run(*args)
        assert result.exit_code == 0 and not result.traceback, result.output
        assert " ".join(result.stderr.split()).count(note) == 1, result.stderr


def test_a_period_key_yaml_reads_as_a_boolean_is_named_as_written(run: Runner, deals: Path) -> None:
    """`true:` under `supply` (or `ask`, `compute`) was named `supply.1`: pydantic names a
    boolean key by its number."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    text = portfolio.read_text()
    line = "  2027: 1_200_000"
    at = _line_of(text, line)
    portfolio.write_text(text.replace(line, "  true: 1_200_000"))
    partner = deals / "partners/my.yaml"
    mine = partner.read_text()
    ask = "  2027: 150_000 "
    ask_at = _line_of(mine, ask)
    partner.write_text(mine.replace(ask, "  false: 150_000 "))
    result = run("validate", portfolio, partner)
    assert result.exit_code == 2 and not result.traceback, result.output
    assert f"{portfolio}:{at}: supply.true: expected a period label" in result.stderr
    assert f"{partner}:{ask_at}: ask.false: expected a period label" in result.stderr
    given = run(
        "solve",
        deals / "portfolios/solo.yaml",
        "--set",
        "portfolio.supply={2026: 5, true: 6}",
        "--out",
        deals.parent / "out",
    )
    assert given.exit_code == 2 and not given.traceback, given.output
    assert "--set: portfolio.supply.true: expected a period label" in given.stderr
    assert not (deals.parent / "out").exists()


def test_a_sweep_bound_written_with_a_space_names_the_word_read_as_the_scenarios_file(
    run: Runner, deals: Path
) -> None:
    """`--from 5 bn` is `--from 5` and a SCENARIOS file `bn`: the message asked for either
    a SCENARIOS file or --param, which the user had given."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    result = run(
        "sweep", portfolio, "--param", "partners.AE.batna", "--from", "5", "bn", "--to", "6bn"
    )
    assert result.exit_code == 2 and not result.traceback, result.output
    assert "'bn' was read as the SCENARIOS file" in result.stderr
    assert "write 5bn" in result.stderr


def test_an_amount_with_its_currency_after_it_or_a_finance_abbreviation_says_how_to_write_it(
    run: Runner, deals: Path
) -> None:
    """`USD 3bn` is read, `3bn USD` was refused without a word on how to write it; so were
    `50MM` and `2bln`, the abbreviations of a finance desk."""
    partner = deals / "partners/my.yaml"
    text = partner.read_text()
    line = "batna: 3bn "
    at = _line_of(text, line)
    for written, meant in (("3bn USD", "3bn"), ("3000MM", "3000m"), ("3bln", "3bn")):
        partner.write_text(text.replace(line, f"batna: {written} "))
        result = run("validate", partner)
        assert result.exit_code == 2 and not result.traceback, result.output
        assert f"{partner}:{at}: batna: expected an amount of USD" in result.stderr
        assert f"got {written!r}; write {meant}\n" in result.stderr


def test_a_scenario_set_written_as_on_the_command_line_says_how_a_file_writes_it(
    run: Runner, deals: Path
) -> None:
    """`set: portfolio.caps.AE.veu=800_000`, as `--set` writes it, was told only that a
    mapping was expected."""
    scenarios = deals / "scenarios/gulf-asia.yaml"
    text = scenarios.read_text()
    line = "set: {portfolio.caps.AE.veu: 800_000}"
    at = _line_of(text, line)
    scenarios.write_text(text.replace(line, "set: portfolio.caps.AE.veu=800_000"))
    result = run("validate", scenarios)
    assert result.exit_code == 2 and not result.traceback, result.output
    assert (
        f"{scenarios}:{at}: scenarios[1].set: expected a mapping of paths to values, got "
        "'portfolio.caps.AE.veu=800_000'; a scenario writes set: {portfolio.caps.AE.veu: "
        "800_000}"
    ) in " ".join(result.stderr.split())


def test_a_date_option_written_as_asked_but_no_such_date_says_so(run: Runner, deals: Path) -> None:
    """`--date 2026-02-30` was told to write YYYY-MM-DD, which it had; a round file's
    `date: 2026-02-30` is told there is no such date."""
    result = run(
        "solve", deals / "portfolios/solo.yaml", "--date", "2026-02-30", "--out", deals / "o"
    )
    assert result.exit_code == 2 and not result.traceback, result.output
    assert result.stderr.strip() == (
        "error: --date: expected YYYY-MM-DD or today, got '2026-02-30': no such date "
        "(day is out of range for month)"
    )
    assert not (deals / "o").exists()


def test_an_offer_package_for_another_partner_is_refused_at_its_line(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    """`offer --package` of another partner's package was `--package: partner: is SA`,
    with neither file nor line, where `counter` names both."""
    before = sorted(p.name for p in (rounds / "AE").iterdir())
    package = REPO / "deals/packages/sa-counter.yaml"
    at = _line_of(package.read_text(), "partner: SA")
    result = run(
        "offer", REPO / "deals/portfolios/gulf-asia.yaml", "--partner", "AE",
        "--package", package, "--rounds", rounds, "--out", tmp_path / "docs",
    )  # fmt: skip
    assert result.exit_code == 2 and not result.traceback, result.output
    assert f"sa-counter.yaml:{at}: partner: is SA, but the negotiation is with AE" in (
        result.stderr
    )
    assert sorted(p.name for p in (rounds / "AE").iterdir()) == before
    assert not (tmp_path / "docs").exists()


def test_serve_on_a_port_in_use_names_the_option_and_exits_2(run: Runner, deals: Path) -> None:
    """uvicorn logged `ERROR: [Errno 98] error while attempting to bind` and exited 3,
    which is dealbench's "no" (solve found no package)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run("serve", deals, "--port", str(port))
    assert result.exit_code == 2 and not result.traceback, result.output
    assert result.stderr.strip() == (
        f"error: --port: port {port} on 127.0.0.1 is in use by another program; give "
        "another port, or --port 0 for any free one"
    )
    assert result.stdout == ""


def test_a_concession_an_override_makes_impossible_is_noted_at_the_override(
    run: Runner, deals: Path
) -> None:
    """Noted at the partner file's `requires` line, which holds no exclusion: the --set
    (or the scenario) that wrote it is where it was made so."""
    result = run("validate", deals / "portfolios/gulf-asia.yaml")
    assert result.exit_code == 0 and "never" not in result.stderr, result.output
    scenarios = deals / "scenarios/never.yaml"
    scenarios.write_text(
        "scenarios:\n"
        "  - id: never\n"
        "    title: US operators only, without the permit\n"
        "    set:\n"
        "      partners.MY.concessions.us-hq-operators.requires: [entity-list-enforcement]\n"
        "      partners.MY.concessions.us-hq-operators.excludes: [strategic-trade-permit]\n"
    )
    said = (
        "partners.MY.concessions.us-hq-operators.requires: 'us-hq-operators' can never be "
        "granted: it requires 'strategic-trade-permit' (through another requirement) and "
        "excludes it"
    )
    result = run("validate", scenarios, "--portfolio", deals / "portfolios/gulf-asia.yaml")
    assert result.exit_code == 0 and not result.traceback, result.output
    assert f"note: {scenarios}:6: {said}" in " ".join(result.stderr.split())
    assert "my.yaml" not in result.stderr


def test_a_money_option_without_its_unit_is_noted_as_a_files_figure_is(
    run: Runner, deals: Path
) -> None:
    """`--v-floor 100` is $100: `--set partners.AE.batna=8` is noted as read as $8, the
    option, read the same way, said nothing."""
    result = run(
        "solve", deals / "portfolios/solo.yaml", "--mode", "partner-best", "--v-floor", "100"
    )
    assert result.exit_code == 0 and not result.traceback, result.output
    assert (
        "note: --v-floor: read as $100 (written without a unit), where a floor on US utility "
        "is USD 1m or more in a deal between governments; if 100m was meant, write 100m"
    ) in " ".join(result.stderr.split())
