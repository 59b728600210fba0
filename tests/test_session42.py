"""What session 42 fixed as a user met it."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Runner


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["--beta", "2"], "a concession exponent (beta) would be ignored; give it only with"),
        (
            ["--deadline", "3", "--beta", "2"],
            "a deadline and a concession exponent (beta) would be ignored; give them only with",
        ),
    ],
)
def test_zeuthen_refuses_a_path_s_options_naming_each_as_one_or_two(
    run: Runner, deals: Path, tmp_path: Path, given: list[str], said: str
) -> None:
    """`offer --strategy zeuthen --beta 2` spoke of one option as "them" and told the CLI
    user to "leave them empty", the web form's words; nothing is recorded."""
    rounds = tmp_path / "rounds"
    args = ["offer", deals / "portfolios/gulf-asia.yaml", "-p", "AE", "--rounds", rounds]
    refused = run(*args, "--strategy", "zeuthen", *given, "--no-documents")
    assert refused.exit_code == 2, refused.output
    words = " ".join(refused.stderr.split())
    assert said in words
    assert "boulware, linear or conceder" in words and "empty" not in words
    assert not list(rounds.rglob("*.yaml"))
