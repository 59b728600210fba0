"""A staff analyst's week from a fresh clone (qa29-staff).

A portfolio written by hand from the reference facts (tests/data/qa29staff): Europe and
South-East Asia over 2027-2029 under a regime of one's own (`corridor`: a tier 1 cap at
baseline, a binding risk budget of 12,000, a margin of 100m), five partners none of the
shipped ones (NL tier 1; CH, PT, PH, TR tier 2), PH's ask naming 2027 and 2028 only,
CH's investment a range, PH's diversion risk and TR's BATNA uncertain. Compared with the
shipped regimes, swept, priced, sampled and rendered; each test is what the analyst or
the principal reading the memo relies on, and failed first.
"""

from __future__ import annotations

from pathlib import Path

from dealbench.model import load_portfolio
from helpers import DATA, Runner, words

HERE = DATA / "qa29staff"
EU_SEA = HERE / "portfolios" / "eu-sea.yaml"
CORRIDOR = HERE / "policy" / "corridor.yaml"


def test_a_period_the_partner_asks_nothing_in_is_decided_by_its_ask() -> None:
    """PH asks for compute in 2027 and 2028 only. Under bilateral it has a deal of 9,500
    H100e in each of those years and none in 2029; `compare`'s "limit that decides it"
    (and the options memo's table) read "supply (2027–2028), acceptance (2029)", as if
    PH took no more in 2029 because it needs no more to accept, where it asked for none.
    Cause: `analyze.limits._deal` skipped "full ask" where the ask is 0 and fell through
    to the other reasons. A period without an ask is now said as such."""
    from dealbench.analyze.compare import compare

    comparison, _ = compare(load_portfolio(EU_SEA), ["bilateral"])
    (row,) = comparison.regimes
    assert row.status == "optimal"
    cell = next(p for p in comparison.partners if p.code == "PH").regimes["bilateral"]
    assert cell.decided_by == "supply (2027–2028), asks nothing (2029)"


def test_the_portfolio_memo_calls_acceptance_thin_where_the_deal_memo_does(
    run: Runner, tmp_path: Path
) -> None:
    """Under corridor, NL is held to its walk-away value plus the margin ($0), CH clears
    it by $14.0m of a $400.0m threshold and TR by $1.3m of $566.7m (its BATNA uncertain:
    `risk` puts its acceptance near 55%). The portfolio memo's Risks said "Acceptance is
    thin for NL" alone, while TR's and CH's deal memos each say "Acceptance is thin": the
    portfolio memo counted only margins within $1m, the deal memo margins under 5% of
    the threshold too. Both now read one rule (`render.limits.thin_margin`)."""
    out = tmp_path / "out"
    done = run("solve", EU_SEA, "--out", out, "--render", "md", "--date", "2026-12-07")
    assert done.exit_code == 0, done.output
    memo = words((out / "memos/portfolio-eu-sea.md").read_text())
    assert (
        "Acceptance is thin for NL, CH and TR: NL is held to its walk-away value plus the "
        "required margin; CH and TR clear theirs by only $14.0m and $1.3m; any slip in a "
        "valuation and the partner walks away."
    ) in memo
    for code in ("CH", "TR"):
        package = out / "packages" / f"{code}.yaml"
        memos = tmp_path / code
        args = ["render", package, "--portfolio", EU_SEA, "--doc", "deal-memo", "--out", memos]
        done = run(*args, "--format", "md", "--date", "2026-12-07")
        assert done.exit_code == 0, done.output
        (deal_memo,) = (memos / "memos").glob("*.md")
        assert "Acceptance is thin" in words(deal_memo.read_text())


def test_an_ask_without_a_figure_for_one_of_the_portfolios_periods_is_said(
    run: Runner, tmp_path: Path
) -> None:
    """PH's file, written by hand, gave `ask: {2027: 10_000, 2028: 10_000}` in a portfolio
    of 2027-2029. `validate` said "ok" and `solve` gave PH nothing in 2029 without a word:
    a period the ask does not name is an ask of 0 (a partner file may serve several
    horizons, so it is no error). Both now say it where it is written, and how to say
    it is meant (an explicit 0, which silences the note)."""
    said = (
        "tests/data/qa29staff/partners/ph.yaml:6: ask: no figure for 2029, one of "
        "portfolio eu-sea's periods: PH gets no compute then; write 2029: 0 if that is "
        "meant, else its ask"
    )
    rel = EU_SEA.relative_to(Path.cwd())
    done = run("validate", rel)
    assert done.exit_code == 0, done.output
    assert f"note: {said}" in done.stderr.splitlines()
    done = run("solve", rel)
    assert done.exit_code == 0, done.output
    assert f"note: {said}" in done.stderr.splitlines()
    # Said to be meant: no note.
    folder = tmp_path / "qa29staff"
    import shutil

    shutil.copytree(HERE, folder)
    ph = folder / "partners" / "ph.yaml"
    ph.write_text(ph.read_text().replace("2028: 10_000}", "2028: 10_000, 2029: 0}"))
    done = run("validate", folder / "portfolios" / "eu-sea.yaml")
    assert done.exit_code == 0, done.output
    assert "ask:" not in done.stderr


def test_a_file_name_a_letter_off_is_answered_with_the_near_name(
    run: Runner, tmp_path: Path
) -> None:
    """The portfolio named `policy: ../policy/coridor.yaml`; validate said "file not found:
    ../policy/coridor.yaml (looked for ...)" and nothing of policy/corridor.yaml beside it,
    as `compare --regimes policy/coridor.yaml` and `solve gulf-asia.yml` said "file not
    found" alone (qa28-newuser's Left). The near name in the same folder is now offered,
    in the words the file was named by."""
    import shutil

    folder = tmp_path / "mine"
    shutil.copytree(HERE, folder)
    pf = folder / "portfolios" / "eu-sea.yaml"
    pf.write_text(pf.read_text().replace("corridor.yaml", "coridor.yaml"))
    done = run("validate", pf)
    assert done.exit_code == 2
    assert done.stderr == (
        f"error: {pf}:3: policy: file not found: ../policy/coridor.yaml (looked for "
        f"{folder}/policy/coridor.yaml); did you mean ../policy/corridor.yaml?\n"
    )
    done = run("compare", EU_SEA, "--regimes", f"{HERE}/policy/coridor.yaml")
    assert done.exit_code == 2
    assert "coridor.yaml: file not found; did you mean " in done.stderr
    assert done.stderr.endswith("qa29staff/policy/corridor.yaml?\n")
    done = run("solve", str(EU_SEA).replace(".yaml", ".yml"))
    assert done.exit_code == 2
    assert "eu-sea.yml: file not found; did you mean " in done.stderr
    assert done.stderr.endswith("qa29staff/portfolios/eu-sea.yaml?\n")
    done = run("validate", tmp_path / "nothing-like-it.yaml")
    assert done.stderr == f"error: {tmp_path}/nothing-like-it.yaml: file not found\n"


def test_a_no_deal_reason_naming_two_limits_takes_a_plural_verb() -> None:
    """Why PH has no deal under corridor: "the supply it needs in 2027 and 2028 and the
    risk budget goes to deals worth more" (in `solve`, its JSON and the web). Two
    subjects: "go"."""
    from dealbench import solve
    from dealbench.optimize.explain.no_deal import no_deal_reasons

    pf = load_portfolio(EU_SEA)
    (reason,) = no_deal_reasons(pf, solve(pf, "us-best"))
    assert reason.partner == "PH"
    assert "the supply it needs in 2027 and 2028 and the risk budget go to deals worth more" in (
        reason.message
    )


def test_the_memos_no_deal_reason_names_both_limits_the_solve_names(
    run: Runner, tmp_path: Path
) -> None:
    """PH has no deal under corridor: the supply of 2027 and 2028 is used up and 24 of the
    12,000 risk-weighted H100e are left. `solve` says "the supply it needs in 2027 and 2028
    and the risk budget go to deals worth more", the options memo's table "supply and risk
    budget go to others", and lifting the risk budget alone gives PH a deal (the
    principals memo's limit costs); the portfolio memo said "The supply left by the other
    deals prevents a deal", as if the supply alone kept PH out. Its reason now checks the
    risk budget left too, as it checked the supply."""
    out = tmp_path / "out"
    done = run("solve", EU_SEA, "--out", out, "--render", "md", "--date", "2026-12-07")
    assert done.exit_code == 0, done.output
    memo = words((out / "memos/portfolio-eu-sea.md").read_text())
    # solve's own reason, as the result carries it (nodeal-one)
    assert (
        "- Philippines (PH): Alone, a deal with PH would "
        "add $329.0m to US utility, but the supply it needs in 2027 and 2028 and the risk "
        "budget go to deals worth more (NL, CH, PT, TR); raising the risk budget by 3,397 "
        "risk-weighted H100e and supply by 9,000 H100e in 2027 and 10,000 H100e in 2028 "
        "makes room for it"
    ) in memo


def test_one_figure_reads_the_same_in_the_terminal_the_memos_and_diff(
    run: Runner, tmp_path: Path
) -> None:
    """TR's risk under corridor is 57,000 x 0.39 x 0.15 = 3,334.5 risk-weighted H100e:
    3,334.5000000000005 in memory, 3334.5 in result.json. `solve` and the memos said
    3,335 (the float rounded), `diff` of the written results 3,334 (the JSON's figure,
    half to even); the total, 11,976.5, was 11,976 in `compare`'s table and the memos'
    "the deals carry" sentence, but 11,977 in the memo's table and its Risks (the rows
    summed as printed, 3,335 among them). Every whole-unit figure is now rounded from the
    12 digits a result file keeps, halves away from zero (`figures.figure`, `figures.whole`:
    qa29-left's one rounding): 3,335 and 11,977 everywhere."""
    out = tmp_path / "out"
    regimes = f"{CORRIDOR},bilateral"
    args = ["compare", EU_SEA, "--regimes", regimes, "--out", out, "--render", "md"]
    done = run(*args, "--date", "2026-12-07")
    assert done.exit_code == 0, done.output
    assert "│ Risk (weighted H100e) │   11,977 │      10,130 │" in done.stdout
    diff = run("diff", out / "corridor/result.json", out / "bilateral/result.json")
    assert "  - risk 3,335 -> 2,305 risk-weighted H100e" in diff.stdout.splitlines()
    assert "risk 11,977 -> 10,130 risk-weighted H100e" in diff.stdout
    memo = words((out / "memos/principals-eu-sea-corridor.md").read_text())
    assert "| Türkiye (TR) | veu | 57,000 | 1 | $1.38bn | +$1.38bn | +$1.3m | 3,335 |" in memo
    assert "| **Total** | | **325,000** | | **$9.93bn** | | | **11,977** |" in memo
    assert "The deals carry 11,977 risk-weighted H100e of a budget of 12,000" in memo
    assert "the deals carry 11,977 of its 12,000 risk-weighted H100e" in memo
    options = words((out / "memos/options-eu-sea.md").read_text())
    assert "| Risk (risk-weighted H100e) | 11,977 | 10,130 |" in options
    solved = run("solve", EU_SEA)
    assert " TR      veu      18,000 19,000 20,000 $1.38bn $568.0m    3,335\n" in solved.stdout


def test_a_misspelt_override_path_is_answered_with_the_near_name(run: Runner) -> None:
    """A YAML file's misspelt key says "did you mean 'batna'?"; the same slip in `--set`,
    `--param` or a scenarios file listed every field and left the reader to find it
    (`partners.NL.bantna`, `partners.TR.concessions.russia-divrsion.partner_cost`)."""
    done = run("solve", EU_SEA, "--set", "partners.NL.bantna=1bn")
    assert done.exit_code == 2
    assert done.stderr.startswith(
        "error: --set: partners.NL.bantna: partners.NL has no field 'bantna' (did you mean "
        "'batna'?); expected one of: code, name,"
    )
    path = "partners.TR.concessions.russia-divrsion.partner_cost"
    done = run("sweep", EU_SEA, "--param", path, "--from", "1bn", "--to", "2bn")
    assert done.exit_code == 2
    assert (
        "partners.TR.concessions has no item 'russia-divrsion' (did you mean "
        "'russia-diversion'?); expected one of: russia-diversion, kyc, us-operator"
    ) in done.stderr


def test_an_acceptance_of_every_sample_or_none_is_said_without_a_standard_error(
    run: Runner,
) -> None:
    """TR's offer with the Russia controls, KYC and a US operator leaves it at most $340.0m
    against a walk-away value drawn from 300m to 700m plus the 100m margin: it refuses in
    every sample. `risk` said "Accept probability: 0.0% (standard error 0.0%)", a share
    and a sampling error of a certainty, where the risk budget's share of 0 already reads
    as a sentence. Now "0% (refuses in every sample)"; a share in between keeps its
    standard error. The JSON keeps both numbers."""
    offer = HERE / "packages" / "tr-offer.yaml"
    done = run("risk", offer, "--portfolio", EU_SEA, "--samples", "2000", "--seed", "3")
    assert done.exit_code == 0, done.output
    assert "Accept probability: 0% (TR refuses in every sample)" in done.stdout.splitlines()
    offer = HERE / "packages" / "tr-offer2.yaml"
    done = run("risk", offer, "--portfolio", EU_SEA, "--samples", "2000", "--seed", "3")
    assert "Accept probability: 78.1% (standard error 0.9%)" in done.stdout.splitlines()
