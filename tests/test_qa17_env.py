"""The environments users really run in (qa17-env): locales, terminals, their own
matplotlib settings, and signals from outside.

Each test failed before the fix it names in docs/decisions.md ("The environments
users really run in (qa17-env)"). Commands run as the user's shell runs them (a
subprocess of `python -m dealbench`) where the fault lies in the process: its
streams' encoding, its locale, its signal handlers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import DATA, REPO

TINY = DATA / "tiny" / "portfolio.yaml"
GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def _dealbench(
    *args: str | Path, env: dict[str, str | None] | None = None, code: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`dealbench ARGS...` as a shell runs it, with `env` changing the environment (None:
    unset); with `code`, that Python runs first in the command's process (to reach a
    moment in it)."""
    changed = {"PYTHONPATH": os.pathsep.join(sys.path), **(env or {})}
    full = {k: v for k, v in {**os.environ, **changed}.items() if v is not None}
    prelude = f"{code}\n" if code else ""
    script = (
        f"{prelude}import sys\nsys.argv[0] = 'dealbench'\nfrom dealbench.cli import main\nmain()"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=full,
        timeout=300,
        check=False,
    )


# --- a terminal that cannot show every character --------------------------------------


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": None},
    ],
    ids=["ascii", "c-locale-without-utf8-mode"],
)
def test_a_terminal_without_unicode_gets_plain_spellings(env: dict[str, str | None]) -> None:
    """`LC_ALL=C` with UTF-8 mode off (or `PYTHONIOENCODING=ascii`): `solve` of the
    shipped portfolio ended in a UnicodeEncodeError traceback at its first line, the
    title's "2026–2028", exit 1. Characters the terminal lacks are now spelled plainly."""
    done = _dealbench("solve", GULF, env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith("Gulf and Asia, 2026-2028: bilateral regime, us-best\n")
    assert "|AE     |veu     |485,200|599,800|600,000|$88.98bn|" in done.stdout
    assert done.stdout.isascii()
