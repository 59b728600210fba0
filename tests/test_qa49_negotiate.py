"""Session 49 (qa49-negotiate): negotiating with a portfolio written from the reference
facts (docs/decisions.md, "Session 49 (qa49-negotiate)")."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import REPO, Runner

#: Türkiye (reference §6): a concession `kyc` shares the id of the security level `kyc`.
TURKIYE = """code: TR
name: Türkiye
tier: 2
diversion_risk: 0.39
ask: {2026: 20_000, 2027: 20_000}
value_per_h100e: 25k
batna: 150m
security_costs: {baseline: 0, kyc: 40m}
concessions:
  - {id: russia-controls, title: Controls against diversion to Russia, us_value: 500m,
     partner_cost: 200m}
  - {id: kyc, title: Know-your-customer screening of compute users, us_value: 200m,
     partner_cost: 60m, requires: [{security: kyc}]}
  - {id: us-operator, title: Data centres operated by US firms, us_value: 300m,
     partner_cost: 250m, excludes: [local-champion]}
  - {id: local-champion, title: A national champion operates the data centres,
     us_value: 100m, partner_cost: 20m}
"""

PORTFOLIO = """id: anatolia
title: Türkiye, 2026-2027
policy: ../policy/bilateral.yaml
periods: [2026, 2027]
supply: {2026: 90_000, 2027: 110_000}
partners: [../partners/tr.yaml]
"""


def test_a_verdicts_frontier_says_the_level_apart_from_a_concession_of_its_id(
    tmp_path: Path, run: Runner
) -> None:
    """`counter` on a Turkish counter said the frontier's package was "with kyc,
    russia-controls, kyc, local-champion": the security level and a concession of the
    same id side by side, one list. The level is now said apart: "under kyc with
    russia-controls, kyc, local-champion"."""
    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals, ignore=shutil.ignore_patterns("rounds"))
    (deals / "partners/tr.yaml").write_text(TURKIYE, encoding="utf-8")
    portfolio = deals / "portfolios/anatolia.yaml"
    portfolio.write_text(PORTFOLIO, encoding="utf-8")
    counter = tmp_path / "tr-counter.yaml"
    counter.write_text(
        "partner: TR\nside: counter\nsecurity: kyc\ncompute: {2026: 20_000, 2027: 20_000}\n"
        "concessions: {russia-controls: true, us-operator: true, local-champion: true}\n",
        encoding="utf-8",
    )
    said = run("counter", portfolio, counter, "--no-documents")
    assert said.exit_code == 0, said.output
    text = " ".join(said.output.split())
    assert "under kyc with russia-controls, kyc, local-champion, compute 2026" in text
    assert "with kyc," not in text
