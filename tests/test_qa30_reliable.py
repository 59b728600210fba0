"""Every bad input answered, every note shown (qa30-reliable): money without its unit
weighed wherever it was written (a `--set`, another regime's file, a range's amounts),
the web's other pages showing the input notes, and a new user's hand-edited files. Each
test failed first."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import DATA, Runner

HERE = DATA / "qa29staff"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "qa29staff"
    shutil.copytree(HERE, folder)
    return folder


def _notes(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "read as" in line]


def test_money_without_its_unit_is_noted_where_it_was_written(run: Runner, tmp_path: Path) -> None:
    """`--set partners.PH.batna=300` was weighed against the file's text: the note named
    ph.yaml's line and said "read as $300 from 100m", a figure the file does not hold. A
    regime's file put under the portfolio (`--policy FILE`, `compare --regimes FILE`) was
    not weighed at all (`export_value_per_h100e: 8` solved as USD 8 an H100e in silence),
    nor the amounts of a range in USD (`amount: 100_000` for 100bn). One weighing
    (`plausible.money_notes`) now serves each, at the place the figure was written."""
    folder = _copy(tmp_path)
    portfolio = folder / "portfolios" / "eu-sea.yaml"
    package = folder / "packages" / "ph-offer.yaml"
    done = run("evaluate", package, "--portfolio", portfolio, "--set", "partners.PH.batna=300")
    assert _notes(done.stderr) == [
        "note: --set: partners.PH.batna: read as $300 (written without a unit), where a "
        "walk-away value is USD 1m or more in a deal between governments; if 300m was "
        "meant, write 300m"
    ], done.stderr
    # The override that fixes a file's figure silences the file's note.
    ph = folder / "partners" / "ph.yaml"
    ph.write_text(ph.read_text().replace("batna: 100m", "batna: 100"))
    done = run("evaluate", package, "--portfolio", portfolio, "--set", "partners.PH.batna=100m")
    assert _notes(done.stderr) == [], done.stderr
    # Another regime's file, by --policy and by compare.
    regime = folder / "policy" / "slip.yaml"
    corridor = (folder / "policy" / "corridor.yaml").read_text()
    written = next(line for line in corridor.splitlines() if "export_value_per_h100e" in line)
    regime.write_text(
        corridor.replace("id: corridor", "id: slip").replace(written, "export_value_per_h100e: 8")
    )
    line = regime.read_text().splitlines().index("export_value_per_h100e: 8") + 1
    expected = (
        f"slip.yaml:{line}: export_value_per_h100e: read as $8 an H100e (written without "
        "a unit), where an export value per H100e is USD 1k to 1m; if 8k was meant, write 8k"
    )
    ph.write_text(ph.read_text().replace("batna: 100", "batna: 100m"))
    done = run("evaluate", package, "--portfolio", portfolio, "--policy", regime)
    assert [n.endswith(expected) for n in _notes(done.stderr)] == [True], done.stderr
    done = run("compare", portfolio, "--regimes", f"corridor,{regime}")
    assert done.exit_code == 0, done.output
    assert [n.endswith(expected) for n in _notes(done.stderr)] == [True], done.stderr


def test_a_ranges_amounts_in_usd_are_weighed_and_others_not(tmp_path: Path) -> None:
    """A range's level written `amount: 100_000` (USD 100,000 where 100bn was meant) was
    valid and silent; in another unit (MW) the same figure is no money and says nothing."""
    from dealbench.model import load_partner
    from dealbench.model.plausible import money_notes
    from dealbench.model.yamlio import read_yaml

    kr = (Path(__file__).parents[1] / "deals" / "partners" / "kr.yaml").read_text()
    assert "        amount: 100bn" in kr
    slipped = kr.replace("        amount: 100bn", "        amount: 100_000").replace(
        "id: 100bn", "id: small"
    )
    for unit, said in (("USD", 1), ("MW", 0)):
        path = tmp_path / f"kr-{unit}.yaml"
        path.write_text(slipped.replace("unit: USD", f"unit: {unit}"))
        notes = money_notes(load_partner(path), read_yaml(path))
        assert len(notes) == said, notes
        if said:
            assert notes[0].field == "concessions[0].levels[0].amount"
            assert "read as $100,000 (written without a unit)" in notes[0].message


def test_the_web_pages_with_a_portfolios_figures_show_its_input_notes(
    tmp_path: Path, run: Runner
) -> None:
    """PH's walk-away written without a unit: the portfolio's page and its solve's page
    noted it, but the deal room, the risk page and the sweep page said nothing, nor the
    regime comparison, nor the `risk` command (`room` and `sweep` print it). One helper
    (`views.common.notes`) now gives every page with a portfolio's figures the same notes,
    and `risk` prints them."""
    from html import unescape

    from helpers import web_client

    deals = _copy(tmp_path)
    ph = deals / "partners" / "ph.yaml"
    ph.write_text(ph.read_text().replace("batna: 100m", "batna: 300"))
    batna = "note: partners/ph.yaml:8: batna: read as $300 (written without a unit)"
    done = run("risk", deals / "packages" / "ph-offer.yaml", "--portfolio",
               deals / "portfolios" / "eu-sea.yaml", "--samples", "50")  # fmt: skip
    assert batna.replace("note: ", "note: " + str(deals) + "/") in done.stderr, done.stderr
    with web_client(deals, "t") as client:
        pages = {
            url: client.get(url)
            for url in (
                "/p/eu-sea/room",
                "/p/eu-sea/risk?package=packages/ph-offer.yaml&samples=50",
                "/p/eu-sea/sweep",
                "/p/eu-sea/compare?regime=corridor",
            )
        }
    for url, answer in pages.items():
        assert answer.status_code == 200, (url, answer.text[:2000])
        assert 'id="input-notes"' in answer.text, url
        notes = unescape(answer.text.split('id="input-notes"')[1].split("</div>")[0])
        assert batna in notes, (url, notes)


def test_a_scenarios_money_without_its_unit_is_noted_at_its_line(
    run: Runner, tmp_path: Path
) -> None:
    """A scenario setting `partners.PH.batna: 300` (USD 300) was applied in silence by
    `sweep` and passed `validate --portfolio`. Its figure is now weighed as a `--set` is,
    at the scenarios file's line."""
    folder = _copy(tmp_path)
    scenarios = folder / "scenarios" / "eu-sea.yaml"
    text = scenarios.read_text()
    scenarios.write_text(
        text.replace("scenarios:\n", "scenarios:\n  - id: slip\n    title: A slip\n"
                     "    set: {partners.PH.batna: 300}\n", 1)
    )  # fmt: skip
    portfolio = folder / "portfolios" / "eu-sea.yaml"
    said = (
        f"note: {scenarios}:4: partners.PH.batna: read as $300 (written without a unit), "
        "where a walk-away value is USD 1m or more in a deal between governments; if 300m "
        "was meant, write 300m"
    )
    done = run("validate", scenarios, "--portfolio", portfolio)
    assert done.exit_code == 0, done.output
    assert _notes(done.stderr) == [said], done.stderr
    done = run("sweep", portfolio, scenarios)
    assert done.exit_code == 0, done.output
    assert _notes(done.stderr) == [said], done.stderr


def test_numbers_written_the_european_way_or_in_words_are_answered_with_the_form_meant(
    run: Runner, tmp_path: Path
) -> None:
    """`batna: 8.000.000.000` answered "could not convert string to float:
    '8.000.000.000'" (Python's words; `100.000` was answered well), and `1.4 trillion`
    only with the forms expected. Both now say what to write."""
    folder = _copy(tmp_path)
    ph = folder / "partners" / "ph.yaml"
    text = ph.read_text()
    for written, said in (
        ("8.000.000.000", "'8.000.000.000': a point separates decimals, not thousands; "
         "write 8_000_000_000 for 8,000,000,000"),
        ("1.4 trillion", "got '1.4 trillion'; write 1.4tn"),
        ("-5 Billion", "got '-5 Billion'; write -5bn"),
    ):  # fmt: skip
        ph.write_text(text.replace("batna: 100m", f"batna: {written}"))
        done = run("validate", ph)
        assert done.exit_code == 2, done.output
        assert done.stderr.startswith(f"error: {ph}:8: batna: "), done.stderr
        assert done.stderr.rstrip().endswith(said), done.stderr
        assert "Traceback" not in done.output


def test_a_lower_case_partner_code_in_an_override_is_answered_with_the_code(
    run: Runner, tmp_path: Path
) -> None:
    """`--set partners.ph.batna=3bn` listed the codes but not that only the case differs,
    as every other place that names a partner does."""
    folder = _copy(tmp_path)
    done = run(
        "evaluate", folder / "packages" / "ph-offer.yaml", "--portfolio",
        folder / "portfolios" / "eu-sea.yaml", "--set", "partners.ph.batna=3bn",
    )  # fmt: skip
    assert done.exit_code == 2, done.output
    assert done.stderr.rstrip().endswith("(codes are upper case: write PH)"), done.stderr


def test_a_level_written_as_its_amount_is_answered_with_the_level(
    run: Runner, tmp_path: Path
) -> None:
    """A counter writing `invest-us: USD 1.4tn` for the level `1400bn` (a concession that
    is not a range) was refused as an unknown level '1.4tn' with the two ids; it now also
    says which level that amount is."""
    package = tmp_path / "ae.yaml"
    shipped = Path(__file__).parents[1] / "deals"
    text = (shipped / "packages" / "ae-counter-2.yaml").read_text()
    package.write_text(text.replace("invest-us: 1400bn", "invest-us: USD 1.4tn"))
    done = run("evaluate", package, "--portfolio", shipped / "portfolios" / "gulf-asia.yaml")
    assert done.exit_code == 2, done.output
    assert done.stderr.rstrip().endswith(
        "concessions.invest-us: unknown level '1.4tn' of 'invest-us'; expected one of: 200bn, "
        "1400bn; 1.4tn is level 1400bn: write 1400bn"
    ), done.stderr


# --- a result.json as a user meets it: edited, copied, not a file ------------------------------


def _solved(run: Runner, tiny: Path, tmp_path: Path) -> Path:
    done = run("solve", tiny, "--out", tmp_path / "solved", "--date", "2026-03-01")
    assert done.exit_code == 0, done.output
    return tmp_path / "solved" / "result.json"


def test_a_result_json_cut_short_or_saved_with_a_bom_is_answered_at_its_line(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """A result.json cut short said "not a dealbench result: Invalid JSON: EOF while
    parsing an object at line 4 column 23" (the line inside the message, the file not at
    it); an empty one the same; one saved by an editor that writes a byte-order mark was
    refused as "expected value at line 1 column 1" by `render` and `diff`. `render` and
    `diff` now read it through one reader (`optimize.result.load_result`): the line at
    its place, the empty file said, the mark ignored."""
    result = _solved(run, tiny, tmp_path)
    good = result.read_bytes()
    result.write_bytes(good[: good.index(b"\n", good.index(b"\n") + 1)])  # two lines
    for command in (("render", result, "--out", tmp_path / "docs"), ("diff", result, result)):
        done = run(*command)
        assert done.exit_code == 2, done.output
        assert done.stderr.startswith(f"error: {result}:2: not a dealbench result.json: "), (
            done.stderr
        )
        assert "invalid JSON" in done.stderr and "Traceback" not in done.output
    result.write_bytes(b"")
    done = run("render", result, "--out", tmp_path / "docs")
    assert done.stderr == f"error: {result}:1: the file is empty, expected a result.json\n"
    assert not (tmp_path / "docs").exists()
    result.write_bytes(b"\xef\xbb\xbf" + good)
    assert run("diff", result, result).exit_code == 0
    done = run("render", result, "--out", tmp_path / "docs")
    assert done.exit_code == 0, done.output


def test_a_result_json_that_is_a_socket_or_copied_away_is_named_with_its_field(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """A result path that is a socket ended in a traceback (`read_bytes` raised an OSError
    no one caught; a FIFO or /dev/zero hung), and a result.json copied away from the
    portfolio it names said only "../x.yaml: file not found", not whose reference it is.
    A hand edit naming a partner the portfolio has not was said of "result", not of the
    file."""
    import json
    import socket

    result = _solved(run, tiny, tmp_path)
    sock = tmp_path / "s.json"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(sock))
        for command in (("render", sock, "--out", tmp_path / "docs"), ("diff", sock, result)):
            done = run(*command)
            assert done.exit_code == 2, done.output
            assert done.stderr == (
                f"error: {sock}: not a regular file (a device, FIFO or socket); expected a "
                "result.json\n"
            )
    finally:
        server.close()
    moved = tmp_path / "elsewhere" / "result.json"
    moved.parent.mkdir()
    data = json.loads(result.read_text())
    moved.write_text(json.dumps({**data, "portfolio_file": "../portfolios/tiny.yaml"}))
    done = run("render", moved, "--out", tmp_path / "docs")
    assert done.exit_code == 2, done.output
    assert done.stderr.startswith(
        f"error: {moved}: portfolio_file: ../portfolios/tiny.yaml: file not found"
    ), done.stderr
    assert done.stderr.rstrip().endswith("give it with --portfolio)"), done.stderr
    data["deals"][0]["partner"] = "ZZ"
    result.write_text(json.dumps(data))
    done = run("render", result, "--out", tmp_path / "docs")
    assert done.stderr.startswith(f"error: {result}: deals: ZZ is not in "), done.stderr
    assert not (tmp_path / "docs").exists()


def test_a_fifo_in_a_rounds_folder_is_passed_over_not_waited_on(
    run: Runner, tmp_path: Path
) -> None:
    """`room` looks at each YAML file beside the partners' folders for a round put one
    folder up; it read a FIFO named `stray.yaml` there with `read_text`, which waits for a
    writer forever (here a writer sends it a round). It is now read as every data file is
    (`read_yaml`: a FIFO or a device refused before a byte is read), so it is no round."""
    import os
    import threading

    deals = tmp_path / "deals"
    shutil.copytree(Path(__file__).parents[1] / "deals", deals)
    fifo = deals / "rounds" / "gulf-asia" / "stray.yaml"
    os.mkfifo(fifo)

    def writer() -> None:  # what a reader that waits is sent
        with open(fifo, "w") as out:
            out.write("round: 1\nside: us\n")

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        done = run("room", deals / "portfolios" / "gulf-asia.yaml")
    finally:  # a reader end, so that the writer's open returns
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        thread.join(10)
        os.close(fd)
    assert "not in a partner's folder" not in done.stderr, done.stderr
    assert done.exit_code == 0, done.output


def test_a_file_named_in_the_wrong_case_is_answered_with_the_name_meant(
    run: Runner, tmp_path: Path
) -> None:
    """A portfolio listing `../partners/PH.yaml` for ph.yaml (the code is upper case, the
    file name not) said "file not found" without the "did you mean" a letter's typo gets:
    difflib's ratio of `PH.yaml` to `ph.yaml` is 0.71, under its cutoff."""
    folder = _copy(tmp_path)
    portfolio = folder / "portfolios" / "eu-sea.yaml"
    portfolio.write_text(
        portfolio.read_text().replace("../partners/ph.yaml", "../partners/PH.yaml")
    )
    done = run("validate", portfolio)
    assert done.exit_code == 2, done.output
    assert done.stderr.rstrip().endswith("did you mean ../partners/ph.yaml?"), done.stderr


def test_a_broken_clause_of_another_regimes_file_is_named_in_that_file(
    run: Runner, tmp_path: Path
) -> None:
    """`solve --policy MY.yaml --render md` with a clause of MY.yaml using an unknown
    variable was refused at the portfolio's own policy file (`bilateral.yaml:14`, a file
    without the fault): the check took the policy's file from the inputs' order. It now
    takes the file the policy was read from (`Portfolio.policy_file`, kept by the regime)."""
    shipped = Path(__file__).parents[1] / "deals"
    text = (shipped / "policy" / "tiered.yaml").read_text()
    first = text.index("clause: >-\n") + len("clause: >-\n")
    end = text.index("\n", first)
    regime = tmp_path / "mine.yaml"
    regime.write_text(text[:first] + "      Exports {{ nothing_here }} are licensed." + text[end:])
    out = tmp_path / "out"
    done = run("solve", shipped / "portfolios" / "gulf-asia.yaml", "--policy", regime,
               "--out", out, "--render", "md")  # fmt: skip
    assert done.exit_code == 2, done.output
    assert done.stderr.startswith(f"error: {regime}:"), done.stderr
    assert "nothing_here" in done.stderr
    assert not out.exists()


def test_the_web_names_a_noted_file_from_its_deals_folder_however_it_was_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dealbench serve w` (a folder given from where the server starts) noted
    `w/partners/ph.yaml:8`, where the pages name files from DEALS_DIR (`partners/...`):
    the notes dropped the absolute folder from the text only, and a file read from a
    relative path is named relative to the working folder."""
    from html import unescape

    from helpers import web_client

    deals = _copy(tmp_path)
    ph = deals / "partners" / "ph.yaml"
    ph.write_text(ph.read_text().replace("batna: 100m", "batna: 300"))
    monkeypatch.chdir(tmp_path)
    with web_client(Path(deals.name), "t") as client:
        html = client.get("/p/eu-sea/room").text
    notes = unescape(html.split('id="input-notes"')[1].split("</div>")[0])
    assert "<p>note: partners/ph.yaml:8: batna: read as $300" in notes, notes
