"""Session 46 (qa46-terminal): the CLI as a terminal user meets it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import REPO, Runner

GULF = REPO / "deals/portfolios/gulf-asia.yaml"
UNCERTAIN = REPO / "deals/portfolios/gulf-asia-uncertain.yaml"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("sweep", GULF, REPO / "deals/scenarios/gulf-asia.yaml", "--jobs", "abc"),
         "error: --jobs: expected a whole number, got 'abc'"),
        (("compare", GULF, "--jobs", "two"), "error: --jobs: expected a whole number, got 'two'"),
        (("solve", GULF, "--time-limit", "soon"), "error: --time-limit: expected a number, got 'soon'"),
        (("solve", GULF, "--out", ""), "error: --out: an empty path; name the folder"),
    ],
)  # fmt: skip
def test_an_options_wrong_value_is_said_in_the_tools_one_form(
    run: Runner, args: tuple[str | Path, ...], said: str
) -> None:
    """`--jobs abc` got Click's usage box ("Usage: ... Try '... -h' for help. Error:
    Invalid value for '--jobs' / '-j': expected a whole number, got 'abc'"), where `--jobs
    0` said `error: --jobs: expected at least 1, got 0`: every refused value of an option
    is now one line in that form, naming the option, exit 2, for every command alike."""
    done = run(*args)
    assert done.exit_code == 2, done.output
    assert done.stderr == said + "\n"
    assert done.stdout == "" and not done.traceback


def test_a_missing_option_keeps_the_usage_that_shows_how_to_call(run: Runner) -> None:
    """A missing option is not a wrong value: Click's usage line stays, with its help."""
    done = run("evaluate", REPO / "deals/packages/ae-offer.yaml")
    assert done.exit_code == 2
    assert done.stderr.startswith("Usage: ") and "Missing option '--portfolio'" in done.stderr


def test_a_duplicated_id_is_listed_once_in_the_next_error(run: Runner, tmp_path: Path) -> None:
    """A policy giving the security level `kyc` twice (in place of `veu`) said the
    duplicate, then "unknown security level 'veu'; expected one of: baseline, kyc, kyc"."""
    policy = (REPO / "deals/policy/bilateral.yaml").read_text()
    bad = tmp_path / "dup.yaml"
    bad.write_text(policy.replace("  - id: veu\n", "  - id: kyc\n", 1))
    done = run("validate", bad)
    assert done.exit_code == 2, done.output
    assert "duplicate security level id 'kyc'" in done.stderr
    assert "unknown security level 'veu'; expected one of: baseline, kyc\n" in done.stderr
    assert "kyc, kyc" not in done.stderr


def _rounds(tmp_path: Path) -> Path:
    rounds = tmp_path / "rounds"
    shutil.copytree(REPO / "deals/rounds/gulf-asia", rounds)
    return rounds


def _sa_file_with_ae_terms(tmp_path: Path) -> Path:
    terms = (REPO / "deals/packages/ae-counter.yaml").read_text()
    assert "\npartner: AE\n" in terms
    wrong = tmp_path / "counter.yaml"
    wrong.write_text(terms.replace("\npartner: AE\n", "\npartner: SA\n"))
    return wrong


def test_a_counter_for_another_partner_says_so_before_its_terms(
    run: Runner, tmp_path: Path
) -> None:
    """`counter FILE --partner AE` on a file whose `partner:` says SA, its terms AE's,
    said SA's unknown concessions (invest-us 200bn, mirror-data-centres, align-controls),
    not that the file is SA's: the mismatch with --partner is now said first, alone, at
    the file's `partner:` line; nothing is recorded."""
    rounds, wrong = _rounds(tmp_path), _sa_file_with_ae_terms(tmp_path)
    before = sorted(p.name for p in rounds.rglob("*"))
    done = run("counter", GULF, wrong, "--partner", "AE", "--rounds", rounds, "--no-documents")
    assert done.exit_code == 2, done.output
    line = next(
        n for n, text in enumerate(wrong.read_text().splitlines(), 1) if text.startswith("partner:")
    )
    assert done.stderr == f"error: {wrong}:{line}: partner: is SA, but the negotiation is with AE\n"
    assert sorted(p.name for p in rounds.rglob("*")) == before


def test_an_offer_file_for_another_partner_says_so_before_its_terms(
    run: Runner, tmp_path: Path
) -> None:
    """`offer --package FILE --partner AE` read the file against SA's menu the same way."""
    rounds = _rounds(tmp_path)
    terms = (REPO / "deals/packages/ae-offer.yaml").read_text()
    wrong = tmp_path / "offer.yaml"
    wrong.write_text(terms.replace("\npartner: AE\n", "\npartner: SA\n"))
    done = run(
        "offer", GULF, "--partner", "AE", "--package", wrong, "--rounds", rounds, "--no-documents"
    )
    assert done.exit_code == 2, done.output
    assert done.stderr.startswith(f"error: {wrong}:")
    assert done.stderr.endswith(": partner: is SA, but the negotiation is with AE\n")
    assert done.stderr.count("\n") == 1


def test_a_partner_not_in_the_portfolio_is_said_before_the_files(
    run: Runner, tmp_path: Path
) -> None:
    """`--partner XX` with a file for SA: XX is no partner here, said as such."""
    rounds, wrong = _rounds(tmp_path), _sa_file_with_ae_terms(tmp_path)
    done = run("counter", GULF, wrong, "--partner", "XX", "--rounds", rounds, "--no-documents")
    assert done.exit_code == 2, done.output
    assert done.stderr.startswith("error: --partner: partner 'XX' is not in portfolio gulf-asia")


def test_require_deal_takes_a_comma_list_as_regimes_and_format_do(run: Runner) -> None:
    """`solve --require-deal MY,KZ` said "partner 'MY,KZ' is not in portfolio
    gulf-asia", where `--regimes tiered,bilateral` and `--format md,pdf` take commas: it
    now requires both, as `--require-deal MY --require-deal KZ` does."""
    import json

    done = run("solve", GULF, "--require-deal", "MY,kz", "--json")
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    dealt = {deal["partner"] for deal in result["deals"]}
    assert {"MY", "KZ"} <= dealt
    assert run("solve", GULF, "--require-deal", "MY,", "--json").exit_code == 2


def test_every_round_commands_json_carries_a_status_as_its_refusal_does(
    run: Runner, tmp_path: Path
) -> None:
    """`offer --json` to MY (no offer can be made, exit 3) answers `{"status":
    "infeasible", "message": ...}`, but its answer when it records had no `status`, where
    `conclude --json` and `walk-away --json` give the round's: a script reading
    `answer["status"]` failed on success. `offer` and `counter` now give the round's too."""
    import json

    rounds = _rounds(tmp_path)
    refused = run("offer", GULF, "--partner", "MY", "--rounds", rounds, "--json", "--no-documents")
    assert refused.exit_code == 3, refused.output
    assert json.loads(refused.stdout)["status"] == "infeasible"
    offered = run("offer", GULF, "--partner", "AE", "--rounds", rounds, "--json", "--no-documents")
    assert offered.exit_code == 0, offered.output
    assert json.loads(offered.stdout)["status"] == "open"
    counter = REPO / "deals/packages/ae-counter-2.yaml"
    countered = run("counter", GULF, counter, "--rounds", rounds, "--json", "--no-documents")
    assert countered.exit_code == 0, countered.output
    assert json.loads(countered.stdout)["status"] == "open"
    walked = run("walk-away", GULF, "--partner", "AE", "--rounds", rounds, "--json")
    assert json.loads(walked.stdout)["status"] == "walked-away"
