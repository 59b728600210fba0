"""Session 46 (qa46-input): bad input through every door, said in one set of words: an
upload as the CLI reads the file, a note at the override that wrote the figure, and a
second YAML merge key as the duplicate key it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import Runner, csrf, words

#: Two periods and one partner: quick to solve.
_DUO = """\
id: duo
title: One partner, two years
policy: ../policy/bilateral.yaml
periods: [2026, 2027]
supply: {2026: 400_000, 2027: 400_000}
partners: [../partners/sg.yaml]
"""


def _cli_words(run: Runner, package: Path, portfolio: Path) -> str:
    """What `evaluate` says of `package` after its file's name: `:6: not UTF-8 ...`."""
    done = run("evaluate", package, "--portfolio", portfolio)
    assert done.exit_code == 2, done.output
    assert not done.traceback
    line = done.stderr.strip().splitlines()[0]
    assert line.startswith(f"error: {package}"), line
    return line.removeprefix(f"error: {package}")


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("latin1.yaml", lambda text: text.encode("utf-8").replace(b"round: 1", b"round: 1 # \xe9")),
        ("utf16.yaml", lambda text: text.encode("utf-16")),
    ],
)
def test_an_upload_not_in_utf8_is_refused_in_the_words_and_line_the_cli_gives(
    client: Any, deals: Path, run: Runner, tmp_path: Path, name: str, encode: Any
) -> None:
    """The editor's upload decoded the file itself and said "latin1.yaml: not UTF-8 text",
    no line, no reason, where `dealbench evaluate` on the same file says "latin1.yaml:10:
    not UTF-8 text (invalid continuation byte)"; a file saved as UTF-16 (Windows editors)
    got the same bare words where the CLI says "UTF-16 text, expected UTF-8; save the file
    as UTF-8". The upload's bytes now go to the CLI's loader as sent."""
    data = encode((deals / "packages" / "ae-offer.yaml").read_text("utf-8"))
    package = tmp_path / name
    package.write_bytes(data)
    said = _cli_words(run, package, deals / "portfolios" / "gulf-asia.yaml")
    assert said.startswith(":") and said != ": not UTF-8 text"  # its line, and why
    sent = client.post(
        "/p/gulf-asia/upload?partner=AE",
        data={**csrf(), "partner": "AE"},
        files={"file": (name, data, "application/x-yaml")},
        follow_redirects=False,
    )
    assert sent.status_code == 422, sent.text[:300]
    assert f"{name}{said}" in words(sent.text)
