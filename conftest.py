"""Root pytest plugin: options that must exist before tests/ is collected.

`--update-golden` rewrites the golden documents of tests/golden/ from the
current code (see tests/test_golden.py); without it they are only compared.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/ from the current renderer instead of comparing against it.",
    )
