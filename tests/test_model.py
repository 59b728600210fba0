"""Loading data files: units converted on load, and the rules of docs/decisions.md."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dealbench.errors import InputError
from dealbench.model import (
    GRANTED,
    Package,
    detect_kind,
    load_package,
    load_partner,
    load_policy,
    load_portfolio,
    validate_file,
)
from dealbench.model.yamlio import read_yaml

DATA = Path(__file__).resolve().parent / "data"
BASE = DATA / "bad" / "_base"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A portfolio over 2026Q1 and 2026Q2 with a policy and one partner, in tmp_path."""
    write(
        tmp_path,
        "policy.yaml",
        """
        id: p
        title: Test regime
        security_levels:
          - {id: baseline, title: Baseline, mitigation: 0}
          - {id: kyc, title: KYC, mitigation: 0.5}
        caps:
          tier2: {baseline: {tpp: 790_000_000}}
        export_value_per_h100e: 8k
        risk_penalty_per_h100e: "120_000"
        risk_budget: 40_000
        """,
    )
    write(
        tmp_path,
        "aa.yaml",
        """
        code: AA
        name: Alphaland
        tier: "2"
        diversion_risk: 0.3
        ask: {2026Q1: {chips: 35_000, model: GB300}}
        value_per_h100e: $30k
        batna: 2bn
        us_batna: -5bn
        security_costs: {baseline: 0, kyc: "300_000_000"}
        concessions:
          - id: invest
            title: Investment
            levels:
              - {id: 200bn, title: USD 200bn, us_value: 20bn, partner_cost: 6bn}
          - {id: no-prc, title: No PRC hardware, us_value: 5bn, partner_cost: 3bn}
        """,
    )
    write(
        tmp_path,
        "portfolio.yaml",
        """
        id: q
        title: Quarters
        policy: policy.yaml
        periods: [2026Q1, 2026Q2]
        supply: {2026Q1: "400_000", 2026Q2: {tpp: 1_583_200_000}}
        partners: [aa.yaml]
        """,
    )
    return tmp_path


def test_units_are_converted_on_load(files: Path) -> None:
    pf = load_portfolio(files / "portfolio.yaml")
    aa = pf.partners[0]
    assert aa.tier == 2
    assert aa.ask == {"2026Q1": pytest.approx(35_000 * 40_000 / 15_832)}
    assert aa.value_per_h100e == 30_000
    assert aa.batna == 2e9
    assert aa.us_batna == -5e9
    assert aa.security_costs == {"baseline": 0, "kyc": 3e8}
    assert pf.policy.risk_penalty_per_h100e == 120_000
    assert pf.supply == {"2026Q1": 400_000, "2026Q2": pytest.approx(100_000)}
    assert pf.periods == ["2026Q1", "2026Q2"]
    assert pf.risk_budget == 40_000


def test_a_period_without_an_ask_is_an_ask_of_zero(files: Path) -> None:
    pf = load_portfolio(files / "portfolio.yaml")
    aa = pf.partners[0]
    assert pf.ask(aa, "2026Q2") == 0
    assert pf.cap(aa, "kyc", "2026Q2") == 0


def test_caps(files: Path) -> None:
    """tier2 baseline: 790M TPP = 49,899 H100e a year (the policy's `caps_per` default), so
    a quarter of it in each quarter of this portfolio (docs/reliability.md, "Units of time");
    kyc is missing from tier2: uncapped (the ask)."""
    pf = load_portfolio(files / "portfolio.yaml")
    aa = pf.partners[0]
    assert load_policy(files / "policy.yaml").caps.cap(2, "baseline") == pytest.approx(
        790_000_000 / 15_832
    )
    assert pf.policy.caps.cap(2, "baseline") == pytest.approx(790_000_000 / 15_832 / 4)
    assert pf.policy.caps.cap(2, "kyc") is None
    assert pf.cap(aa, "baseline", "2026Q1") == pytest.approx(790_000_000 / 15_832 / 4)
    assert pf.cap(aa, "kyc", "2026Q1") == pytest.approx(aa.ask["2026Q1"])
    # tier 1 is missing from caps: uncapped; tier 3 defaults to 0
    assert pf.policy.caps.cap(1, "baseline") is None
    assert pf.policy.caps.cap(3, "kyc") == 0


def test_tier3_gets_nothing_whatever_the_caps_say(files: Path) -> None:
    text = (files / "aa.yaml").read_text().replace('tier: "2"', "tier: 3")
    (files / "aa.yaml").write_text(text)
    pf = load_portfolio(files / "portfolio.yaml")
    assert pf.cap(pf.partners[0], "kyc", "2026Q1") == 0
    assert pf.cap(pf.partners[0], "baseline", "2026Q1") == 0


def test_a_portfolio_risk_budget_overrides_the_policy(files: Path) -> None:
    path = files / "portfolio.yaml"
    path.write_text(path.read_text() + "risk_budget: 1_000\n")
    assert load_portfolio(path).risk_budget == 1_000


def test_yes_no_concessions_have_one_option(files: Path) -> None:
    aa = load_partner(files / "aa.yaml")
    no_prc = aa.concession("no-prc")
    assert no_prc is not None and no_prc.is_yes_no
    assert [o.id for o in no_prc.options] == [GRANTED]
    assert no_prc.options[0].us_value == 5e9
    invest = aa.concession("invest")
    assert invest is not None and not invest.is_yes_no
    assert [o.id for o in invest.options] == ["200bn"]
    assert aa.concession("nothing") is None


def test_levels_the_partner_can_meet_in_policy_order(files: Path) -> None:
    pf = load_portfolio(files / "portfolio.yaml")
    assert pf.levels_for(pf.partners[0]) == ["baseline", "kyc"]
    assert pf.policy.rank("kyc") > pf.policy.rank("baseline")


def test_packages(files: Path) -> None:
    write(
        files,
        "offer.yaml",
        """
        partner: AA
        security: kyc
        compute: {2026Q1: 10_000}
        concessions: {invest: 200bn, no-prc: true}
        date: 2026-03-01
        """,
    )
    pf = load_portfolio(files / "portfolio.yaml")
    package = load_package(files / "offer.yaml", pf)
    assert package.granted() == {"invest": "200bn", "no-prc": GRANTED}
    assert package.compute == {"2026Q1": 10_000}
    assert str(package.date) == "2026-03-01"
    assert Package(partner="AA", security="kyc", concessions={"no-prc": False}).granted() == {}


def test_fingerprints_follow_contents_not_the_working_directory(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(files)
    here = load_portfolio("portfolio.yaml")
    monkeypatch.chdir(files.parent)
    there = load_portfolio(files / "portfolio.yaml")
    assert here.fingerprint() == there.fingerprint()
    assert len(here.inputs) == 3
    (files / "aa.yaml").write_text((files / "aa.yaml").read_text().replace("2bn", "3bn"))
    assert load_portfolio(files / "portfolio.yaml").fingerprint() != here.fingerprint()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("policy.yaml", "policy"),
        ("partner.yaml", "partner"),
        ("portfolio.yaml", "portfolio"),
        ("package.yaml", "package"),
    ],
)
def test_kinds_are_detected(name: str, kind: str) -> None:
    assert detect_kind(read_yaml(BASE / name)) == kind
    portfolio = load_portfolio(BASE / "portfolio.yaml") if kind == "package" else None
    assert validate_file(BASE / name, portfolio) == kind


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = (BASE / "partner.yaml").read_text()
    text = text.replace("tier: 2", "tier: 7").replace("batna: 1bn", "batna: lots")
    text = text.replace("{id: large,", "{id: small,")
    path = write(tmp_path, "p.yaml", text)
    with pytest.raises(InputError) as info:
        load_partner(path)
    fields = [issue.field for issue in info.value.issues]
    assert fields == ["tier", "batna"]  # shape errors first; cross-field rules once it parses


def test_messages_name_the_path_as_given_outside_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "p.yaml", "code: AA\n")
    monkeypatch.chdir(DATA)
    with pytest.raises(InputError) as info:
        load_partner(path)
    assert all(issue.file == str(path) for issue in info.value.issues)
    assert info.value.issues[0].line == 1


def test_a_yaml_12_document_with_underscored_strings_loads(tmp_path: Path) -> None:
    """A YAML 1.2 loader reads 200_000 as a string; quoted here to stand in for one."""
    text = (BASE / "policy.yaml").read_text()
    text = text.replace("baseline: 10_000", 'baseline: "10_000"').replace("10k", '"10_000"')
    policy = load_policy(write(tmp_path, "policy.yaml", text))
    assert policy.caps.cap(2, "baseline") == 10_000
    assert policy.export_value_per_h100e == 10_000


def test_ids_written_as_numbers_are_text(tmp_path: Path) -> None:
    text = (BASE / "partner.yaml").read_text().replace("{id: small,", "{id: 2030,")
    partner = load_partner(write(tmp_path, "p.yaml", text))
    invest = partner.concession("invest")
    assert invest is not None
    assert [o.id for o in invest.options] == ["2030", "large"]
    package = Package.model_validate(
        {"partner": "AA", "security": "kyc", "concessions": {"invest": 2030}}
    )
    assert package.granted() == {"invest": "2030"}
