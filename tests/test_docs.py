"""The documentation is tested: every command has help, an example, and a place in the README."""

from __future__ import annotations

import glob
import re

import pytest
import typer.main

from dealbench.cli import app
from helpers import REPO, Runner

COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]
NAMES = sorted(COMMANDS)
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_core_commands_exist() -> None:
    assert {"validate", "solve", "evaluate", "demo"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_command_has_help_text(name: str) -> None:
    command = COMMANDS[name]
    assert command.help, f"`dealbench {name}` has no help text"
    assert len(command.help.strip()) > 20


@pytest.mark.parametrize("name", NAMES)
def test_command_has_an_example_in_its_epilog(name: str) -> None:
    epilog = COMMANDS[name].epilog or ""
    assert f"dealbench {name}" in epilog, f"`dealbench {name} --help` shows no example"


@pytest.mark.parametrize("name", NAMES)
def test_command_help_shows_the_example(run: Runner, name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    assert f"$ dealbench {name}" in result.stdout
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", NAMES)
def test_examples_name_files_that_exist(name: str) -> None:
    """An example that points at shipped data must point at data that ships."""
    epilog = COMMANDS[name].epilog or ""
    paths = re.findall(r"(deals/\S+\.yaml)", epilog)
    for path in paths:
        assert glob.glob(str(REPO / path)), f"`dealbench {name}` example names {path}"


@pytest.mark.parametrize("name", NAMES)
def test_command_is_in_the_readme(name: str) -> None:
    assert f"dealbench {name}" in README, f"README.md does not mention `dealbench {name}`"


def test_readme_has_the_quick_start() -> None:
    assert "make demo" in README
    assert "make test" in README


def test_top_level_help_lists_every_command(run: Runner) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in NAMES:
        assert name in result.stdout
