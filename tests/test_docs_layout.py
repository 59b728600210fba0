"""Every document as a principal sees it: on a phone, on a page, in Word, from awkward
inputs (a 70-character name, twelve quarters), and where its files go (docs-layout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import DATA, Runner, invoke

AWKWARD = DATA / "docslayout" / "quarters.yaml"


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The awkward portfolio solved, every document in every format: XL's name is 70
    characters without a space, its concession id 64, a clause carries a URL; twelve
    quarters."""
    out = tmp_path_factory.mktemp("awkward")
    done = invoke(["solve", AWKWARD, "--out", out, "--render", "md,html,docx,pdf"])
    assert done.exit_code == 0, done.stderr
    return out


@pytest.mark.parametrize("name", ["x.md/", "y.pdf/"])
def test_an_out_ending_in_a_slash_is_a_folder_whatever_its_name(
    name: str, tmp_path: Path, run: Runner, solved: Path
) -> None:
    """`render --out x.md/ --format md,html` was refused as "x.md is a .md file but
    --format is md,html", and `solve --out x.md/` as naming a file: the trailing slash,
    which says a folder to the shell and every other tool, was dropped with the path's."""
    out = tmp_path / name
    done = run(
        "render",
        solved / "result.json",
        "--partner",
        "XL",
        "--format",
        "md,html",
        "--out",
        f"{out}/",
    )
    assert done.exit_code == 0, done.stderr
    assert sorted(p.name for p in (out / "term-sheets").iterdir()) == ["XL.html", "XL.md"]
    one = run("render", solved / "result.json", "--partner", "XL", "--out", tmp_path / "z.md")
    assert one.exit_code == 0, one.stderr
    assert (tmp_path / "z.md").is_file()  # without the slash, still the one file
    solve = run("solve", DATA / "tiny" / "portfolio.yaml", "--out", f"{tmp_path / 'solve'}.{name}")
    assert solve.exit_code == 0, solve.stderr
    assert (tmp_path / f"solve.{name}" / "result.json").is_file()
