"""Every bad input answered, every note shown (qa30-reliable): money without its unit
weighed wherever it was written (a `--set`, another regime's file, a range's amounts),
the web's other pages showing the input notes, and a new user's hand-edited files. Each
test failed first."""

from __future__ import annotations

import shutil
from pathlib import Path

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
