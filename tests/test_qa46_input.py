"""Session 46 (qa46-input): bad input through every door, said in one set of words: an
upload as the CLI reads the file, a note at the override that wrote the figure, and a
second YAML merge key as the duplicate key it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import Runner, csrf, deals_copy, words

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


def test_an_ask_an_override_wrote_whole_is_noted_at_the_override_not_the_file(
    run: Runner, tmp_path: Path
) -> None:
    """`solve --set partners.SG.ask={2026: 80_000}` noted "deals/partners/sg.yaml:N: ask: no
    figure for 2027" at the file's `ask` line, which gives 2027: the user looked for a
    period missing from a file that has it. A scenario that set the ask was noted at the
    file too (by `sweep`), and not at all by `validate SCENARIOS --portfolio`. The note is
    now at the override: `--set: partners.SG.ask`, or the scenario's line."""
    deals = deals_copy(tmp_path)
    portfolio = deals / "portfolios" / "duo.yaml"
    portfolio.write_text(_DUO)
    done = run("solve", portfolio, "--set", "partners.SG.ask={2026: 80_000}")
    assert done.exit_code == 0, done.output
    note = "note: --set: partners.SG.ask: no figure for 2027, one of portfolio duo's periods"
    assert note in done.stderr
    assert "sg.yaml" not in done.stderr
    scenarios = deals / "scenarios" / "duo.yaml"
    scenarios.write_text(
        "scenarios:\n  - id: half\n    title: Half a horizon\n"
        "    set: {partners.SG.ask: {2026: 80_000}}\n"
    )
    checked = run("validate", scenarios, "--portfolio", portfolio)
    assert checked.exit_code == 0, checked.output
    assert f"note: {scenarios}:4: partners.SG.ask: no figure for 2027" in checked.output
    plain = run("solve", portfolio)  # the file's own ask gives both years: no note
    assert plain.exit_code == 0, plain.output
    assert "no figure" not in plain.stderr


def test_two_merge_keys_in_one_mapping_are_a_duplicate_key(run: Runner, tmp_path: Path) -> None:
    """`supply: {<<: {2026: 1000, 2027: 2000}, <<: {2027: 3000}}` validated, supply 2027
    2,000: the second merge was dropped without a word (PyYAML's own loader keeps the
    last). A second `<<` is a key given twice, refused as every other, with the way to
    merge two mappings."""
    deals = deals_copy(tmp_path)
    portfolio = deals / "portfolios" / "merged.yaml"
    portfolio.write_text(
        _DUO.replace("id: duo", "id: merged").replace(
            "supply: {2026: 400_000, 2027: 400_000}",
            "supply:\n  <<: {2026: 1000, 2027: 2000}\n  <<: {2027: 3000}",
        )
    )
    done = run("validate", portfolio)
    assert done.exit_code == 2, done.output
    assert not done.traceback
    assert done.stderr.strip() == (
        f"error: {portfolio}:7: supply.<<: duplicate key: already given on line 6 (a key may "
        "appear only once); merge several mappings with one key, <<: [*first, *second]"
    )
    portfolio.write_text(  # one `<<` with a list: valid, the first mapping winning
        _DUO.replace(
            "supply: {2026: 400_000, 2027: 400_000}",
            "supply:\n  <<: [{2027: 3000}, {2026: 1000, 2027: 2000}]",
        )
    )
    assert run("validate", portfolio).exit_code == 0
