"""Files written by earlier versions of dealbench, read by today's (qa18-upgrade).

The files are under tests/data/old_versions/, each folder named by the commit whose
dealbench wrote them (its README says how). A negotiator who upgrades mid-negotiation
must find the rounds and packages read with the figures the old version printed, the
rounds untouched, and old result.json files read for what they say, not reinterpreted.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from dealbench.optimize.result import SolveResult
from dealbench.render.sources import maximised_text
from helpers import DATA, REPO, Runner

OLD = DATA / "old_versions"
FIRST = OLD / "251b765"  # the first version with rounds
MODES = OLD / "f0fa9b3"  # objective was V in every mode
REPLAN = OLD / "07f1de0" / "solve-rounds.json"  # no `rounds` field yet
NASH_V = 67972584688.2  # what f0fa9b3 wrote as the nash solve's objective: V


def _deals(folder: Path) -> Path:
    """Today's shipped deals/ (the old versions' figures: only comments changed) with the
    rounds 251b765 recorded for AE, IN and QA beside the shipped ones of SA."""
    shutil.copytree(REPO / "deals", folder)
    for code in ("AE", "IN", "QA"):
        target = folder / "rounds/gulf-asia" / code
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(FIRST / "rounds/gulf-asia" / code, target)
    return folder


def _bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


# Rounds and packages: compatibility holds ------------------------------------------------


@pytest.mark.parametrize("code", ["AE", "IN", "QA"])
def test_old_rounds_are_read_with_the_figures_the_old_version_printed(
    run: Runner, tmp_path: Path, code: str
) -> None:
    """AE countered (six rounds), IN concluded on our offer, QA walked away: today's
    `history` gives every round the utilities and acceptance 251b765 printed, and the
    same stage."""
    deals = _deals(tmp_path / "deals")
    before = _bytes(deals / "rounds")
    done = run("history", deals / "portfolios/gulf-asia.yaml", "--partner", code, "--json")
    assert done.exit_code == 0, done.output
    now = json.loads(done.stdout)
    then = json.loads((FIRST / "history.json").read_text())[code]
    assert now["stage"] == then["stage"]
    assert len(now["rounds"]) == len(then["rounds"])
    for new, old in zip(now["rounds"], then["rounds"], strict=True):
        assert (new["round"], new["side"], new["status"]) == (
            old["round"],
            old["side"],
            old["status"],
        )
        if old["us_utility"] is None:  # the walk-away
            assert new["us_utility"] is None
            continue
        assert new["us_utility"] == pytest.approx(old["us_utility"], abs=1.0)
        assert new["partner_utility"] == pytest.approx(old["partner_utility"], abs=1.0)
        assert new["accepts"] == old["accepts"]
    assert _bytes(deals / "rounds") == before


def test_the_next_offer_follows_old_rounds_without_rewriting_them(
    run: Runner, tmp_path: Path
) -> None:
    """After 251b765's rounds 5 (our offer, linear) and 6 (AE's counter), today's `offer`
    records round 7 as a new file, continues the recorded strategy (the fourth US offer:
    three made), and leaves every old round byte for byte."""
    deals = _deals(tmp_path / "deals")
    before = _bytes(deals / "rounds")
    done = run(
        "offer", deals / "portfolios/gulf-asia.yaml", "--partner", "AE",
        "--date", "2026-05-01", "--no-documents",
        # $30m less for AE than round 5, which no longer fits beside the concluded deals
        # and the plan: a retreat, recorded only when allowed (qa34-newuser)
        "--allow-retreat",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    after = _bytes(deals / "rounds")
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(set(after) - set(before)) == ["gulf-asia/AE/007-us.yaml"]
    recorded = yaml.safe_load((deals / "rounds/gulf-asia/AE/007-us.yaml").read_text())
    assert recorded["basis"] == "006-partner.yaml"
    assert recorded["strategy"]["name"] == "linear"
    assert recorded["strategy"]["params"]["offers_made"] == 3


@pytest.mark.parametrize("code", ["AE", "IN"])
def test_old_package_files_evaluate_as_the_old_solve_reported(
    run: Runner, tmp_path: Path, code: str
) -> None:
    """`solve --out` of 251b765 wrote packages/<CODE>.yaml beside result.json: today's
    `evaluate` of each gives the figures that result.json holds for the deal."""
    deals = _deals(tmp_path / "deals")
    done = run(
        "evaluate", FIRST / "packages" / f"{code}.yaml",
        "--portfolio", deals / "portfolios/gulf-asia.yaml", "--json",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    figures = json.loads(done.stdout)
    old = json.loads((FIRST / "result.json").read_text())
    deal = next(d for d in old["deals"] if d["partner"] == code)
    for field in ("us_value", "partner_utility", "risk", "compute_value", "export_value"):
        assert figures[field] == pytest.approx(deal[field], abs=1.0), field
    assert figures["compute"] == deal["compute"]


def test_a_result_from_before_us_value_reads_its_objective_as_v() -> None:
    """251b765's us-best result.json: `objective` was V, `binding` plain sentences."""
    old = json.loads((FIRST / "result.json").read_text())
    result = SolveResult.model_validate(old)
    assert result.us_value == old["objective"] == result.objective
    assert [b.message for b in result.binding] == old["binding"]
    assert {b.kind for b in result.binding} == {"other"}


# Result files: what an old file recorded, not reinterpreted ------------------------------


def test_an_old_nash_result_has_no_log_nash_product() -> None:
    """f0fa9b3 wrote V (USD 67.97bn) as a nash solve's `objective`. Read today as the log
    Nash product, a memo said "The solve maximised the log Nash product ...:
    67972584688.2000". The file never recorded the product: its objective is unknown (None)
    and V is `us_value`; the old V-valued `unrounded_objective` is `unrounded_us_value`."""
    result = SolveResult.model_validate_json((MODES / "nash.json").read_bytes())
    assert result.objective is None
    assert result.us_value == NASH_V
    assert result.solver.bound is None
    assert "unrounded_objective" not in result.solver.details
    assert result.solver.details["unrounded_us_value"] == NASH_V
    assert maximised_text(result) is None


def test_an_old_kalai_result_reads_tau_from_its_details() -> None:
    """f0fa9b3's kalai result held V as `objective` and tau in `solver.details`: today's
    objective for kalai is tau, so that is what it reads (0.389), not V (USD 79.28bn)."""
    old = json.loads((MODES / "kalai.json").read_text())
    result = SolveResult.model_validate(old)
    assert result.objective == old["solver"]["details"]["tau"] == pytest.approx(0.389030982443)
    assert result.us_value == old["objective"]
    text = maximised_text(result)
    assert text is not None and "at least 38.9% of the most each could gain" in text
    assert text.endswith("; the US utility is $79.28bn.")


def test_an_old_partner_best_result_reads_the_partners_total() -> None:
    old = json.loads((MODES / "partner-best.json").read_text())
    result = SolveResult.model_validate(old)
    assert result.objective == old["partner_total"]
    assert result.us_value == old["objective"]
    assert result.solver.details["unrounded_objective"] == pytest.approx(
        old["solver"]["details"]["unrounded_partner_total"]
    )
    assert (
        result.solver.details["unrounded_us_value"]
        == old["solver"]["details"]["unrounded_objective"]
    )


def test_the_memo_of_an_old_nash_result_does_not_call_v_a_log(run: Runner, tmp_path: Path) -> None:
    shutil.copytree(REPO / "deals", tmp_path / "deals6")  # its portfolio_file's folder
    (tmp_path / "nash").mkdir()
    shutil.copy(MODES / "nash.json", tmp_path / "nash/result.json")
    done = run(
        "render", tmp_path / "nash/result.json", "--doc", "portfolio-memo",
        "--out", tmp_path / "memo", "--format", "md",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    (memo,) = (tmp_path / "memo").rglob("*.md")
    text = memo.read_text()
    assert "67972584688" not in text
    assert "log Nash product" not in text


def test_an_old_replan_result_is_read_as_a_replan() -> None:
    """07f1de0's `solve --rounds` result.json has no `rounds` (added 2026-12-03): its
    message says IN and SA were concluded (rounds 2 and 4) and QA walked away. Read as a
    plain solve, `render` said it came from edited data files and `diff` that its inputs
    differed, and `evaluate --against` called it a plain us-best solve."""
    result = SolveResult.model_validate_json(REPLAN.read_bytes())
    assert result.rounds is not None
    assert result.rounds.concluded == {"IN": 2, "SA": 4}
    assert result.rounds.walked_away == ["QA"]
    assert result.rounds.inputs == ""  # not recorded then


def test_rendering_an_old_replan_says_what_cannot_be_checked(run: Runner, tmp_path: Path) -> None:
    shutil.copytree(REPO / "deals", tmp_path / "deals")
    (tmp_path / "solved").mkdir()
    shutil.copy(REPLAN, tmp_path / "solved/result.json")
    done = run("render", tmp_path / "solved/result.json", "--out", tmp_path / "docs")
    assert done.exit_code == 0, done.output
    said = " ".join(done.stderr.split())
    assert "re-planned from rounds by an earlier dealbench" in said
    assert "edited since" not in said


def test_diff_of_an_old_replan_and_a_plain_solve_names_the_rounds(run: Runner) -> None:
    done = run("diff", REPLAN, FIRST / "result.json")
    assert done.exit_code == 0, done.output
    said = " ".join(done.stdout.split())
    assert (
        "Note: rounds IN concluded (round 2), SA concluded (round 4), talks with QA ended -> "
        "none (a plain solve)"
    ) in said
    assert "the inputs differ" not in said


def test_a_plain_old_result_is_not_taken_for_a_replan() -> None:
    """A result.json from before `rounds` whose message is a plain solve's stays one."""
    old = json.loads((FIRST / "result.json").read_text())
    assert "rounds" not in old
    assert SolveResult.model_validate(old).rounds is None
    note = {**old, "message": "Compute is in steps of 100 H100e, not the declared steps."}
    assert SolveResult.model_validate(note).rounds is None


def test_a_far_date_an_old_version_recorded_says_what_to_do(run: Runner, tmp_path: Path) -> None:
    """251b765 recorded `offer --date 2062-04-02` as typed; since 2026-12-02 a round so far
    beyond the horizon is refused wherever it is read, and the whole folder with it. The
    refusal said "check the year (YYYY-MM-DD, or today)", as to an option: the user is now
    told that an earlier dealbench wrote such dates and that the year is corrected in the
    file by hand (no command rewrites a round). Nothing is written."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    target = deals / "rounds/gulf-asia/IN/001-us.yaml"
    shutil.copytree(FIRST / "far-date/IN", target.parent)
    before = _bytes(deals / "rounds")
    done = run("history", deals / "portfolios/gulf-asia.yaml", "--partner", "AE")
    assert done.exit_code == 2, done.output
    assert not done.traceback
    assert (
        f"error: {target}:5: date: 2062-04-02 is more than 10 years after the portfolio's "
        "horizon (its last period is 2028); check the year (YYYY-MM-DD, or today); dealbench "
        "of 2026-12-02 or before recorded such dates as typed: correct the year in this file "
        "by hand (no command rewrites a recorded round), then run the command again"
    ) in " ".join(done.stderr.split())
    assert _bytes(deals / "rounds") == before


def test_rounds_an_old_version_recorded_out_of_time_order_say_what_to_do(
    run: Runner, tmp_path: Path
) -> None:
    """251b765 recorded `offer --date 2026-01-05` as round 5 after round 4 of 2026-03-16;
    since 2026-12-02 a folder so dated is refused. The refusal now names the two files
    whose dates disagree and says to correct one by hand; nothing is written."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    target = deals / "rounds/gulf-asia/AE/005-us.yaml"
    shutil.copy(FIRST / "out-of-order/AE/005-us.yaml", target)
    before = _bytes(deals / "rounds")
    done = run("room", deals / "portfolios/gulf-asia.yaml")
    assert done.exit_code == 2, done.output
    assert not done.traceback
    assert (
        f"error: {target}:5: date: round 5 is dated 2026-01-05, before round 4 "
        "(004-partner.yaml), dated 2026-03-16; rounds are in time order; dealbench of "
        "2026-12-02 or before recorded such dates as typed: correct the date in this file or "
        "in 004-partner.yaml by hand (no command rewrites a recorded round), then run the "
        "command again"
    ) in " ".join(done.stderr.split())
    assert _bytes(deals / "rounds") == before


def test_a_recorded_package_refused_since_says_to_correct_the_round(
    run: Runner, tmp_path: Path
) -> None:
    """5332fe3 recorded KR's counter granting `invest-us: 0`, the start of its range; since
    2026-12-03 such an amount is refused (it grants nothing), in a counter file and in a
    rounds folder alike. The refusal told how to write the package, as to a counter file;
    it now also says that a recorded round is corrected by hand. Nothing is written."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    shutil.copy(OLD / "5332fe3/kr.yaml", deals / "portfolios/kr.yaml")
    shutil.copytree(OLD / "5332fe3/kr-only", deals / "rounds/kr-only")
    before = _bytes(deals / "rounds")
    done = run("history", deals / "portfolios/kr.yaml", "--partner", "KR")
    assert done.exit_code == 2, done.output
    assert not done.traceback
    target = deals / "rounds/kr-only/KR/002-partner.yaml"
    assert (
        f"error: {target}:16: package.concessions.invest-us: 0 is the start of the range of "
        "'invest-us' (0 to 350bn), where nothing is granted; leave 'invest-us' out, or write "
        "invest-us: false; if an earlier dealbench recorded this round (it took such packages) "
        "or the partner's file changed since, correct the round by hand (no command rewrites a "
        "recorded round), then run the command again"
    ) in " ".join(done.stderr.split())
    assert _bytes(deals / "rounds") == before
