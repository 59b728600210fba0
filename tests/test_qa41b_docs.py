"""The documents, session 41 (qa41b-docs): three faults qa41-docs left. Each test failed
before its fix (docs/decisions.md, "Session 41 (qa41b-docs)")."""

from __future__ import annotations

import re
from pathlib import Path

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
