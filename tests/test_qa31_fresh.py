"""A new user's first hour, from a fresh clone (qa31-fresh): what they met."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tracked_top_level() -> set[str]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        [git, "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return {name.split("/", 1)[0] for name in listed}


def test_every_file_at_the_top_of_a_clone_is_one_the_readme_or_manifest_names() -> None:
    """A fresh clone showed `i4`, a stray redline in HTML committed by mistake."""
    sources = ("README.md", "MANIFEST.in", "pyproject.toml")
    said = "\n".join((ROOT / name).read_text(encoding="utf-8") for name in sources)
    unnamed = sorted(
        name
        for name in _tracked_top_level()
        if not name.startswith(".")
        and name not in sources
        and not re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", said)
    )
    assert unnamed == []
