"""A portfolio file reached through a link reads every file from the folder the link is
in: its partners and policy (as the loader does), and also its rounds and the regimes
named beside it. The rounds went beside the link's target, another team's folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dealbench import load_portfolio
from dealbench.model.regimes import find_regime
from dealbench.negotiate.rounds.negotiation import rounds_root
from helpers import REPO


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """`ours/portfolios/gulf-asia.yaml`, a link to theirs; each folder has its own
    partners and policies (ours: a tiered regime of its own title)."""
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    shutil.copytree(REPO / "deals", theirs, ignore=shutil.ignore_patterns("rounds"))
    shutil.copytree(REPO / "deals", ours, ignore=shutil.ignore_patterns("rounds", "portfolios"))
    tiered = ours / "policy/tiered.yaml"
    tiered.write_text(tiered.read_text().replace("title: ", "title: Ours, ", 1))
    (ours / "portfolios").mkdir()
    link = ours / "portfolios/gulf-asia.yaml"
    link.symlink_to(theirs / "portfolios/gulf-asia.yaml")
    return link


def test_a_linked_portfolio_keeps_its_rounds_where_it_reads_its_partners(linked: Path) -> None:
    pf = load_portfolio(linked)
    ours = linked.parent.parent
    assert rounds_root(linked, pf) == ours.resolve() / "rounds" / pf.id
    assert find_regime("tiered", linked).title.startswith("Ours, ")
