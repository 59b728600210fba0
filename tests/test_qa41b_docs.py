"""The documents, session 41 (qa41b-docs): three faults qa41-docs left. Each test failed
before its fix (docs/decisions.md, "Session 41 (qa41b-docs)")."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from dealbench.figures import usd_change
from dealbench.render.filters import printed_usd
from helpers import Runner


def test_a_counters_memo_says_a_change_that_is_the_difference_of_its_figures(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`render .../AE/004-partner.yaml --doc deal-memo --against .../AE/003-us.yaml` said
    "it is $271.4m better for the United States (US utility $78.25bn against $77.98bn)":
    the two differ by $270m as printed. Each side's change is now printed as every change
    beside its two figures is (`figures.usd_change`): the difference of the figures as
    printed, to their last digit, with more decimals only where that is not the change
    rounded ($270m, the figures as `usd` prints them; never "$271.400m" beside
    "$78.2480bn")."""
    rounds = shipped / "rounds/gulf-asia/AE"
    out = tmp_path / "memo.md"
    done = run(
        "render", rounds / "004-partner.yaml", "--portfolio", shipped / "portfolios/gulf-asia.yaml",
        "--doc", "deal-memo", "--against", rounds / "003-us.yaml", "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    text = out.read_text("utf-8")
    said = re.findall(
        r"(\$[\d.,]+[a-z]*) (better|worse) for [^(]+\((?:US|partner) utility "
        r"(\$[\d.,]+[a-z]*) against (\$[\d.,]+[a-z]*)\)",
        text,
    )
    assert len(said) == 2, text
    for change, way, new, old in said:
        sign = 1 if way == "better" else -1
        assert printed_usd(new) - printed_usd(old) == sign * printed_usd(change), (change, new)
    assert "$270m better for the United States (US utility $78.25bn against $77.98bn)" in text
    # The rule adds decimals only where the change rounded is not the difference as printed.
    assert usd_change(78_248e6, 73_974_240_000.0) == ("$78.248bn", "$73.974bn", "-$4.274bn")
    assert usd_change(78_248e6, 78_262e6) == ("$78.248bn", "$78.262bn", "+$14m")
    assert usd_change(1.2e12, 1.3e12) == ("$1.20tn", "$1.30tn", "+$100bn")


def test_the_deal_memos_value_chart_names_its_bars_as_its_table_and_glossary(
    run: Runner, shipped: Path, tmp_path: Path
) -> None:
    """`render deals/packages/ae-offer.yaml --doc deal-memo`: Figure 2 labelled its bars
    "Commitments" and "Exports" (its caption "its parts: commitments and exports", its
    text alternative "Commitments $85.00bn, Exports $13.60bn"), where the valuation table
    and the glossary say "US value of concessions" and "Export value". Every bar is now
    named by a term of the glossary, in the chart, its caption and its text alternative."""
    out = tmp_path / "memo"
    done = run(
        "render", shipped / "packages/ae-offer.yaml",
        "--portfolio", shipped / "portfolios/gulf-asia.yaml",
        "--doc", "deal-memo", "--format", "md,json", "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    memo = next(p for p in out.rglob("*.json") if not p.name.startswith("."))
    doc = json.loads(memo.read_text("utf-8"))
    terms = {g["term"] for g in doc["glossary"]}
    (chart,) = [c for c in doc["charts"] if c["kind"] == "value-build"]
    labels = [row["label"] for row in chart["data"]["rows"]]
    assert labels == ["US value of concessions", "Export value", "Risk penalty", "US utility"]
    assert set(labels) <= terms
    md = memo.with_suffix(".md").read_text("utf-8")
    assert "| US value of concessions | $85.00bn |" in md and "| Export value | $13.60bn |" in md
    assert (
        "![Bar chart of the deal's US utility and its parts: US value of concessions $85.00bn, "
        "Export value $13.60bn, Risk penalty -$9.59bn and US utility $89.01bn.]" in md
    )
    assert "its parts: the US value of concessions and the export value, less the" in md
    svg = next(out.rglob("*-value.svg")).read_text("utf-8")
    assert ">US value of concessions<" in svg and ">Export value<" in svg
    assert ">Commitments<" not in svg and ">Exports<" not in svg


def test_one_sample_is_said_in_the_singular_wherever_samples_are_counted(
    run: Runner, shipped: Path, client: Any
) -> None:
    """`risk deals/packages/ae-offer.yaml --portfolio .../gulf-asia-uncertain.yaml
    --samples 1` printed "AE under veu, 1 samples (seed 0)"; the web's risk page, its
    histograms' text alternatives, the job page of a robust solve, `solve --robust`,
    `diff` and the documents built the phrase each their own way. They now count with
    the one rule (`list_words.plural`)."""
    portfolio = shipped / "portfolios/gulf-asia-uncertain.yaml"
    one = run(
        "risk", shipped / "packages/ae-offer.yaml", "--portfolio", portfolio, "--samples", "1"
    )
    assert one.exit_code == 0, one.stderr
    assert one.stdout.splitlines()[0] == "AE under veu, 1 sample (seed 0)"
    many = run("risk", shipped / "packages/ae-offer.yaml", "--portfolio", portfolio)
    assert re.match(r"AE under veu, [\d,]+ samples \(seed 0\)$", many.stdout.splitlines()[0])
    page = client.get(
        "/p/gulf-asia-uncertain/risk",
        params={"package": "packages/ae-offer.yaml", "samples": "1", "seed": "0"},
    ).text
    assert "AE under veu, 1 sample (seed 0)</h2>" in page
    assert " 1 samples" not in page
