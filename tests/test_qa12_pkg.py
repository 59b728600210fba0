"""dealbench installed as a user installs it (a wheel in a fresh environment) and run
from a folder that is not the repository (docs/decisions.md, "Installed outside the
repository (qa12-pkg)").

Building a wheel needs the build backend pyproject.toml asks for (setuptools 77 or
later), which the development environment need not have; these tests read what the
wheel holds the way setuptools selects it (pyproject's package-data globs) and run the
package from a copy of exactly those files.
"""

from __future__ import annotations

import glob
import tomllib
from pathlib import Path

from helpers import REPO

PACKAGE = REPO / "src" / "dealbench"


def _package_data() -> list[str]:
    """pyproject's package-data patterns for dealbench."""
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns: list[str] = data["tool"]["setuptools"]["package-data"]["dealbench"]
    return patterns


def _in_wheel() -> set[Path]:
    """The package's files other than Python modules that the wheel holds: each
    package-data pattern globbed in the package's folder, recursively, files only, as
    setuptools' build_py selects them."""
    found = set()
    for pattern in _package_data():
        for name in glob.glob(pattern, root_dir=PACKAGE, recursive=True):
            if (PACKAGE / name).is_file():
                found.add(PACKAGE / name)
    return found


def _read_at_runtime() -> set[Path]:
    """Every file under src/dealbench that is not Python source or its cache."""
    return {
        path
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }


def test_every_file_the_package_reads_is_in_the_wheel() -> None:
    """The wheel left out templates/clauses/ (the glob `templates/*` takes no sub-folder),
    so every term sheet of an installed dealbench failed: "template
    'clauses/participants.txt.j2' not found"."""
    missing = sorted(str(p.relative_to(PACKAGE)) for p in _read_at_runtime() - _in_wheel())
    assert missing == []
