"""Session 49 (qa49-newuser): a new user on a fresh clone, following the README."""

from __future__ import annotations

from pathlib import Path

from helpers import Runner


def test_demo_refuses_an_edited_copy_of_the_data_before_solving(run: Runner, tmp_path: Path) -> None:
    """A file of out/deals the user wrote (or edited since an earlier demo) is refused, as
    it always was, but before the solve and the rendering of 146 documents (two minutes
    on the shared machine), not after them."""
    mine = tmp_path / "out" / "deals" / "partners" / "ae.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# my own AE\n")
    result = run("demo", "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "deals/partners/ae.yaml exists and was not written by dealbench" in result.stderr
    assert "Rendering documents" not in result.stderr
    assert "Status:" not in result.stdout
    assert mine.read_text() == "# my own AE\n"
