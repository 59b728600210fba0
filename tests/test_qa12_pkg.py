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
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from helpers import REPO, Runner

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


def _files() -> set[Path]:
    """Every file under src/dealbench but Python's caches, through links (deals/)."""
    return {
        Path(folder) / name
        for folder, _, names in os.walk(PACKAGE, followlinks=True)
        if "__pycache__" not in Path(folder).parts
        for name in names
        if not name.endswith(".pyc")
    }


def _read_at_runtime() -> set[Path]:
    """Every file under src/dealbench that is not Python source."""
    return {path for path in _files() if path.suffix != ".py"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding dealbench as the wheel holds it (its modules and its package
    data, nothing else of the repository), for PYTHONPATH."""
    site = tmp_path_factory.mktemp("site")
    for path in {p for p in _files() if p.suffix == ".py"} | _in_wheel():
        target = site / "dealbench" / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return site


def _run_installed(
    site: Path, cwd: Path, *args: str, code: str = ""
) -> subprocess.CompletedProcess[str]:
    """`python -m dealbench ARGS` in `cwd`, importing the package from `site` (`code`
    runs first, in the same process, when given)."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    script = (
        f"import sys; {code}\nfrom dealbench.cli import main; sys.argv[0] = 'dealbench'; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_every_file_the_package_reads_is_in_the_wheel() -> None:
    """The wheel left out templates/clauses/ (the glob `templates/*` takes no sub-folder),
    so every term sheet of an installed dealbench failed: "template
    'clauses/participants.txt.j2' not found"."""
    missing = sorted(str(p.relative_to(PACKAGE)) for p in _read_at_runtime() - _in_wheel())
    assert missing == []


@pytest.fixture(scope="module")
def demo(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder (not the repository) where the installed `dealbench demo --out
    demo-out` ran, in Markdown only (every format is the render tests' business)."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    probe = _run_installed(installed, elsewhere, code="import dealbench; print(dealbench.__file__)")
    assert probe.stdout.startswith(str(installed)), "the test runs the copy, not the repository"
    md_only = "import dealbench.render.documents as d; d.FORMATS = ('md',)"
    done = _run_installed(installed, elsewhere, "demo", "--out", "demo-out", code=md_only)
    assert done.returncode == 0, done.stderr
    assert "Status: optimal" in done.stdout
    (elsewhere / "stdout.txt").write_text(done.stdout)
    return elsewhere


def test_the_installed_package_finds_its_own_example_data(
    installed: Path, demo: Path, tmp_path: Path
) -> None:
    """deals/ was not in the wheel, and the code looked for it three folders above its
    modules (the repository's root): installed, `dealbench demo` said "the shipped example
    data was not found", `dealbench serve` without a folder "/.../lib/python3.11/deals:
    not a folder", and a regime by name (`--policy tiered`, `compare`'s four) was
    "unknown regime 'tiered'" for a portfolio outside a deals/ folder."""
    assert (demo / "demo-out" / "term-sheets" / "AE.md").is_file()
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("ae.yaml", "sa.yaml"):
        shutil.copyfile(REPO / "deals" / "partners" / name, mine / name)
    shutil.copyfile(REPO / "deals" / "policy" / "bilateral.yaml", mine / "policy.yaml")
    (mine / "portfolio.yaml").write_text(
        "id: mine\ntitle: Mine\npolicy: policy.yaml\nperiods: [2026]\n"
        "supply: {2026: 400_000}\npartners: [ae.yaml, sa.yaml]\n"
    )
    tiered = _run_installed(
        installed, tmp_path, "solve", str(mine / "portfolio.yaml"), "--policy", "tiered"
    )
    assert tiered.returncode == 0, tiered.stderr
    assert "tiered regime" in tiered.stdout


def test_the_demo_gives_a_copy_of_the_example_data_the_examples_run_on(
    installed: Path, demo: Path
) -> None:
    """Every command's --help example names deals/..., which a user who installed the
    wheel does not have ("error: deals/portfolios/gulf-asia.yaml: file not found"), and no
    command gave them a copy. The demo writes the example data it solved to OUT/deals,
    its result.json names the copy, and the examples run in OUT."""
    out = demo / "demo-out"
    assert (out / "deals" / "README.md").is_file()
    assert sorted(p.name for p in (out / "deals" / "rounds" / "gulf-asia").iterdir()) == [
        "AE",
        "SA",
    ]
    stdout = (demo / "stdout.txt").read_text()
    assert "Wrote the example data (45 files) to demo-out/deals/" in stdout
    assert "deals/partners/ae.yaml" not in stdout  # the copy in one line, not 45
    assert json.loads((out / "result.json").read_text())["portfolio_file"] == (
        "deals/portfolios/gulf-asia.yaml"
    )
    evaluate = _run_installed(
        installed, out, "evaluate", "deals/packages/ae-counter.yaml",
        "--portfolio", "deals/portfolios/gulf-asia.yaml", "--against", "3",
    )  # fmt: skip
    assert evaluate.returncode == 0, evaluate.stderr
    render = _run_installed(
        installed, out, "render", "result.json", "--partner", "AE", "--out", "again"
    )
    assert render.returncode == 0, render.stderr


def test_serve_without_a_folder_does_not_serve_the_package_itself(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ./deals, `serve` served the shipped examples where they lie: installed, the
    package's own folder, into which the workbench records rounds and saves packages. It
    says how to get a folder of one's own instead."""
    monkeypatch.chdir(tmp_path)
    r = run("serve")
    assert r.exit_code == 2
    assert r.stderr == (
        "error: deals: no deals folder here; name the folder to serve (dealbench serve "
        "FOLDER), or run `dealbench demo`, which writes a copy of the example data to "
        "out/deals\n"
    )


def test_the_sdist_holds_what_its_tests_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sdist took tests/test_*.py alone (setuptools' default): no conftest.py, no
    tests/helpers.py, no tests/data, no deals/ at the top, so a packager's `pytest` on it
    stopped at collection ("No module named 'helpers'"). MANIFEST.in adds them; its lines
    are read here with setuptools' own file list, from the repository's root."""
    from setuptools.command.egg_info import FileList

    monkeypatch.chdir(REPO)
    files = FileList()
    files.findall()
    for line in (REPO / "MANIFEST.in").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            files.process_template_line(line)
    in_sdist = {Path(name).as_posix() for name in files.files}
    needed = {"conftest.py", "Makefile"} | {
        path.relative_to(REPO).as_posix()
        for folder in ("tests", "deals", "docs", "tools", "bench")
        for path in (REPO / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert sorted(needed - in_sdist) == []
    assert not any(name.endswith(".pyc") for name in in_sdist)


def _requirements() -> dict[str, str]:
    """The runtime dependencies as {name: version specifier}."""
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    out = {}
    for requirement in data["project"]["dependencies"]:
        match = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", requirement)
        assert match is not None, requirement
        out[match.group(1).lower()] = match.group(2)
    return out


def test_the_lower_bounds_are_versions_dealbench_runs_on() -> None:
    """Installed beside the lowest versions pyproject allowed (the wheel in a fresh
    environment, those pinned), nothing ran: typer 0.12.0 refused every command
    ("RuntimeError: Type not yet supported: pathlib.Path | None"), typer 0.12.4 under
    click 8.5 ran every command as `--version`, typer 0.16 passed a missing argument
    as None (`dealbench solve`: a traceback, not "Missing argument"); PuLP 3.3.0 has no
    `LpProblem.add_variable` (solve's explanations, the frontier, compare: an
    AttributeError); starlette before 0.44 has no `Request.form(max_part_size=...)`, so
    every form of the workbench was a TypeError. With typer 0.19.2, PuLP 3.3.1 and
    starlette 0.44 (pydantic 2.6, python-multipart 0.0.9, uvicorn 0.29, highspy 1.10,
    rich 13.7, Jinja2 3.1.4 and python-docx 1.1 as declared), every --help example, the
    CLI's tests and the web's pass."""
    declared = _requirements()
    assert declared["typer"] == ">=0.19.2"
    assert declared["pulp"] == ">=3.3.1"
    assert declared["starlette"] == ">=0.44"
