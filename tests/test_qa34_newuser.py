"""A new user from a fresh clone, session 34 (qa34-newuser): the README's tour and a whole
negotiation on the shipped data. Each test failed before its fix."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from dealbench import load_portfolio
from dealbench.errors import ArgumentError
from dealbench.model.package import Package
from dealbench.negotiate.record import record_offer
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, help_examples, invoke, words

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"
CSRF = csrf_for(WEB_TOKEN)

#: AE's round 3 (linear) gave AE $14.05bn; a Boulware offer now, offer 3 of 6, aims at
#: $88.65bn for the US, above the $77.98bn round 3 gives it: the UAE would get $8.05bn.
TAKES_BACK = "the offer gives AE $8.05bn, less than our offer of round 3 did ($14.05bn)"


def test_switching_strategy_midway_is_refused_when_it_takes_back_what_was_offered(
    rounds: Path,
) -> None:
    """`offer --strategy boulware` after round 3's linear offer recorded round 5 at the US
    ideal, $6bn less for AE than round 3, with one clause deep in the reason to say so. It
    is refused now (exit 2, nothing written), saying what it takes back, why, and what to do."""
    before = sorted(p.name for p in (rounds / "AE").iterdir())
    run = invoke(
        ["offer", PORTFOLIO, "-p", "AE", "--strategy", "boulware", "--rounds", rounds,
         "--no-documents"]
    )  # fmt: skip
    assert run.exit_code == 2, run.output
    said = words(run.stderr)
    assert said.startswith(f"error: --allow-retreat: {TAKES_BACK}: ")
    assert "and it gives the US $77.98bn, less than the target ($88.65bn)" in said
    assert (
        "Nothing was recorded: an offer that takes back part of what our last one gave AE is "
        "recorded only when the retreat is allowed; otherwise continue with the strategy of "
        "round 3 (linear) or offer a package of your own that gives AE no less"
    ) in said
    assert "Traceback" not in run.output
    assert sorted(p.name for p in (rounds / "AE").iterdir()) == before


def test_a_retreat_allowed_is_recorded_with_a_warning_and_said_in_the_round_file(
    rounds: Path,
) -> None:
    """With `--allow-retreat` the offer is recorded; the output warns, with both figures, and
    the round file carries `retreat:` (what it takes back and why)."""
    run = invoke(
        ["offer", PORTFOLIO, "-p", "AE", "--strategy", "boulware", "--allow-retreat",
         "--rounds", rounds, "--no-documents"]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert (
        "Warning: this offer takes back part of what round 3 offered AE: it gives AE $8.05bn, "
        "where round 3 gave $14.05bn (recorded as allowed; the round file says so under "
        "retreat:)."
    ) in words(run.stdout)
    data = yaml.safe_load((rounds / "AE/005-us.yaml").read_text())
    assert data["retreat"].startswith(TAKES_BACK + ": ")
    assert invoke(["validate", rounds / "AE/005-us.yaml"]).exit_code == 0


def test_a_package_of_ones_own_giving_the_partner_less_is_a_retreat_too(rounds: Path) -> None:
    """A package given (`offer --package`) worth less to AE than round 3: the same refusal
    in the library, naming the argument that lets it through."""
    pf = load_portfolio(PORTFOLIO)
    last = yaml.safe_load((rounds / "AE/003-us.yaml").read_text())["package"]
    less = Package.model_validate({**last, "compute": {"2026": 400_000, "2027": 400_000}})
    with pytest.raises(ArgumentError) as refused:
        record_offer(pf, rounds, "AE", package=less)
    assert refused.value.argument == "allow_retreat"
    assert "less than our offer of round 3 did ($14.05bn)" in refused.value.message
    assert "continue with the strategy" not in refused.value.message  # no strategy chose it
    assert not (rounds / "AE/005-us.yaml").exists()
    done = record_offer(pf, rounds, "AE", package=less, allow_retreat=True)
    assert done.round.data.retreat is not None


def test_the_web_offer_form_refuses_a_retreat_unless_its_box_is_ticked(
    client: Any, deals: Path
) -> None:
    """The web's offer form makes the same call: refused beside its "Allow a retreat" box,
    recorded when it is ticked."""
    form = {CSRF_FIELD: CSRF, "expect": "5", "strategy": "boulware", "date": "2026-04-01"}
    refused = client.post("/p/gulf-asia/n/AE/offer", data=form)
    assert refused.status_code == 422, refused.text[:2000]
    assert 'id="offer-allow-retreat"' in refused.text
    assert "less than our offer of round 3 did ($14.05bn)" in refused.text
    assert not (deals / "rounds/gulf-asia/AE/005-us.yaml").exists()
    recorded = client.post("/p/gulf-asia/n/AE/offer", data={**form, "allow_retreat": "yes"})
    assert recorded.status_code == 200, recorded.text[:2000]
    assert "retreat:" in (deals / "rounds/gulf-asia/AE/005-us.yaml").read_text()


@pytest.mark.parametrize(
    ("by", "ended"),
    [("us", "the United States walked away from KZ"), ("partner", "KZ walked away")],
)
def test_an_offer_after_a_walk_away_says_who_left_and_how_to_talk_again(
    rounds: Path, by: str, ended: str
) -> None:
    """`offer --partner KZ` after a walk-away said "the negotiation with KZ was walked away
    from in this round; no round may follow it", and no way on. It says who left, and how to
    negotiate again without rewriting the record."""
    base = ["--rounds", rounds, "--no-documents"]
    assert (
        invoke(["walk-away", PORTFOLIO, "-p", "KZ", "--by", by, "--rounds", rounds]).exit_code == 0
    )
    run = invoke(["offer", PORTFOLIO, "-p", "KZ", *base])
    assert run.exit_code == 2, run.output
    assert (
        f"status: {ended} in this round; no round may follow it (nothing written). Rounds are "
        "never taken back: to negotiate with KZ again, record the new talks in a copy of this "
        "rounds folder without its KZ folder (the commands' --rounds); this folder keeps the "
        "record of how they ended"
    ) in words(run.stderr)


def _offer_examples() -> list[str]:
    """The examples `dealbench offer --help` prints."""
    return help_examples("offer")


@pytest.mark.parametrize("example", _offer_examples())
def test_every_offer_help_example_records_its_round_in_the_demos_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example: str
) -> None:
    """Each `offer --help` example, run verbatim in a copy of the example data (as `dealbench
    demo` writes it to out/deals), records its round. `--package deals/packages/ae-offer.yaml`
    gives AE $8.50bn, less than the shipped round 3's $14.05bn: a retreat, so its example
    allows it."""
    shutil.copytree(REPO / "deals", tmp_path / "deals")
    monkeypatch.chdir(tmp_path)
    run = invoke([*shlex.split(example)[1:], "--no-documents"])
    assert run.exit_code == 0, run.output


def test_a_retreat_for_its_target_alone_names_the_target(rounds: Path) -> None:
    """QA: Boulware's first offer, then linear's, then Boulware again: the refusal said "it
    gives the US $10.43bn, less than the target", leaving the negotiator to find the target."""
    pf = load_portfolio(PORTFOLIO)
    record_offer(pf, rounds, "QA", strategy="boulware")
    record_offer(pf, rounds, "QA", strategy="linear")
    with pytest.raises(ArgumentError) as refused:
        record_offer(pf, rounds, "QA", strategy="boulware")
    said = refused.value.message
    assert said.startswith("the offer gives QA $2.05bn, less than our offer of round 2 did")
    assert ": round 2's offer gives the US $10.43bn, less than the target ($11.1" in said
    assert "continue with the strategy of round 2 (linear)" in said
