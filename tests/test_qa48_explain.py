"""Every "no" explained, session 48 (qa48-explain): partners left without a deal by a
required deal, and a counter whose next offer takes back part of ours, on copies of
gulf-asia. Each test failed before its fix."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from helpers import REPO, invoke

#: Supply so tight that the deal required with MY crowds out the plain optimum's (SA, BH).
TIGHT = "portfolio.supply={2026: 100_000, 2027: 100_000, 2028: 100_000}"


def test_a_solve_with_a_required_deal_says_so_in_its_result_and_memo(tmp_path: Path) -> None:
    """`solve gulf-asia.yaml --require-deal MY --set TIGHT --out --render md`: the memo said
    "Packages from the optimisation for the greatest US utility" and recommended QA, BH and
    MY (V -$8.87bn), where the plain solve's SA and BH give -$2.39bn; result.json did not
    record the requirement, so no document could say it. And each reason ended "(dealbench
    frontier ... --partner SA --set ... draws it)", a frontier held beside the plain
    optimum's deals (SA's own among them): "ZOPA: yes, largest joint gain $15.62bn" where
    the reason said none. No command draws the frontier beside required deals: none is
    named."""
    out = tmp_path / "out"
    portfolio = REPO / "deals/portfolios/gulf-asia.yaml"
    required = ["--require-deal", "MY", "--set", TIGHT]
    said = invoke(["solve", portfolio, *required, "--out", out, "--render", "md"])
    assert said.exit_code == 0, said.output
    why_sa = said.stdout.split("Why no deal with SA:")[1].split("Why no deal with")[0]
    assert "the required deal with MY" in why_sa, why_sa
    assert "no zone of agreement for that reason" in why_sa, why_sa
    assert "dealbench frontier" not in said.stdout, said.stdout
    result = json.loads((out / "result.json").read_text())
    assert result["required"] == ["MY"]
    memo = (out / "memos/portfolio-gulf-asia.md").read_text()
    assert (
        "Packages from the optimisation for the greatest US utility, with a deal with MY "
        "required, under the bilateral regime" in memo
    ), memo
    # A solve that requires nothing records nothing, and still points to the frontier.
    plain = invoke(["solve", portfolio, "--json"])
    assert plain.exit_code == 0, plain.output
    assert "required" not in json.loads(plain.stdout)


def test_the_next_command_after_a_counter_is_one_offer_records(deals: Path) -> None:
    """Our offer to IN of a package of our own (round 1), then IN's counter over its caps:
    the verdict's note says our next offer takes back part of round 1's and "is recorded
    only with the retreat allowed", and its last line said "Next: dealbench offer ...
    --partner IN", which, run, was refused (exit 2, "--allow-retreat: the offer gives IN
    $2.25bn, less than our offer of round 1 did"). It names --allow-retreat, and records."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    ours, theirs = deals / "in-offer.yaml", deals / "in-counter.yaml"
    ours.write_text(
        "partner: IN\nsecurity: kyc\ncompute: {2026: 50_000, 2027: 50_000, 2028: 50_000}\n"
        "concessions: {}\n"
    )
    theirs.write_text(
        "partner: IN\nsecurity: baseline\ncompute: {2026: 900_000, 2027: 50_000, 2028: 50_000}\n"
        "concessions: {}\n"
    )
    made = invoke(["offer", portfolio, "-p", "IN", "--package", ours, "--no-documents"])
    assert made.exit_code == 0, made.output
    said = invoke(["counter", portfolio, theirs, "--no-documents"])
    assert said.exit_code == 0, said.output
    assert "is recorded only with the retreat allowed" in " ".join(said.stdout.split())
    last = said.stdout.splitlines()[-1]
    assert last == f"Next: dealbench offer {portfolio} --partner IN --allow-retreat", last
    again = invoke([*shlex.split(last.removeprefix("Next: dealbench ")), "--no-documents"])
    assert again.exit_code == 0, again.output
    assert "Recorded round 3" in again.stdout, again.stdout
