"""The README's example outputs are real and fresh (issue 12, item 9): `make readme` writes them."""

from __future__ import annotations

import subprocess
import sys

from helpers import REPO


def test_the_readme_examples_are_not_stale() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "readme.py"), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr


def test_the_readme_links_the_model_not_a_missing_design_file() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(docs/model.md)" in readme and (REPO / "docs" / "model.md").is_file()
    assert "DESIGN.md" not in readme
