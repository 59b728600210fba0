"""A round file changed or cut after it was recorded is said, not read in silence
(qa36-digest). dealbench seals each round it records (`model.seal`: line 1 holds the
sha256 of the lines below); a file whose seal does not match is refused, wherever rounds
are read (the commands, `validate`, the web app). A round without a seal (recorded
before seals, written by hand) is read as before. Each test of a refusal failed before
the fix (the cut or edited round was read as another round)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import REPO, Runner, deals_copy, invoke, web_client

PORTFOLIO = "portfolios/gulf-asia.yaml"
ROUND = "rounds/gulf-asia/AE/005-us.yaml"
SEAL_LINE = re.compile(r"# Seal, sha256 of the lines below: [0-9a-f]{64}\n")


def _message(fault: str) -> str:
    return (
        f"changed or cut short after it was recorded ({fault}): restore it from your copy (a "
        "backup, version control); a round is never edited, new terms are a new round. If "
        "the change is meant (a round written by hand from a copy of a recorded one), delete "
        "line 1, the seal, and it is read as written"
    )


CHANGED = _message("its seal, line 1, does not match the lines below")
DAMAGED = _message("its seal, line 1, is damaged")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of deals/ with AE's round 5, a US offer, recorded by `dealbench offer`."""
    deals = deals_copy(tmp_path_factory.mktemp("recorded"))
    done = invoke(["offer", deals / PORTFOLIO, "--partner", "AE", "--no-documents"])
    assert done.exit_code == 0, done.output
    return deals


@pytest.fixture
def deals(recorded: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(recorded, tmp_path / "deals"))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".dealbench-lock"
    }


def _cut_after(pattern: str) -> Callable[[str], str]:
    """The text up to the end of the first line matching `pattern` (`None`: mid-line)."""

    def cut(text: str) -> str:
        found = re.search(pattern, text, flags=re.M)
        assert found, pattern
        return text[: found.end()]

    return cut


CUTS = {
    # a package with no compute: valid YAML, a valid round, and not the one recorded
    "after-security": (_cut_after(r"^  security: .*\n"), CHANGED),
    "after-the-seal": (_cut_after(r"^# Seal.*\n"), CHANGED),
    "mid-line": (_cut_after(r"^    '2027': \d\d"), CHANGED),
    "mid-seal": (lambda text: text[:60], DAMAGED),
}


@pytest.mark.parametrize("cut", CUTS, ids=list(CUTS))
@pytest.mark.parametrize(
    "args",
    [("history", "{pf}", "-p", "AE"), ("room", "{pf}"), ("offer", "{pf}", "-p", "AE")],
    ids=["history", "room", "offer"],
)
def test_a_round_cut_after_it_was_recorded_is_refused_naming_the_file(
    run: Runner, deals: Path, cut: str, args: tuple[str, ...]
) -> None:
    """A recorded round cut at a line end (`security: veu`, its last line) was read as a
    package of no compute: `history` showed round 5 at $0, `room` and `offer` planned
    from it, exit 0. Now refused at line 1 of the file, exit 2, nothing written."""
    path = deals / ROUND
    shorten, message = CUTS[cut]
    path.write_text(shorten(path.read_text("utf-8")), "utf-8")
    before = _snapshot(deals)
    done = run(*[a.format(pf=deals / PORTFOLIO) for a in args])
    assert done.exit_code == 2, done.output
    assert not done.traceback
    assert done.stderr == f"error: {path}:1: {message}\n", done.stderr
    assert _snapshot(deals) == before


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (r"'2026': \d+", "'2026': 400000"),  # a number changed
        (r"^status: open", "status: concluded"),
        (r"^# Recorded by", "# recorded by"),  # a comment is part of what was recorded
    ],
    ids=["number", "status", "comment"],
)
def test_a_round_edited_after_it_was_recorded_is_refused(
    run: Runner, deals: Path, old: str, new: str
) -> None:
    """An old round edited by hand (a figure changed) was read as if recorded so."""
    path = deals / ROUND
    text = path.read_text("utf-8")
    edited = re.sub(old, new, text, count=1, flags=re.M)
    assert edited != text
    path.write_text(edited, "utf-8")
    done = run("history", deals / PORTFOLIO, "-p", "AE", "--json")
    assert done.exit_code == 2, done.output
    assert done.stderr == f"error: {path}:1: {CHANGED}\n"


def test_a_sealed_round_is_read_and_line_endings_are_no_change(run: Runner, deals: Path) -> None:
    """The round dealbench records begins with its seal and is read back; converted to CRLF
    line endings (a Windows checkout), or saved with a byte-order mark, it is the same."""
    path = deals / ROUND
    text = path.read_text("utf-8")
    assert SEAL_LINE.match(text), text[:200]
    assert text.splitlines()[1:3] == [
        "# Recorded by `dealbench offer` for portfolio gulf-asia.",
        "# A round is never edited: record a new one instead.",
    ]
    plain = run("history", deals / PORTFOLIO, "-p", "AE", "--json")
    assert plain.exit_code == 0, plain.output
    assert '"round": 5' in plain.stdout
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    windows = run("history", deals / PORTFOLIO, "-p", "AE", "--json")
    assert windows.exit_code == 0, windows.output
    assert windows.stdout == plain.stdout


def test_a_round_without_a_seal_is_read_as_before(run: Runner, deals: Path) -> None:
    """Rounds recorded before seals (the shipped ones) and written by hand are read, and so
    is a recorded round whose seal line was deleted, as the refusal tells a user to do for
    a change meant: an existing history never becomes unreadable."""
    assert not SEAL_LINE.match((deals / "rounds/gulf-asia/AE/004-partner.yaml").read_text())
    path = deals / ROUND
    sealed = run("history", deals / PORTFOLIO, "-p", "AE", "--json")
    path.write_text(SEAL_LINE.sub("", path.read_text("utf-8"), count=1), "utf-8")
    unsealed = run("history", deals / PORTFOLIO, "-p", "AE", "--json")
    assert unsealed.exit_code == 0, unsealed.output
    assert unsealed.stdout == sealed.stdout
    # a round of an older dealbench's folder (tests/data/old_versions), read as it was
    old = REPO / "tests/data/old_versions/5332fe3/kr-only/KR/001-us.yaml"
    done = run("validate", old)
    assert done.exit_code == 0, done.output


@pytest.mark.parametrize("target", ["file", "folder", "deals"])
def test_validate_reports_a_broken_seal(run: Runner, deals: Path, target: str) -> None:
    """`validate` on the round, its rounds folder or the whole deals/ says the broken seal
    (it said "ok" of the cut round); the other files are still checked."""
    path = deals / ROUND
    path.write_text(CUTS["after-security"][0](path.read_text("utf-8")), "utf-8")
    given = {"file": path, "folder": deals / "rounds", "deals": deals}[target]
    done = run("validate", given)
    assert done.exit_code == 2, done.output
    assert f"error: {path}:1: {CHANGED}\n" in done.stderr
    assert f"ok: {path} " not in done.stdout
    if target != "file":
        assert f"ok: {deals}/rounds/gulf-asia/SA/001-us.yaml (round)" in done.stdout


def test_the_web_app_says_a_broken_seal_as_the_cli_does(deals: Path) -> None:
    """The web app reads rounds through the same code: the negotiation's history page
    refuses the cut round with the same words, naming the file under DEALS_DIR."""
    from html import unescape

    path = deals / ROUND
    path.write_text(CUTS["after-security"][0](path.read_text("utf-8")), "utf-8")
    with web_client(deals, "t") as client:
        page = client.get("/p/gulf-asia/n/AE/history")
    assert page.status_code == 400
    assert f"error: {ROUND}:1: {CHANGED}" in unescape(page.text)


def test_the_seal_is_byte_stable(recorded: Path, tmp_path: Path) -> None:
    """The same round gives the same file, seal and all: the offer recorded again in a
    fresh copy is byte-identical; the seal is the sha256 of the lines below it."""
    import hashlib

    from dealbench.model.seal import seal
    from dealbench.negotiate.rounds.write import round_yaml

    again = deals_copy(tmp_path)
    done = invoke(["offer", again / PORTFOLIO, "--partner", "AE", "--no-documents"])
    assert done.exit_code == 0, done.output
    text = (recorded / ROUND).read_bytes()
    assert (again / ROUND).read_bytes() == text
    first, _, body = text.partition(b"\n")
    assert first.decode().endswith(hashlib.sha256(body).hexdigest())
    assert seal(body.decode()) == text.decode()
    from dealbench.model.rounds import RoundFile

    data = RoundFile(round=1, side="us", status="walked-away", note="gone")
    assert round_yaml(data, "A header") == round_yaml(data, "A header")
    assert round_yaml(data, "A header").splitlines()[1:] == [
        "# A header",
        "round: 1",
        "side: us",
        "note: gone",
        "status: walked-away",
    ]
