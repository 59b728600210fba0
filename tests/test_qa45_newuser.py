"""Session 45 (qa45-newuser): the first hour of a new user.

Each test is a fault met by following the README and the commands' `--help` on a fresh
clone, and by writing a portfolio of one's own from the docs: an error that did not say
what to write instead, and a help example that cannot run as shown without saying why.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.helpers import invoke

# --- a portfolio that names its files from the current folder ----------------------------------


def _own_portfolio(root: Path, tiny: Path) -> Path:
    """deals/{policy,partners,portfolios} as a new user lays them out, the portfolio naming
    its files as paths from `root` (where the user stands), not from its own folder."""
    for folder, name in (("policy", "policy.yaml"), ("partners", "aa.yaml")):
        (root / "deals" / folder).mkdir(parents=True)
        shutil.copy(tiny.parent / name, root / "deals" / folder / name)
    (root / "deals/portfolios").mkdir()
    text = tiny.read_text(encoding="utf-8")
    text = text.replace("policy: policy.yaml", "policy: deals/policy/policy.yaml")
    text = text.replace("partners: [aa.yaml]", "partners: [deals/partners/aa.yaml]")
    (root / "deals/portfolios/mine.yaml").write_text(text, encoding="utf-8")
    return root / "deals/portfolios/mine.yaml"


def test_a_path_from_the_current_folder_is_answered_with_the_path_to_write(
    tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate deals/portfolios/mine.yaml` with `policy: deals/policy/policy.yaml` said
    only "file not found ... (looked for deals/portfolios/deals/policy/policy.yaml)": the
    user, whose file is right there, had to work out that paths start at the portfolio's
    folder. The error now names the path to write, for the policy and each partner."""
    _own_portfolio(tmp_path, tiny)
    monkeypatch.chdir(tmp_path)
    result = invoke(["validate", "deals/portfolios/mine.yaml"])
    assert result.exit_code == 2, result.output
    assert result.traceback == ""
    assert (
        "deals/portfolios/mine.yaml:3: policy: file not found: deals/policy/policy.yaml "
        "(looked for deals/portfolios/deals/policy/policy.yaml); a portfolio names its files "
        "by their paths from the portfolio's folder, not from the current one: write "
        "../policy/policy.yaml"
    ) in result.stderr
    assert "partners[0]: file not found" in result.stderr
    assert "not from the current one: write ../partners/aa.yaml" in result.stderr


def test_the_path_it_names_is_one_that_loads(
    tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written as the error says, the portfolio validates and solves."""
    mine = _own_portfolio(tmp_path, tiny)
    monkeypatch.chdir(tmp_path)
    text = mine.read_text(encoding="utf-8").replace("deals/policy/", "../policy/")
    mine.write_text(text.replace("deals/partners/", "../partners/"), encoding="utf-8")
    assert invoke(["validate", "deals/portfolios/mine.yaml"]).exit_code == 0
    assert invoke(["solve", "deals/portfolios/mine.yaml"]).exit_code == 0


def test_a_path_found_nowhere_gets_no_guess(
    tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reference that is not a file from the current folder either is not "corrected"
    into one: the error stays the plain "file not found ... (looked for ...)"."""
    _own_portfolio(tmp_path, tiny)
    monkeypatch.chdir(tmp_path / "deals")
    result = invoke(["validate", "portfolios/mine.yaml"])
    assert result.exit_code == 2
    assert "(looked for portfolios/deals/policy/policy.yaml)" in result.stderr
    assert "not from the current one" not in result.stderr


# --- a help example that needs what the shipped data cannot give ------------------------------


def _commands() -> list[str]:
    shown = invoke(["--help"]).stdout
    block = shown.split("Commands:", 1)[1]
    return [line.split()[0] for line in block.splitlines() if line.strip()]


def test_an_example_that_needs_a_cluster_says_so_in_the_help() -> None:
    """`risk --help`'s last example, run as shown, said "the server at tcp://10.0.0.5:8786
    is not a Dask scheduler" (or that none listens there): the address was an illustration
    and nothing in the help said the example needs a cluster the user starts. Every
    example naming a scheduler is now followed by what it needs and how to start one."""
    seen = 0
    for name in _commands():
        shown = " ".join(invoke([name, "--help"]).stdout.split())
        if "--scheduler tcp://" not in shown.split("Examples", 1)[-1]:
            continue
        seen += 1
        assert "needs a Dask cluster of your own" in shown, name
        assert "`dask scheduler`" in shown and "`dask worker ADDRESS`" in shown, name
    assert seen >= 1
