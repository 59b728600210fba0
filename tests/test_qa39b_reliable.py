"""Session 39, reliability (qa39b-reliable): a round's documents refused only after the
round was recorded, and a concession that can never be granted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import REPO, Runner

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"
COUNTER = REPO / "deals/packages/ae-counter.yaml"


@pytest.mark.parametrize(
    ("command", "mine"),
    [
        (("offer", PORTFOLIO, "--partner", "AE"), "term-sheets/AE-offer-005.md"),
        (("counter", PORTFOLIO, COUNTER), "redlines/AE-offer-003-to-counter-005-internal.md"),
    ],
)
def test_a_file_of_the_users_where_the_rounds_documents_go_refuses_before_the_round(
    run: Runner, rounds: Path, tmp_path: Path, command: tuple[str | Path, ...], mine: str
) -> None:
    """Refused after the round was on disk, the advice (`--force`) recorded a second round."""
    out = tmp_path / "docs"
    (out / mine).parent.mkdir(parents=True)
    (out / mine).write_text("my own draft\n")
    result = run(*command, "--rounds", rounds, "--out", out)
    assert result.exit_code == 2 and not result.traceback, result.output
    assert f"{mine} exists and was not written by dealbench" in result.stderr
    assert "Recorded" not in result.output
    assert sorted(p.name for p in (rounds / "AE").glob("*.yaml"))[-1] == "004-partner.yaml"
    assert (out / mine).read_text() == "my own draft\n"
    again = run(*command, "--rounds", rounds, "--out", out, "--force")
    assert again.exit_code == 0, again.output
    assert "Recorded round 5:" in again.stdout
    assert (out / mine).read_text() != "my own draft\n"


def test_a_file_on_the_way_to_out_is_named_as_the_user_wrote_it(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--out afile/sub` said `/tmp/.../afile is a file`, a path the user never typed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("mine\n")
    result = run("solve", PORTFOLIO, "--out", "afile/sub")
    assert result.exit_code == 2, result.output
    assert result.stderr == "error: --out: afile is a file, so afile/sub cannot be a folder\n"
    assert (tmp_path / "afile").read_text() == "mine\n"
