"""Session 45 (qa45-newuser): the first hour of a new user.

Each test is a fault met by following the README and the commands' `--help` on a fresh
clone, and by writing a portfolio of one's own from the docs: an error that did not say
what to write instead, and a help example that cannot run as shown without saying why.
"""

from __future__ import annotations

import json
import re
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


# --- docs/formats.md: the formats, with a portfolio to copy -----------------------------------

REPO = Path(__file__).resolve().parents[1]


def _formats_files(root: Path) -> dict[str, Path]:
    """Each YAML block of docs/formats.md saved as the file its first line names (the
    scenarios block as deals/scenarios/nordic.yaml), as a reader copies them."""
    doc = (REPO / "docs/formats.md").read_text(encoding="utf-8")
    saved = {}
    for block in re.findall(r"```yaml\n(.*?)```", doc, re.S):
        first = block.splitlines()[0]
        name = first[2:] if first.startswith("# deals/") else "deals/scenarios/nordic.yaml"
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(block, encoding="utf-8")
        saved[name] = root / name
    return saved


def test_the_formats_page_portfolio_runs_as_the_page_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """deals/README.md sent a reader to DESIGN.md for the formats, a file the repository
    does not ship, and README.md to deals/README.md, which did not give them: a partner
    file could only be written by copying one and reading the loaders. docs/formats.md
    gives them, with five files to copy; copied, they validate, solve, evaluate and sweep
    as the page says."""
    saved = _formats_files(tmp_path)
    assert set(saved) == {
        "deals/policy/strict.yaml",
        "deals/partners/no.yaml",
        "deals/partners/fi.yaml",
        "deals/portfolios/nordic.yaml",
        "deals/packages/no-offer.yaml",
        "deals/packages/no-counter.yaml",
        "deals/scenarios/nordic.yaml",
    }
    monkeypatch.chdir(tmp_path)
    checked = invoke(["validate", "deals/portfolios/nordic.yaml", "deals/policy", "deals/partners"])
    assert checked.exit_code == 0, checked.output
    assert "ok: deals/portfolios/nordic.yaml (portfolio)" in checked.stdout
    assert checked.stderr == ""  # not even a note
    solved = invoke(["solve", "deals/portfolios/nordic.yaml", "--json"])
    assert solved.exit_code == 0, solved.output
    assert {d["partner"] for d in json.loads(solved.stdout)["deals"]} == {"NO", "FI"}
    pf = "deals/portfolios/nordic.yaml"
    counter = invoke(["evaluate", "deals/packages/no-counter.yaml", "--portfolio", pf])
    assert counter.exit_code == 0 and "Partner accepts: yes" in counter.stdout
    offer = invoke(["evaluate", "deals/packages/no-offer.yaml", "--portfolio", pf])
    assert offer.exit_code == 3 and "Partner accepts: no" in offer.stdout  # checked, not refused
    swept = invoke(["sweep", pf, "deals/scenarios/nordic.yaml", "--jobs", "1"])
    assert swept.exit_code == 0, swept.output
    assert "more-supply" in swept.stdout and "dearer-risk" in swept.stdout


def test_the_docs_that_send_a_reader_to_the_formats_name_a_file_that_ships() -> None:
    """No user-facing page sends the reader to DESIGN.md (not in the repository)."""
    for page in ("README.md", "deals/README.md"):
        text = (REPO / page).read_text(encoding="utf-8")
        assert "docs/formats.md" in text, page
        assert "DESIGN.md" not in text, page
