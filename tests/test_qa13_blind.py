"""An independent reading of DESIGN.md (qa13-blind).

A reference evaluator and brute-force optimizer written from DESIGN.md alone (not
kept here) was run beside the CLI on portfolios written by hand and at random; each
test is the smallest instance of a disagreement that was dealbench's fault.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import DATA, Runner

QA13 = DATA / "qa13blind"


def _copy(tmp_path: Path) -> Path:
    """A copy of the quarterly portfolio and its files, to break one of them."""
    folder = tmp_path / "qa13"
    shutil.copytree(QA13, folder)
    return folder


def test_a_broken_partner_file_does_not_disown_its_deal_by_deal_cap(
    tmp_path: Path, run: Runner
) -> None:
    """A typo in CC's file (a value curve that rises) was reported, and then a second,
    false error: "caps.CC: 'CC' is not a partner of this portfolio; expected one of: DD,
    EE". CC is listed; only its file failed to load, so its code was unknown."""
    folder = _copy(tmp_path)
    cc = folder / "cc.yaml"
    cc.write_text(cc.read_text().replace("value: 60k}", "value: 10k}"))
    r = run("solve", folder / "quarters.yaml")
    assert r.exit_code == 2, r.output
    assert "cc.yaml:8: value_per_h100e[1].value: values must not increase" in r.stderr
    assert "not a partner" not in r.stderr
    # a cap for a partner the portfolio does not list is still refused
    shutil.copy(QA13 / "cc.yaml", cc)
    port = folder / "quarters.yaml"
    port.write_text(port.read_text().replace("caps: {CC:", "caps: {XX:"))
    r = run("solve", port)
    assert r.exit_code == 2, r.output
    assert (
        "caps.XX: 'XX' is not a partner of this portfolio; expected one of: CC, DD, EE" in r.stderr
    )
