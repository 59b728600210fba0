"""qa47-bargain: the bargaining points as a negotiator reads them, against the independent
reference (tests/qa45_reference.py, qa47_reference.py): `solve --mode nash|kalai` where whole
steps leave partners without a gain (the bound stated, the reason given), and the frontier's
held Kalai point against the best tau on the curves it is drawn on."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import qa45_reference as ref
import qa47_reference as r47
import test_qa45_verify as q45
from dealbench import load_portfolio, solve
from dealbench.checker import check
from dealbench.negotiate import frontier
from dealbench.negotiate.frontier_words import frontier_words
from helpers import invoke
from test_qa46_bargain import gains, least_share


def test_nash_where_no_partner_gains_in_whole_steps_states_the_empty_products_bound(
    tmp_path: Path,
) -> None:
    """qa47-verify's seed 6, tiny-zopa: in whole steps of 5,000 H100e no partner can gain
    (the reference agrees: no deal). `solve --mode nash --json` gave `solver.bound` -600,
    the MIP's stand-in logs for three partners left out, and `objective` null, where the
    text said "no bound". The product is now over none: 1, its log 0, exact, said alike in
    the text and the JSON, and the reference's check (the empty product) holds."""
    spec = r47.random_spec(random.Random(6), "tiny-zopa")
    path = ref.write(spec, tmp_path)
    result = q45._solve(path, "nash")
    assert result["deals"] == []
    assert result["solver"]["bound"] == 0.0
    assert result["objective"] == 0.0
    assert result["solver"]["details"]["log_error_bound"] == 0.0
    assert "over none" in result["message"], result["message"]
    assert "no bound" not in result["message"]
    assert "in whole steps of 5,000 H100e" in result["message"]
    q45._nash(spec, path)
    text = invoke(["solve", path, "--mode", "nash"])
    assert text.exit_code == 0, text.output
    assert "no bound" not in text.output
    assert "log Nash product, 0.0000" in text.output


@pytest.mark.parametrize("mode", ["nash", "kalai"])
def test_a_partner_without_a_gain_in_whole_steps_is_told_the_step(
    tmp_path: Path, mode: str
) -> None:
    """qa47-verify's seed 0, tiny-zopa: PA's USD 5m of room needs all 31,000 H100e of 2026,
    off the step of 5,000. "Why no deal with PA" said "its best package needs 20,000 H100e in
    2026 more than they leave": in whole steps PA gains nothing even with all of it. The
    reason now says the step, and kalai's "No zone of agreement" says it is in whole steps."""
    spec = r47.random_spec(random.Random(0), "tiny-zopa")
    path = ref.write(spec, tmp_path)
    run = invoke(["solve", path, "--mode", mode, "--json"])
    assert run.exit_code == 0, run.output
    result = json.loads(run.stdout)
    reasons = {r["partner"]: r for r in result["no_deal_reasons"]}
    assert set(reasons) == {"PA", "PB"}
    for said in reasons.values():
        assert said["reason"] == "whole-steps", said
        assert "in whole steps of 5,000 H100e no package" in said["message"], said
        assert "more than they leave" not in said["message"], said
    # The reference: alone in whole steps, neither has a zone; in continuous amounts both do.
    assert set(ref.ideal_gains(spec, spec.step)) == {"PC"}
    assert {"PA", "PB"} <= set(ref.ideal_gains(spec, 0.0))
    if mode == "kalai":
        assert "No zone of agreement in whole steps of 5,000 H100e" in result["message"]


@pytest.mark.parametrize(("seed", "best"), [(18, 0.2802), (19, 0.4178), (27, 0.2391)])
def test_the_held_kalai_point_is_the_best_tau_on_the_curves(
    tmp_path: Path, seed: int, best: float
) -> None:
    """qa45's plain seeds 19 and 27 (qa46-bargain's Left): the held Kalai point was solved in
    the declared step (then lifted, or replaced by a frontier point), its tau 0.4162 or 0.4170
    against 0.4178 on the curves it is drawn on (27: 0.2343 against 0.2391), with no bound
    said. It is now the best tau over every deal of the partner, exact, and the table says
    it. Seed 18 (qa46-bargain): `kalai.tau` was the partner-alone solve's, 0.2893, against
    its ideals in whole steps, a tau no package has; it is the point's own least share of the
    frontier's ends (docs/frontier.md)."""
    spec = ref.random_spec(random.Random(seed), "plain")
    path = ref.write(spec, tmp_path)
    pf = load_portfolio(path)
    base = solve(pf)
    f = frontier(pf, "PA", points=7, base=base)
    assert f.kalai is not None
    tau = f.bargaining["kalai"]["tau"]
    assert tau == pytest.approx(least_share(f, f.kalai), abs=1e-9)
    held = [d.package().model_dump(mode="json") for d in base.deals if d.partner != "PA"]
    alone, _ = ref.residual(spec, "PA", held)
    ideal = gains(f, f.us_best)[0], gains(f, f.partner_best)[1]
    top, _ = ref.best(alone, "tau", steps=False, tau_ideals={"PA": ideal})
    assert top == pytest.approx(best, abs=1e-4)
    assert tau == pytest.approx(top, abs=1e-6)
    assert "exact" in f.bargaining["kalai"]["method"]
    assert check(pf, [*f.kalai.others, f.kalai.package]).ok  # type: ignore[list-item]
    summary = " ".join(frontier_words(f).summary)
    assert f"Kalai-Smorodinsky tau: {tau:.4f}" in summary, summary
