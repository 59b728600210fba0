"""qa43-explore: what a negotiator explores with in a meeting, `frontier` and `improve`.

The frontier chart: rounds drawn on one spot share one label (AE's rounds 3 and 4 printed
"3" over "4"); a partner with no zone of agreement gets a chart that says so, without the
US-best and partner-best marks hiding the no-deal point they are; the risk axis counts
risk as the table does ("80,000"). `improve` lists no change padded with a term that
gains neither side anything, and says why no package a partner accepts fits, where none does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dealbench import load_portfolio
from dealbench.model.package import Package
from dealbench.negotiate import frontier
from dealbench.negotiate.chart import Round, _draw, _labels
from dealbench.negotiate.logroll import improvements
from helpers import REPO, Runner

XA = """code: XA
name: Exampleland
tier: 2
diversion_risk: 0.3
ask: {2026: 200_000, 2027: 200_000}
value_per_h100e:
  - {upto: 100_000, value: 40k}
  - {upto: 200_000, value: 20k}
batna: 2bn
security_costs: {baseline: 0, kyc: 200m, veu: 1bn}
concessions:
  - id: invest-us
    title: Investment in the United States
    category: investment
    amount: {unit: USD, min: 0, step: 10bn}
    levels:
      - {id: 50bn, title: USD 50bn, amount: 50bn, us_value: 2.5bn, partner_cost: 1.5bn}
      - {id: 200bn, title: USD 200bn, amount: 200bn, us_value: 10bn, partner_cost: 6bn}
    clause: "{{ partner | in_text(start=True) }} will invest {{ level.title }}."
  - id: align
    title: Align controls
    category: alignment
    us_value: 1bn
    partner_cost: 1bn
    clause: "{{ partner | in_text(start=True) }} aligns."
  - id: cheap
    title: A term worth nothing to either side
    category: other
    us_value: 0
    partner_cost: 0
    clause: "{{ partner | in_text(start=True) }} does a thing."
"""

#: A partner whose walk-away value no package reaches: no zone of agreement.
XB = """code: XB
name: Nopeland
tier: 2
diversion_risk: 0.9
ask: {2026: 100_000, 2027: 100_000}
value_per_h100e:
  - {upto: 100_000, value: 10k}
batna: 50bn
security_costs: {baseline: 0, kyc: 200m, veu: 1bn}
concessions:
  - id: align
    title: Align controls
    category: alignment
    us_value: 1bn
    partner_cost: 1bn
    clause: "{{ partner | in_text(start=True) }} aligns."
"""


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    (tmp_path / "xa.yaml").write_text(XA)
    (tmp_path / "xb.yaml").write_text(XB)
    path = tmp_path / "mini.yaml"
    path.write_text(
        "id: mini\ntitle: Mini\n"
        f"policy: {REPO / 'deals/policy/bilateral.yaml'}\n"
        "periods: [2026, 2027]\nsupply: {2026: 250_000, 2027: 250_000}\n"
        "partners: [xa.yaml, xb.yaml]\n"
    )
    return path


def test_rounds_drawn_on_one_spot_share_one_label() -> None:
    # AE's rounds 3 and 4 of the shipped negotiation: 0.04bn apart on a chart 50bn wide,
    # their markers one on the other; two labels printed "3" over "4".
    rounds = [
        Round(3, "us", 163.04e9, 14.05e9, fitted=True),
        Round(4, "partner", 163.0e9, 14.01e9, fitted=True),
        Round(2, "partner", 115.0e9, 43.0e9, fitted=True),
    ]
    labels = _labels(rounds, 50.0, 100.0)
    assert sorted(labels.values()) == ["2", "3, 4"]
    # Apart on the chart, each keeps its own label.
    assert sorted(_labels(rounds[:2], 0.5, 0.5).values()) == ["3", "4"]


def test_a_chart_with_no_zone_of_agreement_says_so_and_shows_the_no_deal_point(
    mini: Path,
) -> None:
    curve = frontier(load_portfolio(mini), "XB", points=3)
    assert not curve.zopa["exists"]
    ax = _draw(curve, []).axes[0]
    _, legend = ax.get_legend_handles_labels()
    # The ends are the no-deal point itself: drawn over it they hid its mark, and a
    # "Frontier" line of no package was in the legend.
    assert legend == ["No deal"]
    said = [t.get_text() for t in ax.texts]
    assert said == ["ZOPA: none: no package beats both walk-away values."]


def test_a_chart_with_a_zone_of_agreement_keeps_its_marks(mini: Path) -> None:
    curve = frontier(load_portfolio(mini), "XA", points=3)
    ax = _draw(curve, []).axes[0]
    _, legend = ax.get_legend_handles_labels()
    assert legend[:3] == [legend[0], "No deal", "US-best"]
    assert "Partner-best" in legend
    assert not any("ZOPA" in t.get_text() for t in ax.texts)


def test_the_risk_axis_groups_thousands_as_the_table_does(mini: Path) -> None:
    curve = frontier(load_portfolio(mini), "XA", points=3, axis="risk")
    ax = _draw(curve, []).axes[0]
    assert ax.xaxis.get_major_formatter()(80_000, 0) == "80,000"


def test_improve_lists_no_change_padded_with_a_term_that_buys_nothing(mini: Path) -> None:
    pf = load_portfolio(mini)
    offer = Package(
        partner="XA",
        security="veu",
        compute={"2026": 150_000, "2027": 150_000},
        concessions={"invest-us": "100bn"},
    )
    found = improvements(pf, offer, top=20)
    assert found
    # "add cheap" beside the compute change gained both sides what the compute change
    # alone gained: listed, it read as a trade of its own.
    assert not any("add cheap" in i.changes for i in found)
    assert any(i.changes[0].startswith("2026 compute") for i in found)
    # Every one both sides gain by, in the order claimed.
    assert all(i.us_gain >= 1e6 and i.partner_gain >= 1e6 for i in found)
    gains = [i.joint_gain for i in found]
    assert gains == sorted(gains, reverse=True)
    # --all-variants still lists every variant, the padded ones too.
    every = improvements(pf, offer, every_variant=True)
    assert any("add cheap" in i.changes for i in every)


def test_improve_says_why_no_package_the_partner_accepts_fits(run: Runner, mini: Path) -> None:
    # XB's walk-away value (50bn) is beyond any package: `improve` said only that no change
    # of at most two terms helped, as if one of three might; `frontier` and `solve` say why.
    offer = mini.parent / "xb-offer.yaml"
    offer.write_text(
        "partner: XB\nside: offer\nsecurity: kyc\n"
        "compute: {2026: 50_000, 2027: 50_000}\nconcessions: {align: true}\n"
    )
    why = (
        "Why no deal with XB, as `solve` says it: no package XB accepts fits the limits: XB's "
        "acceptance needs $48.25bn more than any package within the limits gives (its "
        "walk-away value plus the required margin is $50.05bn); no change of limits opens a "
        "deal."
    )
    done = run("improve", offer, "--portfolio", mini)
    assert done.exit_code == 0, done.output
    said = " ".join(done.stdout.split())
    assert said.endswith(
        "No change of at most two terms leaves both sides better off with XB accepting and "
        f"every limit kept. {why}"
    )
    data = json.loads(run("improve", offer, "--portfolio", mini, "--json").stdout)
    assert data["improvements"] == []
    assert data["none_found"].endswith(why)
    # A partner some package satisfies: no such sentence, and none in the JSON when found.
    xa = mini.parent / "xa-offer.yaml"
    xa.write_text(
        "partner: XA\nside: offer\nsecurity: veu\n"
        "compute: {2026: 150_000, 2027: 150_000}\nconcessions: {invest-us: 100bn}\n"
    )
    assert (
        json.loads(run("improve", xa, "--portfolio", mini, "--json").stdout)["none_found"] is None
    )
