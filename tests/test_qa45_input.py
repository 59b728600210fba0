"""Session 45 (qa45-input): broken data as a new user writes it, and what `solve` says
of a quarterly portfolio's supply."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, Runner, deals_copy, job_done, web_client, words

#: One partner asking for more than 2026Q1's supply and exactly 2026Q2's and 2026Q3's.
_PARTNER = """\
code: QQ
name: Quarterland
tier: 2
diversion_risk: 0.2
ask: {2026Q1: 150_000, 2026Q2: 100_000, 2026Q3: 100_000, 2026Q4: 100_000}
value_per_h100e: 30k
batna: 1bn
us_batna: 0
security_costs: {baseline: 0, kyc: 100m, veu: 500m}
"""

_PORTFOLIO = """\
id: q
title: Quarterly
policy: ../policy/bilateral.yaml
periods: {periods}
supply: {{2026Q1: 100_000, 2026Q2: 100_000, 2026Q3: 100_000, 2026Q4: 300_000}}
partners: [../partners/qq.yaml]
"""


def _quarters(tmp_path: Path, periods: str = "[2026Q1, 2026Q2, 2026Q3, 2026Q4]") -> Path:
    deals = deals_copy(tmp_path)
    (deals / "partners" / "qq.yaml").write_text(_PARTNER)
    portfolio = deals / "portfolios" / "q.yaml"
    portfolio.write_text(_PORTFOLIO.format(periods=periods))
    return portfolio


def test_a_full_supply_that_binds_no_one_is_said_beside_the_one_that_binds(
    run: Runner, tmp_path: Path
) -> None:
    """`solve` on quarters printed "Binding: Supply is fully allocated in 2026Q1." alone,
    which read as if 2026Q2 and 2026Q3 had some left: they were full too, the partner at
    its whole ask there, so their supply holds no one (more would go unused) and is no
    binding limit. `solve` and the web's solve page now say so, apart from the binding
    ones."""
    portfolio = _quarters(tmp_path)
    done = run("solve", portfolio)
    assert done.exit_code == 0, done.output
    text = " ".join(done.stdout.split())
    assert "Binding: Supply is fully allocated in 2026Q1." in text
    said = (
        "Supply is used in full in 2026Q2 and 2026Q3 too, but binds no one there: every deal "
        "gets all its ask and cap allow, so more would go unused."
    )
    assert said in text
    assert "2026Q4" not in text.split("Binding:")[1]  # 100,000 of 300,000: not full
    with web_client(portfolio.parents[1], WEB_TOKEN) as client:
        form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "mode": "us-best", "solver": "highs"}
        response = client.post("/p/q/solve", data=form, follow_redirects=False)
        assert response.status_code == 303, response.text
        page = client.get(job_done(client, response))
        assert said in words(page.text)


@pytest.mark.parametrize(
    ("periods", "listed"),
    [
        ("[2026Q1..2026Q4]", "[2026Q1, 2026Q2, 2026Q3, 2026Q4]"),
        ("2026Q1-2026Q4", "[2026Q1, 2026Q2, 2026Q3, 2026Q4]"),
        ("[2026Q4 to 2026Q1]", "[2026Q1, 2026Q2, 2026Q3, 2026Q4]"),
    ],
)
def test_periods_written_as_a_range_are_refused_at_the_periods_line(
    run: Runner, tmp_path: Path, periods: str, listed: str
) -> None:
    """`periods: [2026Q1..2026Q4]` was read as one period of that name: `validate` said
    five times that a supply's period "is not one of the portfolio's periods
    (2026Q1..2026Q4)" and never named the periods line; `periods: 2026Q1-2026Q4` said
    "expected a list" without the list meant."""
    portfolio = _quarters(tmp_path, periods)
    done = run("validate", portfolio)
    assert done.exit_code == 2, done.output
    assert not done.traceback
    assert done.stderr.splitlines() == [
        f"error: {portfolio}:4: periods: '{periods.strip('[]')}' reads as a range of periods; "
        "a portfolio lists each period, so that its supply, asks and caps can name it: "
        f"periods: {listed}"
    ]


def test_a_misspelt_period_in_periods_is_named_there_not_suggested_to_the_supply(
    run: Runner, tmp_path: Path
) -> None:
    """`periods: [2026-Q1, ...]` beside `supply: {2026Q1: ...}` said "period '2026Q1' is
    not one of the portfolio's periods (2026-Q1, ...); did you mean '2026-Q1'?": it led
    the user to break the supply's right label. It now says which label of `periods` to
    write how."""
    portfolio = _quarters(tmp_path, "[2026-Q1, 2026Q2, 2026Q3, 2026Q4]")
    done = run("validate", portfolio)
    assert done.exit_code == 2, done.output
    first = done.stderr.splitlines()[0]
    assert first == (
        f"error: {portfolio}:5: supply.2026Q1: period '2026Q1' is not one of the portfolio's "
        "periods (2026-Q1, 2026Q2, 2026Q3, 2026Q4): the portfolio writes it '2026-Q1'; write "
        "2026Q1 in the portfolio's `periods`"
    )
    assert "did you mean '2026-Q1'" not in done.stderr
