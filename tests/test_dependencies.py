"""What `make test` installs from nothing (pyproject.toml's dev extra) is what the tests
run on, without deprecation warnings from the test tools themselves."""

from __future__ import annotations

import re
import tomllib
import warnings

import pytest

from helpers import REPO


def _dev_requirements() -> dict[str, str]:
    """The dev extra as {name: version specifier}."""
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    out = {}
    for requirement in data["project"]["optional-dependencies"]["dev"]:
        match = re.match(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(.*)", requirement)
        assert match is not None, requirement
        out[match.group(1).lower()] = match.group(3)
    return out


def test_the_web_tests_client_is_httpx2() -> None:
    """Starlette's TestClient runs on httpx2 and warns on httpx ("Using `httpx` with
    `starlette.testclient` is deprecated; install `httpx2` instead"), which every test run
    printed: the dev extra asks for httpx2, and for a starlette whose TestClient uses it
    (1.2, the first)."""
    dev = _dev_requirements()
    assert "httpx" not in dev
    assert dev["httpx2"] == ">=2.0"
    assert dev["starlette"] == ">=1.2"


def test_the_testclient_runs_on_httpx2_without_a_warning() -> None:
    """Where the dev extra is installed (`make test`), the TestClient is httpx2's."""
    pytest.importorskip("httpx2", reason="the dev extra is not installed in this environment")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        import starlette.testclient

    assert starlette.testclient.httpx.__name__ == "httpx2"
