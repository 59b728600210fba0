"""The terms every internal document and command uses, each defined once.

Memos and internal annexes print this list, each the terms it uses (`used`); the CLI's
tables use the same names. A term is spelt the same everywhere (`US utility`, never `US
value` in one place and `V` in another).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dealbench.list_words import and_list

if TYPE_CHECKING:
    from dealbench.model.policy import Policy

GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "H100e",
        "H100-equivalents: compute counted in units of one NVIDIA H100 by total processing "
        "performance (1 H100e = 15,832 TPP).",
    ),
    (
        "US utility",
        "What a deal is worth to the United States: the US value of concessions plus the export "
        "value, less the risk penalty.",
    ),
    (
        "US value of concessions",
        "What the Partner's commitments (investment, purchases, alignment, security) are worth "
        "to the United States.",
    ),
    ("Export value", "What the exported compute earns the United States, per H100e delivered."),
    (
        "Risk penalty",
        "The expected cost of diversion: risk-weighted H100e times the regime's penalty per H100e.",
    ),
    (
        "Risk-weighted H100e",
        "Delivered H100e times the Partner's diversion-risk index, less what the security "
        "conditions mitigate.",
    ),
    (
        "Diversion-risk index",
        "A score from 0 to 1 of how exposed a partner is to diversion (demand, rule of law, "
        "alignment, ties); an index for weighing compute, not a probability.",
    ),
    (
        "Partner utility",
        "What a deal is worth to the Partner: the value of the compute, less the cost of its "
        "commitments and of the security conditions.",
    ),
    (
        "Walk-away value",
        "What a side has without a deal (its BATNA). The Partner accepts only a partner utility "
        "at least its walk-away value plus the required margin; the United States gains only "
        "what its US utility exceeds its own walk-away value.",
    ),
    (
        "Required margin",
        "How much more than its walk-away value the Partner must gain before it signs.",
    ),
    (
        "Partner margin",
        "What the partner utility exceeds the Partner's walk-away value plus the required "
        "margin (not the walk-away value alone, as the US margin is); below zero, the Partner "
        "would not accept.",
    ),
    (
        "Shadow price",
        "What one more unit of a limit (a period's supply, the risk budget, a partner's cap) "
        "is worth to the United States with the deals, security levels and concessions held "
        "fixed. It holds only within a range, which each price gives.",
    ),
)

#: The terms only a comparison of regimes uses (its memo's table and the CLI's).
COMPARISON_TERMS: tuple[tuple[str, str], ...] = (
    (
        "Partner surplus",
        "What the partners with a deal gain over their walk-away values, summed (the required "
        "margin not deducted); partners without a deal add nothing.",
    ),
)


def glossary(policy: Policy | None = None, options: Sequence[Policy] = ()) -> list[dict[str, Any]]:
    """The terms, and with `policy` its security levels: the tables name a deal's level
    by its id (`veu`), which a reader finds here with its title. With `options` (the
    regimes of a comparison), each option's levels, options with the same levels
    together: the same id may name other conditions under another regime; and the terms
    only a comparison uses (`COMPARISON_TERMS`)."""
    defined = (*GLOSSARY, *COMPARISON_TERMS) if options else GLOSSARY
    terms: list[dict[str, Any]] = [{"term": t, "meaning": m} for t, m in defined]
    lead = "The conditions a deal sets, weakest first, as the tables name them"
    named: dict[str, list[str]] = {}  # the levels in words -> the options that have them
    level_ids: set[str] = set()  # a table names a level by its id alone ("veu")
    for each in options or ([policy] if policy is not None else []):
        if each.security_levels:
            levels = "; ".join(f"{level.id}: {level.title}" for level in each.security_levels)
            named.setdefault(levels, []).append(each.id)
            level_ids.update(level.id for level in each.security_levels)
    said = sorted(level_ids)  # the entry is used where an id is (`used`)
    if len(named) == 1:
        terms.append(
            {"term": "Security levels", "meaning": f"{lead} ({next(iter(named))}).", SAID: said}
        )
    elif named:
        each_own = " ".join(f"{and_list(ids)}: {levels}." for levels, ids in named.items())
        meaning = f"{lead}; each option has its own. {each_own}"
        terms.append({"term": "Security levels", "meaning": meaning, SAID: said})
    return terms


#: What else says a term is used: a walk-away value by its other name. An entry's own
#: `SAID` key adds its words (the security levels' ids), and `used` drops the key.
ALSO_SAID = {"Walk-away value": ("BATNA",)}
SAID = "said"


def _said(name: str) -> re.Pattern[str]:
    """`name` as a document writes it, in any case, one or many: "walk-away values",
    "US utilities", "Security level"."""
    words = re.escape(name.lower()).split(r"\ ")
    last = words[-1]
    if last.endswith("y"):
        last = f"{last[:-1]}(?:y|ies)"
    elif last.endswith("s"):
        last = f"{last[:-1]}s?"
    else:
        last = f"{last}s?"
    return re.compile(r"(?<![\w-])" + r"\s+".join([*words[:-1], last]) + r"(?![\w-])", re.I)


def used(terms: Sequence[dict[str, Any]], text: str) -> list[dict[str, str]]:
    """The `terms` `text` (a document without its glossary) uses, in their order: a glossary
    defines its document's terms. Every term was printed whatever the document said: the
    memo of a portfolio with no deal defined the export value, the risk penalty and the
    partner margin, which it never named."""
    out = []
    for t in terms:
        names = (t["term"], *ALSO_SAID.get(t["term"], ()), *t.get(SAID, ()))
        if any(_said(name).search(text) for name in names):
            out.append({"term": t["term"], "meaning": t["meaning"]})
    return out
