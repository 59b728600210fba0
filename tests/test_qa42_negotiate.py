"""A trade negotiator running a long negotiation on a copy of the shipped data, session 42
(qa42-negotiate): refusals said in each shell's words, copies of a portfolio sharing a
rounds folder. Each test failed before its fix."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from helpers import csrf, invoke, words


def test_a_conclusion_written_by_hand_without_basis_says_how_each_shell_concludes(
    deals: Path, client: Any
) -> None:
    """SA's round 5 written by hand as `status: concluded` with no `basis:`: the refusal
    said "(`dealbench conclude` writes it)" on the web too, where there is no such command.
    The CLI names its command, the web its form."""
    (deals / "rounds/gulf-asia/SA/005-us.yaml").write_text(
        "round: 5\nside: us\ndate: 2026-03-20\npackage:\n  partner: SA\n  security: veu\n"
        "  compute: {'2026': 500000, '2027': 500000, '2028': 500000}\n"
        "  concessions: {invest-us: 600bn}\nstatus: concluded\n",
        "utf-8",
    )
    run = invoke(["history", deals / "portfolios/gulf-asia.yaml", "--partner", "SA"])
    assert run.exit_code == 2, run.output
    assert "SA/005-us.yaml:1: basis: missing: a conclusion names the round" in run.stderr
    assert "(`dealbench conclude` writes it)" in run.stderr
    page = words(client.get("/p/gulf-asia/n/SA").text)
    assert "a conclusion names the round whose package it accepts" in page
    assert "(the form “Conclude the deal” writes it)" in page
    assert "dealbench conclude" not in page


def test_a_copy_of_a_portfolio_in_the_deals_folder_records_no_round_into_the_originals(
    deals: Path, client: Any
) -> None:
    """A copy of gulf-asia.yaml saved in deals/ (its references made `./`) keeps the id, and
    a portfolio file directly in deals/ records into deals/rounds/<id>/, as one in
    deals/portfolios/ does: `offer` on the copy recorded QA's round 1 into the original's
    negotiation, for good, unrefused (only the copy's own folder was looked in). Both files
    are refused, the CLI naming --rounds as the way to record there all the same, the web
    its own way (it has no --rounds)."""
    original = deals / "portfolios/gulf-asia.yaml"
    copy = deals / "gulf-asia-c.yaml"
    copy.write_text(original.read_text("utf-8").replace("../", "./"), "utf-8")
    options = ["--partner", "QA", "--no-documents"]
    for path, other in ((copy, original), (original, copy)):
        run = invoke(["offer", path, *options])
        assert run.exit_code == 2, run.output
        assert f"{path}:5: id: gulf-asia is also the id of {other}, and both record" in run.stderr
        assert "or name the folder with --rounds to record there all the same" in run.stderr
    assert not (deals / "rounds/gulf-asia/QA").exists()
    refused = client.post("/p/gulf-asia/n/QA/offer", data=csrf())
    page = words(refused.text)
    assert "gulf-asia is also the id of" in page and "gulf-asia-c.yaml" in page
    assert "serve a copy of the deals folder without the other file" in page
    assert "--rounds" not in page.replace("dealbench frontier --rounds", "")  # a frame's name
    assert not (deals / "rounds/gulf-asia/QA").exists()
    meant = invoke(["offer", copy, *options, "--rounds", deals / "rounds/gulf-asia"])
    assert meant.exit_code == 0, meant.output
    assert (deals / "rounds/gulf-asia/QA/001-us.yaml").is_file()


def test_a_portfolio_in_a_folder_named_portfolios_shares_no_rounds_with_one_above_it(
    deals: Path,
) -> None:
    """Only files whose rounds go to the same folder are refused: a copy in
    deals/portfolios/portfolios/ records into deals/portfolios/rounds/<id>/, another
    negotiation, and is let through."""
    nested = deals / "portfolios/portfolios"
    nested.mkdir()
    shutil.copytree(deals / "partners", deals / "portfolios/partners")
    shutil.copytree(deals / "policy", deals / "portfolios/policy")
    copy = nested / "gulf-asia.yaml"
    shutil.copyfile(deals / "portfolios/gulf-asia.yaml", copy)
    run = invoke(["offer", copy, "--partner", "QA", "--no-documents"])
    assert run.exit_code == 0, run.output
    assert (deals / "portfolios/rounds/gulf-asia/QA/001-us.yaml").is_file()


def test_a_counter_for_a_partner_not_in_the_portfolio_says_so(deals: Path) -> None:
    """`counter gulf-asia.yaml -p XX ae-counter.yaml` (a typo of the code) said "partner: is
    AE, but the negotiation is with XX", as if XX were a negotiation to record into; `offer`
    and `walk-away -p XX` say the partner is not in the portfolio, and so does `counter`."""
    gulf = deals / "portfolios/gulf-asia.yaml"
    counter = deals / "packages/ae-counter.yaml"
    run = invoke(["counter", gulf, "-p", "XX", counter, "--no-documents"])
    assert run.exit_code == 2, run.output
    assert "error: --partner: partner 'XX' is not in portfolio gulf-asia" in run.stderr
    assert "but the negotiation is with" not in run.stderr


def test_the_rounds_of_a_partner_taken_out_of_the_portfolio_say_what_to_do(deals: Path) -> None:
    """AE taken out of gulf-asia's `partners`, its talks left in deals/rounds/gulf-asia/AE:
    every negotiation command on the portfolio (here SA's history) was refused with "AE is
    not a partner of portfolio gulf-asia (its partners: ...)", and no word of what to do."""
    gulf = deals / "portfolios/gulf-asia.yaml"
    gulf.write_text(gulf.read_text("utf-8").replace("  - ../partners/ae.yaml\n", ""), "utf-8")
    run = invoke(["history", gulf, "--partner", "SA"])
    assert run.exit_code == 2, run.output
    folder = deals / "rounds/gulf-asia"
    assert f"error: {folder}/AE: AE is not a partner of portfolio gulf-asia (its partners: SA," in (
        run.stderr
    )
    assert f"add AE to its `partners`, or move the folder out of {folder}" in run.stderr
