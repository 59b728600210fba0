"""Shared fixtures: the test data folders and a CLI runner that keeps stdout and stderr apart."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from dealbench import Portfolio, load_portfolio
from helpers import DATA, REPO, WEB_TOKEN, Run, Runner, invoke, solo_deals, web_client

# Property tests: a modest number of examples by default (the suite stays fast on two
# cores); `HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py` hunts longer.
# A failure prints the `@reproduce_failure(...)` line that replays its example: a run on a
# fresh clone (CI) keeps no example database, and a failure seen once was lost with it.
settings.register_profile("default", max_examples=50, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C as a terminal gives it, whatever started the run: the tests press it (in this
    process, and to commands they start, which inherit its disposition). A run started in
    the background of a script (`make test &`, nohup) inherits Ctrl-C ignored, which
    dealbench rightly leaves ignored: every Ctrl-C test then failed, waiting for an exit
    that never came."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


#: What the checkout's out/ held when the run started (`pytest_sessionfinish`).
_OUT_BEFORE: set[Path] = set()


def _out_files() -> set[Path]:
    out = REPO / "out"
    return {p for p in out.rglob("*") if p.is_file()} if out.is_dir() else set()


def pytest_sessionstart(session: pytest.Session) -> None:
    _OUT_BEFORE.update(_out_files())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test wrote into the checkout's out/ (the commands' default
    folder): a test writes under its own tmp_path. One that gave `counter` no `--out` left
    round documents in out/rounds/, and the file left there failed another test later."""
    written = sorted(_out_files() - _OUT_BEFORE)
    if written:
        shown = ", ".join(str(p.relative_to(REPO)) for p in written[:5])
        more = f" and {len(written) - 5} more" if len(written) > 5 else ""
        print(f"\nerror: the tests wrote into the checkout: {shown}{more}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def run() -> Runner:
    """`run("solve", path, "--json")` -> Run(exit_code, stdout, stderr, traceback)."""

    def _run(*args: str | Path) -> Run:
        return invoke(args)

    return _run


@pytest.fixture
def data() -> Path:
    """tests/data."""
    return DATA


@pytest.fixture
def tiny() -> Path:
    """The tiny portfolio of tests/data/tiny (one partner, one period)."""
    return DATA / "tiny" / "portfolio.yaml"


@pytest.fixture(scope="module")
def tiny_portfolio() -> Portfolio:
    """The tiny portfolio (`tiny`) as loaded, one per test module (a Portfolio is frozen)."""
    return load_portfolio(DATA / "tiny" / "portfolio.yaml")


@pytest.fixture(scope="module")
def gulf_portfolio() -> Portfolio:
    """The shipped deals/portfolios/gulf-asia.yaml as loaded, one per test module."""
    return load_portfolio(REPO / "deals" / "portfolios" / "gulf-asia.yaml")


@pytest.fixture
def shipped() -> Path:
    """The shipped example data, deals/."""
    return REPO / "deals"


@pytest.fixture
def rounds(tmp_path: Path) -> Path:
    """A copy of the shipped worked example's rounds (deals/rounds/gulf-asia: AE countered
    in round 4, SA concluded), for tests that record rounds."""
    target = tmp_path / "rounds"
    shutil.copytree(REPO / "deals/rounds/gulf-asia", target)
    return target


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    """A copy of the shipped deals/ with the `solo` portfolio (`helpers.solo_deals`)."""
    return solo_deals(tmp_path / "deals")


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """A copy of tests/data/qa26fresh as deals/: am-eu, a portfolio written from DESIGN.md
    alone, compute decided in steps of 512 B200 chips."""
    return Path(shutil.copytree(DATA / "qa26fresh", tmp_path / "deals"))


@pytest.fixture
def client(deals: Path) -> Iterator[Any]:
    """A web test client serving `deals`, sending WEB_TOKEN (a module's own `client`
    fixture takes its place in that module)."""
    with web_client(deals, WEB_TOKEN) as c:
        yield c


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """`dealbench serve` started as a user starts it, on a copy of the shipped data, one
    per test module (the browser tests'): its printed URL and folder."""
    from test_web_browser import serving

    name = request.module.__name__.rpartition(".")[2].removeprefix("test_")
    with serving(REPO / "deals", tmp_path_factory.mktemp(name) / "deals") as served:
        yield served
