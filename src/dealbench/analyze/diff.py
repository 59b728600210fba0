"""What changed between two results (two `result.json` files), partner by partner.

Both results carry the figures `check` recomputed, so the differences are
between checked figures: deals gained or lost, security levels, compute per
period, concessions granted, dropped or changed, and each side's value and risk.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dealbench.analyze.packages import concession_changes
from dealbench.arguments import given_briefly
from dealbench.checker import DealFigures
from dealbench.errors import ArgumentError
from dealbench.figures import h100e, quantity, shown
from dealbench.list_words import plural
from dealbench.model.rounds import walked_away_words
from dealbench.optimize import SolveResult
from dealbench.optimize.result import a_result, load_result
from dealbench.units import share_percent

__all__ = ["PartnerDiff", "ResultDiff", "diff_results", "load_result", "usd_pair"]

TOL_USD = 1e4


class PartnerDiff(BaseModel):
    model_config = ConfigDict(frozen=True)

    partner: str
    change: str = Field(
        description="gained | lost | changed | same | none (no deal in either) | "
        "only-a | only-b (a partner of one result's portfolio, not of the other's)"
    )
    changes: list[str] = Field(default_factory=list, description="In plain words")
    compute: dict[str, list[float]] = Field(default_factory=dict, description="period -> [a, b]")
    us_value: list[float | None]
    partner_utility: list[float | None]
    risk: list[float]


class ResultDiff(BaseModel):
    model_config = ConfigDict(frozen=True)

    a: str
    b: str
    notes: list[str] = Field(default_factory=list, description="Portfolio, regime, mode")
    us_value: list[float | None]
    partner_total: list[float | None]
    risk_total: list[float]
    supply_used: dict[str, list[float]]
    partners: list[PartnerDiff]

    @property
    def changed(self) -> list[PartnerDiff]:
        return [p for p in self.partners if p.change not in ("same", "none")]

    @property
    def totals(self) -> str:
        """`diff`'s line of totals, as both shells print it: `usd_pair`, so two US values
        that differ never read the same; each risk as the documents and `compare` print
        it, the exact total rounded (`figures.exact_total`)."""
        a, b = (quantity(x) for x in self.risk_total)
        return f"US utility: {usd_pair(*self.us_value)}; risk {a} -> {b} risk-weighted H100e"


def _robust(result: SolveResult) -> str:
    """How the packages were made: at the means, or robust to a share of samples."""
    made = result.robust
    if made is None:
        return "packages at the means"
    return (
        f"robust to {share_percent(made.level)} of {plural(made.samples, 'sample')} (seed {made.seed}"
        f"{'' if made.reached else ', not reached'})"
    )


def _rounds(result: SolveResult) -> str:
    """What a re-plan from rounds fixed and excluded, or `none` (a plain solve)."""
    made = result.rounds
    if made is None:
        return "none (a plain solve)"
    concluded = [f"{c} concluded (round {n})" for c, n in made.concluded.items()]
    walked = [walked_away_words(c, made.walked_away_by.get(c)) for c in made.walked_away]
    return ", ".join([*concluded, *walked]) or "none concluded or walked away"


def _data_digest(result: SolveResult) -> str | None:
    """The digest of the data files a result was solved from (None: not recorded)."""
    if result.rounds is None:
        return result.fingerprint
    return result.rounds.inputs or None


def _overrides(result: SolveResult) -> str:
    """The overrides a result was solved under, as `--set` takes them, or `none`."""
    return ", ".join(result.overrides) if result.overrides else "none"


def diff_results(
    a: SolveResult, b: SolveResult, labels: tuple[str, str] = ("A", "B")
) -> ResultDiff:
    """What changed from result `a` to result `b` (`load_result` reads a result.json):
    US value, partners' total and risk (USD; risk-weighted H100e), and partner by partner
    who gains or loses a deal, its compute (H100e) and concessions."""
    a, b = a_result(a, "a"), a_result(b, "b")
    if not (isinstance(labels, tuple | list) and len(labels) == 2) or not all(
        isinstance(label, str) for label in labels
    ):
        raise ArgumentError(
            "labels", f"expected two labels, such as ('A', 'B'), got {given_briefly(labels)}"
        )
    notes = []
    if a.portfolio != b.portfolio:
        notes.append(f"different portfolios: {a.portfolio} and {b.portfolio}")
    if a.policy != b.policy:
        notes.append(f"regime {a.policy} -> {b.policy}")
    if a.mode != b.mode:
        notes.append(f"mode {a.mode} -> {b.mode}")
    # The same inputs, packages made to hold in samples: how they were made, not what that
    # cost or how they fare in fresh samples (those follow from the inputs).
    if _robust(a) != _robust(b):
        notes.append(f"{_robust(a)} -> {_robust(b)}")
    if _rounds(a) != _rounds(b):  # a re-plan from rounds (`solve --rounds`) against another
        notes.append(f"rounds {_rounds(a)} -> {_rounds(b)}")
    if a.overrides != b.overrides:
        notes.append(f"overrides {_overrides(a)} -> {_overrides(b)}")
    elif a.portfolio == b.portfolio and a.policy == b.policy:
        # A re-plan's fingerprint covers its round files too: the data files' own digest
        # is recorded beside it (`rounds.inputs`).
        data_a, data_b = _data_digest(a), _data_digest(b)
        if data_a is not None and data_b is not None and data_a != data_b:
            notes.append("the inputs differ (another version of a file)")
        elif _rounds(a) == _rounds(b) and a.rounds is not None and a.fingerprint != b.fingerprint:
            notes.append("the rounds differ (another version of a round file)")
    codes = list(dict.fromkeys([*_codes(a), *_codes(b)]))
    periods = list(dict.fromkeys([*a.periods, *b.periods]))
    return ResultDiff(
        a=labels[0],
        b=labels[1],
        notes=notes,
        us_value=[a.us_value, b.us_value],
        partner_total=[a.partner_total, b.partner_total],
        risk_total=[a.risk_total, b.risk_total],
        supply_used={t: [a.supply_used.get(t, 0.0), b.supply_used.get(t, 0.0)] for t in periods},
        partners=[_partner(code, a, b, periods) for code in codes],
    )


def _codes(result: SolveResult) -> list[str]:
    return [*(d.partner for d in result.deals), *result.no_deal]


def _only_in(side: str, portfolio: str, other: str, held: str) -> str:
    """A partner of result `side`'s portfolio that the other result's lacks, in words. Two
    versions of one portfolio (a partner taken out of the file) are told apart by the
    results' letters: "not a partner of portfolio gulf-asia; in gulf-asia: a deal" said
    both at once of the same name."""
    if portfolio == other:
        this, that = side.upper(), "B" if side == "a" else "A"
        return f"not a partner of portfolio {other} in {that}; in {this}: {held}"
    return f"not a partner of portfolio {other}; in {portfolio}: {held}"


def _partner(
    code: str, result_a: SolveResult, result_b: SolveResult, periods: list[str]
) -> PartnerDiff:
    a, b = result_a.deal(code), result_b.deal(code)
    compute = {
        t: [a.compute.get(t, 0.0) if a else 0.0, b.compute.get(t, 0.0) if b else 0.0]
        for t in periods
    }
    head = {
        "partner": code,
        "compute": compute,
        "us_value": [a.us_value if a else None, b.us_value if b else None],
        "partner_utility": [a.partner_utility if a else None, b.partner_utility if b else None],
        "risk": [a.risk if a else 0.0, b.risk if b else 0.0],
    }
    # A partner of one portfolio only neither gains nor loses a deal: it was not negotiated
    # with in the other (a diff of gulf-asia against global said JP "gains a deal").
    for side, result, deal, other in (("a", result_a, a, result_b), ("b", result_b, b, result_a)):
        if code not in _codes(other):
            held = f"a deal ({_terms(deal)})" if deal else "no deal"
            words = _only_in(side, result.portfolio, other.portfolio, held)
            return PartnerDiff(**head, change=f"only-{side}", changes=[words])
    if a is None and b is None:
        return PartnerDiff(**head, change="none")
    if a is None:
        assert b is not None
        return PartnerDiff(**head, change="gained", changes=[f"gains a deal: {_terms(b)}"])
    if b is None:
        return PartnerDiff(**head, change="lost", changes=[f"loses its deal ({_terms(a)})"])
    changes = []
    if a.security != b.security:
        changes.append(f"security {a.security} -> {b.security}")
    # Compute and risk are said where they differ as printed (`shown`): a move of 0.54
    # risk-weighted H100e (SG's 6,253.2 -> 6,252.66 between two regimes) read "risk 6,253
    # -> 6,253", a change that says none.
    for t, (x, y) in compute.items():
        if shown(x) != shown(y):
            # The change as the two figures print (`shown`): below 100 H100e to the
            # hundredth, so 0.4 -> 0.8 is "+0.4", never a whole "+0" (or "+1" for 0.4 -> 0.6).
            change = h100e(float(shown(y) - shown(x)), signed=True)
            changes.append(f"{t} compute {quantity(x)} -> {quantity(y)} H100e ({change})")
    old, new = a.concessions, b.concessions
    changes += concession_changes(old, new, dict.fromkeys([*old, *new]), _one)
    if abs(a.us_value - b.us_value) > TOL_USD:
        changes.append(f"US utility {usd_pair(a.us_value, b.us_value)}")
    if abs(a.partner_utility - b.partner_utility) > TOL_USD:
        changes.append(f"partner utility {usd_pair(a.partner_utility, b.partner_utility)}")
    if shown(a.risk) != shown(b.risk):
        changes.append(f"risk {quantity(a.risk)} -> {quantity(b.risk)} risk-weighted H100e")
    return PartnerDiff(**head, change="changed" if changes else "same", changes=changes)


def _terms(d: DealFigures) -> str:
    parts = [d.security, f"{quantity(d.total_compute)} H100e"]
    parts += [_one(c, v) for c, v in d.concessions.items()]
    return ", ".join(parts)


def _one(cid: str, level: str | bool) -> str:
    return cid if level is True else f"{cid}={level}"


def usd_pair(a: float | None, b: float | None) -> str:
    """`$9.73bn -> $9.7301bn`: two figures that differ never read the same."""
    from dealbench.figures import usd

    if a is None or b is None:
        return f"{usd(a)} -> {usd(b)}"
    return f"{usd(a, apart=b)} -> {usd(b, apart=a)}"
