"""The command line as one consistent tool (qa33-cli): one rule for what `--out` names,
the exit code of an `--out` that cannot be written, and a repeated item in a list option
refused by name. Each test failed before its fix."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

from helpers import DATA, REPO, Runner

TINY = DATA / "tiny/portfolio.yaml"
GULF = REPO / "deals/portfolios/gulf-asia.yaml"
OFFER = REPO / "deals/packages/ae-offer.yaml"
COUNTER = REPO / "deals/packages/ae-counter.yaml"


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("name", ["offer.md", "offer.pdf"])
def test_render_out_naming_a_document_writes_that_file_as_redline_does(
    run: Runner, tmp_path: Path, name: str
) -> None:
    """`render --out x.md` made a folder named x.md (x.md/term-sheets/AE-offer-001.md),
    where `redline --out x.md` wrote the file x.md. One rule now: for one document in one
    format, a name ending in a document's suffix is that file, its suffix the format."""
    target = tmp_path / name
    result = run("render", OFFER, "--portfolio", GULF, "--out", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{target}\n"
    assert target.is_file()
    data = target.read_bytes()
    assert data[:5] == b"%PDF-" if name.endswith(".pdf") else b"# Memorandum" in data
    result = run("redline", OFFER, COUNTER, "--portfolio", GULF, "--out", tmp_path / "r.md")
    assert result.exit_code == 0 and (tmp_path / "r.md").is_file()


def test_render_out_naming_one_file_for_several_documents_is_refused(
    run: Runner, tmp_path: Path
) -> None:
    """A result with several deals has several term sheets: one file cannot hold them."""
    solved = tmp_path / "solved"
    assert run("solve", GULF, "--out", solved).exit_code == 0
    before = _tree(tmp_path)
    result = run("render", solved / "result.json", "--out", tmp_path / "all.md")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "error: --out: all.md names one file, but 7 documents are to be written; give a "
        "folder, or ask for one document (--partner, --doc portfolio-memo)\n"
    )
    assert _tree(tmp_path) == before


def test_out_naming_a_document_where_a_command_writes_a_folder_is_refused(
    run: Runner, tmp_path: Path
) -> None:
    """`solve --out result.json` made a folder named result.json holding result.json; now
    refused before the solve, naming the option. A folder of such a name, made before, is
    still a folder."""
    target = tmp_path / "result.json"
    result = run("solve", TINY, "--out", target)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # refused before the solve
    assert result.stderr == (
        f"error: --out: {target} names a .json file, but this command writes its files into "
        "a folder; name a folder (a folder of that name is used if it exists)\n"
    )
    assert not target.exists()
    target.mkdir()
    assert run("solve", TINY, "--out", target).exit_code == 0
    assert (target / "result.json").is_file()


def test_an_out_that_cannot_be_written_is_bad_input_named_by_its_option(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`solve --out /sys/x` (or a read-only folder) solved, printed its table, then ended
    "error: cannot write into /sys/x: permission denied (read-only?)", exit 1: the exit
    code of a failing disk, after the wait. It is the user's `--out` to change: exit 2,
    named, before the solve."""

    def read_only(*args: object, **kwargs: object) -> str:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    out = tmp_path / "out"
    result = run("solve", TINY, "--out", out)
    assert result.exit_code == 2, result.output
    assert not result.traceback
    assert result.stdout == ""
    assert result.stderr == (
        f"error: --out: cannot write into {out}: permission denied (read-only?); nothing written\n"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["compare", TINY, "--regimes", "tiered,tiered"], "--regimes: tiered is given twice; name each regime once"),
        (["solve", TINY, "--require-deal", "AA", "--require-deal", "aa"], "--require-deal: AA is given twice; name each partner once"),
        (["solve", TINY, "--render", "md,MD", "--out", "OUT"], "--render: md is given twice; name each format once"),
        (["render", OFFER, "--portfolio", GULF, "--format", "pdf,md,pdf", "--out", "OUT"], "--format: pdf is given twice; name each format once"),
        (["improve", OFFER, "--portfolio", GULF, "--hold", REPO / "deals/packages/sa-counter.yaml", "--hold", REPO / "deals/packages/sa-counter.yaml"], "--hold: SA is given twice; name each partner's package once"),
        (["offer", GULF, "--partner", "AE", "--fix", "security", "--fix", "compute,security", "--out", "OUT"], "--fix: security is given twice; name each part once"),
    ],
    ids=["regimes", "require-deal", "render", "format", "hold", "fix"],
)  # fmt: skip
def test_a_repeated_item_in_a_list_option_is_refused_by_name(
    run: Runner, tmp_path: Path, args: list[str | Path], said: str
) -> None:
    """`--regimes tiered,tiered` compared one regime, `--format md,md` wrote one, two
    `--hold` of one file twice took its supply twice:
    each repeat was dropped or doubled without a word. Each is refused, naming the option."""
    out = tmp_path / "out"
    result = run(*[out if a == "OUT" else a for a in args])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {said}\n"
    assert result.stdout == ""
    assert not out.exists()


def test_an_option_has_the_same_short_form_in_every_command() -> None:
    """`frontier -p AE`, `offer -p AE` but `render -p AE` "No such option: -p"; `compare -j 2`,
    `room -j 2` but `risk -j 2` refused. A long option takes the same short form, or none,
    wherever it appears."""
    import typer.main

    from dealbench.cli.app import app

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    forms: dict[str, dict[tuple[str, ...], list[str]]] = {}
    for name, command in commands.items():
        for param in command.params:
            if param.param_type_name == "option":
                short = tuple(o for o in param.opts if not o.startswith("--"))
                for long in (o for o in param.opts if o.startswith("--")):
                    forms.setdefault(long, {}).setdefault(short, []).append(name)
    assert {long: f for long, f in forms.items() if len(f) > 1} == {}
    assert forms["--partner"] == {("-p",): forms["--partner"][("-p",)]}
    assert "render" in forms["--partner"][("-p",)] and "risk" in forms["--jobs"][("-j",)]


def test_solve_out_replaces_its_own_earlier_files_and_no_other_commands(
    run: Runner, tmp_path: Path
) -> None:
    """`dealbench demo`, then the help's `solve deals/portfolios/gulf-asia.yaml --out out/`:
    the solve removed every file dealbench had written into out/ and did not write again,
    the demo's copy of the example data (out/deals, on which the help says the examples
    run; its unedited round files too, so a round recorded there since lost the rounds
    before it), `frontier --out out/`'s chart and `redline --out out/`'s documents. A solve
    replaces what an earlier solve wrote (a deal no longer made loses its term sheet),
    nothing else."""
    from dealbench.io import OutputDir

    out = tmp_path / "out"
    OutputDir(out).publish(
        {
            "deals/rounds/tiny/AA/001-us.yaml": "round: 1\n",  # as the demo copies it
            "term-sheets/ZZ.md": "# an earlier solve's deal with ZZ\n",
            "packages/ZZ.yaml": "partner: ZZ\n",
        }
    )
    result = run("frontier", TINY, "--partner", "AA", "--points", "2", "--out", out)
    assert result.exit_code == 0, result.output
    (out / "deals/rounds/tiny/AA/002-partner.yaml").write_text("round: 2\n")  # the user's
    result = run("solve", TINY, "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "deals/rounds/tiny/AA/001-us.yaml").read_text() == "round: 1\n"
    assert (out / "deals/rounds/tiny/AA/002-partner.yaml").exists()
    assert (out / "frontier-AA.json").exists() and (out / "frontier-AA.svg").exists()
    assert not (out / "term-sheets/ZZ.md").exists() and not (out / "packages/ZZ.yaml").exists()
    assert (out / "term-sheets/AA.md").exists() and (out / "result.json").exists()
