"""A relaxation's sentences: a limit raised ("raise WHAT from LIMIT to ..."), a `requires` or
`excludes` let go, and the name of what a partner's acceptance is measured against."""

from __future__ import annotations

import math
import re

from dealbench.figures import h100e
from dealbench.model.partner import Partner
from dealbench.model.portfolio import Portfolio
from dealbench.optimize.explain.data import Relaxation
from dealbench.optimize.formulation import Row


def threshold_name(margin: float) -> str:
    """What a partner's acceptance is measured against: its walk-away value, plus the
    policy's required margin when there is one (the sum is not its walk-away value)."""
    return "walk-away value plus the required margin" if margin else "walk-away value"


#: What the slack solve may leave above a whole amount by its tolerances (H100e): not a
#: unit more to raise.
RAISE_NOISE = 1e-3


def limit_raised(
    kind: str,
    what: str,
    limit: float,
    extra: float,
    unit: str,
    period: str | None = None,
    level: str | None = None,
    partner: str | None = None,
    held: float = 0.0,
) -> Relaxation:
    """A compute or risk limit to raise by `extra`: "raise WHAT from LIMIT to LIMIT+EXTRA UNIT".

    `held`: what deals held outside the portfolio take of the limit (`Portfolio.held_risk`,
    `held_supply`); the limit is then named whole, with what they leave of it."""
    whole = limit + held
    left = f" ({h100e(limit)} of it left beside the deals held)" if held > 0.5 else ""
    # The new limit is said in whole units, rounded up: to the nearest, a raise of 98,583.3
    # read "to 318,583", a third of an H100e short of what the packages found need (and
    # with every partner at its walk-away value, a third of one can cost a concession).
    raised = math.ceil(whole + extra - RAISE_NOISE)
    return Relaxation(
        kind,
        f"raise {what} from {h100e(whole)} to {h100e(raised)} {unit}{left}",
        partner=partner,
        period=period,
        level=level,
        limit=whole,
        amount=extra,
    )


def logic_words(pf: Portfolio, kind: str, name: str, row: Row) -> Relaxation:
    code, cid = row.partner or "", row.concession or ""
    if kind == "requires-security":
        return Relaxation(
            "requires",
            f"let {code} grant {cid!r} under a security level weaker than {row.level}",
            partner=code,
            level=row.level,
        )
    p = pf.partner(code)
    other = "another concession"
    if p is not None and kind == "requires":
        concession = p.concession(cid)
        for i, req in enumerate(concession.requires if concession else []):
            if isinstance(req, str) and _safe(f"requires_{code}_{cid}_{i}") == name:
                other = repr(req)
        return Relaxation("requires", f"let {code} grant {cid!r} without {other}", partner=code)
    if p is not None:
        for a, b in _pairs(p):
            if _safe(f"excludes_{code}_{a}_{b}") == name:
                cid, other = a, repr(b)
    return Relaxation("excludes", f"let {code} grant {cid!r} together with {other}", partner=code)


def _pairs(p: Partner) -> list[tuple[str, str]]:
    return sorted({(min(c.id, o), max(c.id, o)) for c in p.concessions for o in c.excludes})


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)
