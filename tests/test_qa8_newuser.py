"""A new user's first hour (qa8-nu): what the docs and `--help` promise, run as written."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from dealbench.cli import app
from helpers import REPO, Runner

COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]


def test_the_render_example_with_house_templates_names_a_shipped_folder(
    run: Runner, tmp_path: Path
) -> None:
    """`render --help` shows `--templates FOLDER`: that folder ships, and its clause is used."""
    epilog = COMMANDS["render"].epilog or ""
    found = re.findall(r"--templates (\S+)", epilog)
    assert found, "`render --help` shows no --templates example"
    house = REPO / found[0]
    assert house.is_dir(), f"`render --help` names {found[0]}, which does not ship"
    out = tmp_path / "out"
    solved = run("solve", REPO / "deals/portfolios/gulf-asia.yaml", "--out", out)
    assert solved.exit_code == 0, solved.stderr
    rendered = run(
        "render", out / "result.json", "--templates", house, "--format", "md", "--out", out
    )
    assert rendered.exit_code == 0, rendered.stderr
    sheet = (out / "term-sheets" / "AE.md").read_text(encoding="utf-8")
    assert "each name one official responsible for this clause" in sheet
