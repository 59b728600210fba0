"""Uncertain figures: distributions in partner files, their means, Monte Carlo acceptance
against a closed form, reproducibility, the robust solve, and the CLI."""

from __future__ import annotations

import html
import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import concession, partner, policy, portfolio
from dealbench.analyze.robust import robust_solve
from dealbench.analyze.uncertainty import CHUNK, risk_report, sample_package
from dealbench.checker import check
from dealbench.model import Package, Partner, Portfolio
from dealbench.model.distributions import Normal, Triangular, Uncertain, Uniform, distribution_of
from dealbench.optimize import solve
from helpers import Runner

UNCERTAIN = "deals/portfolios/gulf-asia-uncertain.yaml"
OFFER = "deals/packages/ae-offer.yaml"
COUNTER = "deals/packages/ae-counter.yaml"  # not round 4 again (ae-counter-2's terms)


def _aa(**figures: object) -> Partner:
    """AA: 30k per H100e, asks 100,000 in 2026, one yes/no concession c0 (US 2bn, cost 1bn)."""
    base = partner(
        "AA",
        diversion_risk=0.2,
        ask={"2026": 100_000},
        security_costs={"baseline": 0, "veu": 0},
        concessions=[concession("c0", us_value="2bn", partner_cost="1bn")],
    )
    data = base.model_dump()
    data.update(figures)
    return Partner.model_validate(data)


def _pf(p: Partner) -> Portfolio:
    regime = policy(
        levels=[("baseline", 0.0), ("veu", 0.5)], export_value="10k", risk_penalty="100k"
    )
    return portfolio(regime, [p], supply={"2026": 100_000})


PACKAGE = Package(partner="AA", security="veu", compute={"2026": 100_000}, concessions={"c0": True})


# --- the figures ------------------------------------------------------------------------


def test_a_distribution_is_its_mean_everywhere_deterministic() -> None:
    p = _aa(batna={"dist": "uniform", "low": "1bn", "high": "3bn"})
    assert isinstance(p.batna, Uncertain) and p.batna == 2e9
    assert distribution_of(p.batna) == Uniform(low=1e9, high=3e9)
    plain = _aa(batna="2bn")
    a, b = solve(_pf(p)), solve(_pf(plain))
    assert a.objective == b.objective and a.deals == b.deals
    assert pickle.loads(pickle.dumps(p)).batna.distribution == p.batna.distribution


def test_means_of_each_kind() -> None:
    assert Triangular(low=0, mode=3, high=6).mean == 3
    assert Triangular(low=0, mode=0, high=3).mean == 1
    symmetric = Normal.model_validate({"mean": 5, "sd": 2, "low": 1, "high": 9})
    assert symmetric.mean == pytest.approx(5)
    # Truncated at the center from below: mean = center + sd * sqrt(2/pi).
    half = Normal.model_validate({"mean": 0, "sd": 1, "low": 0, "high": 50})
    assert half.mean == pytest.approx(np.sqrt(2 / np.pi))
    draws = half.sample(np.random.default_rng(0), 200_000)
    assert draws.min() >= 0 and draws.mean() == pytest.approx(half.mean, abs=0.01)


@pytest.mark.parametrize(
    ("dist", "within"),
    [
        (Uniform(low=2, high=4), (2, 4)),
        (Triangular(low=1, mode=2, high=6), (1, 6)),
        (Normal.model_validate({"mean": 0, "sd": 1, "low": -1, "high": 2}), (-1, 2)),
    ],
)
def test_samples_stay_within_bounds_and_average_to_the_mean(
    dist: Uniform | Triangular | Normal, within: tuple[float, float]
) -> None:
    draws = dist.sample(np.random.default_rng(1), 100_000)
    assert within[0] <= draws.min() and draws.max() <= within[1]
    assert draws.mean() == pytest.approx(dist.mean, abs=0.02)


BAD = [
    ("batna: {dist: uniform, low: 3bn, high: 1bn}", "batna: low (3bn) is above high (1bn)"),
    ("batna: {dist: uniform, low: 1bn}", "a uniform distribution needs low, high (missing: high)"),
    ("batna: {dist: gauss, low: 1bn, high: 2bn}", "unknown distribution 'gauss'"),
    ("batna: {dist: uniform, low: 1bn, hgh: 2bn}", "unknown key 'hgh' in a uniform distribution"),
    ("batna: {dist: normal, mean: 2bn, sd: 0, low: 1bn, high: 3bn}", "sd must be greater than 0"),
    ("batna: {dist: triangular, low: 1bn, mode: 5bn, high: 3bn}", "must lie between low and high"),
    (
        "diversion_risk: {dist: uniform, low: 0.5, high: 1.5}",
        "diversion_risk: a distribution here cannot go above 1",
    ),
    (  # its mean (10k) is not negative, but a sample in three is
        "value_per_h100e: {dist: uniform, low: -10k, high: 30k}",
        "value_per_h100e: a value per H100e cannot be negative (the distribution's low is -10k)",
    ),
]


@pytest.mark.parametrize(("line", "message"), BAD)
def test_a_bad_distribution_is_a_clear_error(
    run: Runner, tmp_path: Path, line: str, message: str
) -> None:
    """Exit 2 with file, line and field; low > high among them."""
    text = Path("deals/partners/bh.yaml").read_text("utf-8").splitlines()
    key = line.split(":")[0]
    at = next(i for i, t in enumerate(text) if t.startswith(f"{key}:"))
    text[at] = line
    path = tmp_path / "bh.yaml"
    path.write_text("\n".join(text) + "\n", "utf-8")
    result = run("validate", path)
    assert result.exit_code == 2
    assert f"bh.yaml:{at + 1}: " in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


# --- Monte Carlo --------------------------------------------------------------------------


def test_monte_carlo_agrees_with_the_closed_form_of_a_uniform_batna() -> None:
    """The partner's terms are worth 30k x 100,000 - 1bn = 2bn; with a BATNA uniform on
    [1bn, 3bn] it accepts with probability (2bn - 1bn) / (3bn - 1bn) = 0.5. With the
    value uniform too the closed form is a triangle: see the second case."""
    pf = _pf(_aa(batna={"dist": "uniform", "low": "1bn", "high": "3bn"}))
    report = risk_report(pf, PACKAGE, samples=20_000, seed=3)
    p = report.accept_probability
    assert abs(p.estimate - 0.5) <= 4 * p.standard_error
    assert p.standard_error == pytest.approx(np.sqrt(0.25 / 20_000), rel=0.01)


def test_monte_carlo_agrees_with_the_closed_form_of_a_triangular_difference() -> None:
    """Value per H100e uniform on [20k, 40k] (terms U[1bn, 3bn] after the 1bn cost) and a
    BATNA uniform on [1bn, 3bn]: P(terms - batna >= 0) = 1/2 by symmetry; P(terms - batna
    >= 1bn) = (1/2)(1/2)^2 = 1/8 with a margin of 1bn."""
    p_aa = _aa(
        batna={"dist": "uniform", "low": "1bn", "high": "3bn"},
        value_per_h100e={"dist": "uniform", "low": "20k", "high": "40k"},
    )
    for margin, exact in ((0, 0.5), ("1bn", 0.125)):
        pf = _pf(p_aa)
        pf = pf.model_copy(
            update={"policy": policy(levels=[("baseline", 0.0), ("veu", 0.5)], margin=margin)}
        )
        p = risk_report(pf, PACKAGE, samples=40_000, seed=11).accept_probability
        assert abs(p.estimate - exact) <= 4 * p.standard_error, (margin, p)


def test_value_and_risk_distributions() -> None:
    """Diversion risk uniform on [0.1, 0.3] at veu (mitigation 0.5), 100,000 H100e: risk is
    uniform on [5,000, 15,000]; the US value is 2bn + 1bn - 100k x risk."""
    pf = _pf(_aa(diversion_risk={"dist": "uniform", "low": 0.1, "high": 0.3}))
    report = risk_report(pf, PACKAGE, samples=50_000, seed=5)
    assert report.accept_probability.estimate == 1.0
    assert report.risk is not None and report.us_value is not None
    assert report.risk.mean == pytest.approx(10_000, rel=0.01)
    assert report.risk.quantiles["25%"] == pytest.approx(7_500, rel=0.02)
    assert report.us_value.mean == pytest.approx(3e9 - 1e5 * 10_000, rel=0.01)
    assert sum(report.risk.histogram.counts) == 50_000
    assert len(report.risk.histogram.edges) == len(report.risk.histogram.counts) + 1


def test_the_same_seed_gives_the_same_numbers_whatever_jobs() -> None:
    pf = _pf(_aa(batna={"dist": "triangular", "low": "1bn", "mode": "2bn", "high": "4bn"}))
    n = 2 * CHUNK + 17
    one = sample_package(pf, PACKAGE, n, seed=9)
    two = sample_package(pf, PACKAGE, n, seed=9, jobs=2)
    assert np.array_equal(one.slack, two.slack) and np.array_equal(one.risk, two.risk)
    assert not np.array_equal(one.slack, sample_package(pf, PACKAGE, n, seed=10).slack)
    assert risk_report(pf, PACKAGE, 1000, 4) == risk_report(pf, PACKAGE, 1000, 4)


# --- robust solve ------------------------------------------------------------------------


def test_robust_solve_reaches_the_level_and_says_what_it_costs() -> None:
    pf = _pf(_aa(batna={"dist": "uniform", "low": "0", "high": "2bn"}))
    found = robust_solve(pf, level=0.9, samples=5_000, seed=2)
    rob = found.robustness
    assert rob.reached
    (aa,) = rob.partners
    assert aa.deterministic is not None and aa.deterministic.estimate < 0.9
    assert aa.robust is not None and aa.robust.estimate >= 0.9
    assert rob.cost >= 0 and aa.batna_raised_by > 0
    assert rob.us_value_robust == pytest.approx(found.result.objective)
    assert check(pf, [d.package() for d in found.result.deals]).ok
    # The same samples again: acceptance of the robust package is reproducible.
    (deal,) = found.result.deals
    again = sample_package(pf, deal.package(), 5_000, seed=2)
    assert again.accepts.mean() >= 0.9


def test_a_robust_solve_keeps_the_note_on_its_schedules_step() -> None:
    """The robust result was rebuilt from the check and lost its last solve's note: `solve
    --robust` printed "Compute is in steps of 100 H100e." where the same packages solved
    plainly say it is not the declared step of 1,000 and why."""
    from dealbench.model import load_portfolio

    pf = load_portfolio(UNCERTAIN)
    found = robust_solve(pf, level=0.9, samples=2_000, seed=3)
    assert found.result.message == solve(found.solved).message
    assert "not the declared steps of 1,000 H100e" in found.result.message


# --- CLI ---------------------------------------------------------------------------------


def test_risk_json(run: Runner) -> None:
    result = run(
        "risk", OFFER, "--portfolio", UNCERTAIN, "--samples", "5000", "--seed", "1", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    p = data["accept_probability"]
    assert 0 < p["estimate"] < 1 and p["standard_error"] > 0
    assert set(data["us_value"]["quantiles"]) == {"5%", "25%", "50%", "75%", "95%"}
    assert {f["field"] for f in data["uncertain"]} >= {"batna", "diversion_risk"}


def test_risk_prints_a_histogram(run: Runner) -> None:
    result = run("risk", OFFER, "--portfolio", UNCERTAIN, "--samples", "2000")
    assert result.exit_code == 0, result.output
    assert "Accept probability:" in result.stdout
    assert "█" in result.stdout


def test_figures_without_spread_are_not_drawn_as_histograms(run: Runner) -> None:
    """A portfolio without distributions gives one value in every sample: ten bins all
    labelled '$30.25bn - $30.25bn', nine of them empty, said nothing."""
    result = run(
        "risk", OFFER, "--portfolio", "deals/portfolios/gulf-asia.yaml", "--samples", "500"
    )
    assert result.exit_code == 0, result.output
    assert "█" not in result.stdout
    assert "US value when the partner accepts: $" in result.stdout
    assert "in every sample" in result.stdout


def test_deterministic_commands_say_they_use_the_means(run: Runner) -> None:
    result = run("evaluate", OFFER, "--portfolio", UNCERTAIN)
    assert result.exit_code == 0, result.output
    assert (
        "note: AE batna is uncertain (uniform 6bn to 10bn); deterministic results use its mean, 8bn"
        in result.stderr
    )


MEAN_NOTE = (
    "note: AE batna is uncertain (uniform 6bn to 10bn); deterministic results use its mean, 8bn"
)


@pytest.mark.parametrize(
    "command",
    [
        f"frontier {UNCERTAIN} --partner AE --points 2",
        f"improve {OFFER} --portfolio {UNCERTAIN} --top 1",
        f"redline {OFFER} {COUNTER} --portfolio {UNCERTAIN} --out {{rounds}}/../redline/",
        f"room {UNCERTAIN} --rounds {{rounds}}",
        f"history {UNCERTAIN} --partner AE --rounds {{rounds}}",
        f"offer {UNCERTAIN} --partner QA --rounds {{rounds}} --no-documents",
        f"counter {UNCERTAIN} --partner AE {COUNTER} --rounds {{rounds}} --no-documents",
        f"conclude {UNCERTAIN} --partner AE --round 3 --rounds {{rounds}} --out {{rounds}}/../docs/",
    ],
    ids=lambda c: c.split()[0],
)
def test_negotiation_commands_say_they_use_the_means(
    run: Runner, rounds: Path, command: str
) -> None:
    """The figures a negotiator weighs (utilities, verdicts, frontiers) rest on the means of
    the distributions as much as a solve's do, and say so as `solve` and `evaluate` do."""
    result = run(*command.format(rounds=rounds).split())
    assert result.exit_code == 0, result.output
    assert MEAN_NOTE in result.stderr


def test_the_negotiation_memo_says_its_utilities_count_at_the_means(
    run: Runner, rounds: Path, tmp_path: Path
) -> None:
    """The status memo recommends accepting AE's counter on utilities at the means of AE's
    and SA's distributions, and said so nowhere (the portfolio memo does)."""
    out = tmp_path / "out"
    result = run(
        "room", UNCERTAIN, "--rounds", rounds, "--render", "md,html", "--out", out,
        "--date", "2026-05-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    said = "Uncertain figures count at their means in these utilities: AE's walk-away value (uniform 6bn"
    for suffix in ("md", "html"):
        memo = html.unescape((out / f"memos/negotiation-gulf-asia-uncertain.{suffix}").read_text())
        assert said in " ".join(memo.split())
    shipped = tmp_path / "shipped"
    result = run(
        "room", "deals/portfolios/gulf-asia.yaml", "--rounds", rounds, "--render", "md",
        "--out", shipped, "--date", "2026-05-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Uncertain" not in (shipped / "memos/negotiation-gulf-asia.md").read_text()


def test_the_robust_sentence_speaks_of_the_partner_a_document_is_about() -> None:
    """A term sheet or deal memo is about one partner: its robust sentence said "each
    partner accepts its package", the words of a portfolio memo. It speaks of this
    package and this partner; the portfolio memo keeps its words."""
    from dealbench.optimize.result import Robust
    from dealbench.render.docmeta import robust_text

    reached = Robust(level=0.9, samples=2000, seed=3, reached=True)
    short = reached.model_copy(update={"reached": False})
    samples = "in at least 90% of 2,000 samples of its uncertain figures (seed 3)"
    assert robust_text(reached, "Qatar") == (
        f"The package was made robust: Qatar accepts it {samples}. "
        "The figures shown are at the means."
    )
    assert robust_text(short, "Qatar") == (
        f"A robust solve sought packages each partner accepts {samples}, and did not reach "
        "that share for every deal: this package may be one that falls short. "
        "The figures shown are at the means."
    )
    assert robust_text(reached) == (
        f"The packages were made robust: each partner accepts its package {samples}. "
        "The figures shown are at the means."
    )


def test_solve_robust_json(run: Runner) -> None:
    result = run("solve", UNCERTAIN, "--robust", "0.9", "--samples", "2000", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rob = data["robustness"]
    assert rob["reached"] and rob["cost"] >= 0
    for p in rob["partners"]:
        if p["robust"] is not None:
            assert p["robust"]["estimate"] >= 0.9


def test_a_robust_solves_result_records_it_and_its_documents_say_so(
    run: Runner, tmp_path: Path
) -> None:
    """`solve --robust P --out DIR`: result.json keeps the level, samples and seed (it kept
    none of them, so a later `render` could not tell the packages were made robust), and
    every internal document of the solve, then or later, says so; an external term sheet
    carries no internal figure and does not."""
    out = tmp_path / "out"
    robust = ["--robust", "0.9", "--samples", "2000", "--seed", "3"]
    result = run("solve", UNCERTAIN, *robust, "--out", out, "--render", "md,html")
    assert result.exit_code == 0, result.output
    recorded = json.loads((out / "result.json").read_text())["robust"]
    made = {"level": 0.9, "samples": 2000, "seed": 3, "reached": True}
    assert {key: recorded[key] for key in made} == made
    assert recorded["cost"] > 0 and set(recorded["fresh"]) == {"AE", "SA"}  # qa33-analyst
    said = "each partner accepts its package in at least 90% of 2,000 samples"
    assert said in (out / "memos/portfolio-gulf-asia-uncertain.md").read_text()
    assert said in (out / "memos/portfolio-gulf-asia-uncertain.html").read_text()
    assert "robust" not in (out / "term-sheets/AE.md").read_text()
    later = tmp_path / "later"
    rendered = run(
        "render", out / "result.json", "--partner", "AE", "--audience", "internal",
        "--format", "md", "--out", later,
    )  # fmt: skip
    assert rendered.exit_code == 0, rendered.output
    sheet = (later / "term-sheets/AE-internal.md").read_text()
    assert "The package was made robust: United Arab Emirates accepts it in at least 90% " in sheet
    assert "each partner" not in sheet
    plain = tmp_path / "plain"
    assert run("solve", UNCERTAIN, "--out", plain).exit_code == 0
    assert json.loads((plain / "result.json").read_text())["robust"] is None


@pytest.mark.parametrize(
    ("command", "option", "message"),
    [
        (["risk", OFFER, "--portfolio", UNCERTAIN], "--samples", "expected at least 1 sample"),
        (["risk", OFFER, "--portfolio", UNCERTAIN], "--jobs", "expected at least 1"),
        (["solve", UNCERTAIN, "--robust", "0.9"], "--samples", "expected at least 1 sample"),
        (["compare", UNCERTAIN], "--jobs", "expected at least 1"),
    ],
)
def test_a_count_of_zero_is_refused_in_the_clis_words(
    run: Runner, command: list[str], option: str, message: str
) -> None:
    """`risk --samples 0` and `risk --jobs 0` got Typer's usage text ("Invalid value for
    '--samples': ..."), where `solve --robust --samples 0` and `compare --jobs 0` name the
    option and the range as `--gap` does: every count says it the same way, exit 2."""
    result = run(*command, option, "0")
    assert result.exit_code == 2 and not result.traceback
    assert result.stderr == f"error: {option}: {message}, got 0\n"


def test_robust_given_as_a_whole_percentage_says_how_to_write_it(run: Runner) -> None:
    """`--robust 90` means 90%: it was refused as "expected a share between 0 and 1, got
    90.0" without saying how to write it; it now says so, as a share in a data file does."""
    result = run("solve", UNCERTAIN, "--robust", "90")
    assert result.exit_code == 2 and not result.traceback
    assert result.stderr == (
        "error: --robust: expected a share above 0 and below 1, got 90; "
        "for 90 percent write 0.9 or 90%\n"
    )


def test_a_robust_solve_with_nothing_uncertain_says_so(run: Runner) -> None:
    """`--robust` on a portfolio without distributions sampled constants and showed every
    deal at 100% with nothing said; a note now says there is nothing to draw."""
    result = run("solve", "deals/portfolios/gulf-asia.yaml", "--robust", "0.9", "--samples", "200")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        "note: no figure of portfolio gulf-asia is uncertain (none is given as a distribution)"
    )
    uncertain = run("solve", UNCERTAIN, "--robust", "0.9", "--samples", "200")
    assert uncertain.exit_code == 0, uncertain.output
    assert "is uncertain (none" not in uncertain.stderr


def test_a_robust_level_is_printed_with_the_digits_it_has(run: Runner) -> None:
    """`--robust 0.975` printed "Robust (98%)" and "Robust to 98%": a level it was not."""
    result = run("solve", UNCERTAIN, "--robust", "0.975", "--samples", "500")
    assert result.exit_code == 0, result.output
    assert "Robust (97.5%)" in result.stdout and "Robust to 97.5%" in result.stdout
    assert "98%" not in result.stdout


def test_robust_needs_a_share(run: Runner) -> None:
    result = run("solve", UNCERTAIN, "--robust", "1.5")
    assert result.exit_code == 2
    assert "expected a share above 0 and below 1" in result.stderr


@pytest.mark.parametrize("option", [["--samples", "500"], ["--seed", "7"]])
def test_samples_and_seed_are_refused_without_robust(run: Runner, option: list[str]) -> None:
    """Without --robust a solve draws nothing: --samples and --seed are refused (exit 2,
    before the solve), not ignored as if the solve had sampled."""
    result = run("solve", UNCERTAIN, *option)
    assert result.exit_code == 2 and not result.traceback
    assert result.stderr.strip() == f"error: {option[0]}: only with --robust SHARE"
    assert result.stdout == ""


def test_the_progress_bar_waits_a_second_then_draws() -> None:
    from dealbench.cli.delayed_progress import DelayedBar

    with DelayedBar("Sampling", delay=60) as bar:
        bar(1, 2)
        assert bar.bar is None  # under a second (here: a minute): nothing drawn
    with DelayedBar("Sampling", delay=0) as bar:
        bar(1, 2)
        assert bar.bar is not None
        bar(2, 2)


@settings(max_examples=40, deadline=None)
@given(
    low=st.floats(-1e3, 1e3),
    width=st.floats(0, 1e3),
    at=st.floats(0, 1),
    kind=st.sampled_from(["uniform", "triangular", "normal"]),
)
def test_every_distribution_samples_within_its_bounds_around_its_mean(
    low: float, width: float, at: float, kind: str
) -> None:
    high = low + width
    dist: Uniform | Triangular | Normal
    if kind == "uniform":
        dist = Uniform(low=low, high=high)
    elif kind == "triangular":
        dist = Triangular(low=low, mode=low + at * width, high=high)
    else:
        sd = max(width, 1.0) / 3
        dist = Normal.model_validate({"mean": low + at * width, "sd": sd, "low": low, "high": high})
    draws = dist.sample(np.random.default_rng(0), 20_000)
    assert low <= draws.min() and draws.max() <= high
    assert low <= dist.mean <= high
    assert draws.mean() == pytest.approx(dist.mean, abs=0.05 * max(width, 1e-9) + 1e-9)


def test_a_negative_seed_is_refused_in_words(run: Runner, shipped: Path) -> None:
    """numpy takes no negative seed: `risk --seed -1` and `solve --robust --seed -1` ended in
    its traceback ("expected non-negative integer"); the library refuses it in words."""
    portfolio = shipped / "portfolios/gulf-asia-uncertain.yaml"
    for args in (
        ("risk", shipped / "packages/ae-offer.yaml", "--portfolio", portfolio),
        ("solve", portfolio, "--robust", "0.9"),
    ):
        done = run(*args, "--samples", "10", "--seed", "-1")
        assert done.exit_code == 2 and not done.traceback
        assert done.stderr == "error: --seed: expected a whole number 0 or more, got -1\n"
