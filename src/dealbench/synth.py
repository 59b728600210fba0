"""Seeded synthetic portfolios with the structure of the real data, at named sizes.

`generate("M", seed=1)` returns a validated `Portfolio`; `write_yaml` writes any
portfolio out as policy, partner and portfolio files that `load_portfolio`
reads back, so loading and validation can be timed and fuzzed too.

The shape follows `deals/`: three to four security levels with growing
mitigation and tier 2 caps that they unlock; tiers 1–3 with a few tier 3
partners; concave piecewise values; concessions with several levels, some
yes/no, some requiring a security level or another concession, some excluding
each other; and supply and a risk budget set below what the partners ask, so
both bind. Sizes are partners × concessions per partner × concession levels ×
periods; a size with 4 levels also has 4 security levels.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dealbench.atomic_write import write_atomic
from dealbench.model.partner import Partner
from dealbench.model.policy import Policy
from dealbench.model.portfolio import Portfolio


@dataclass(frozen=True)
class Size:
    name: str
    partners: int
    concessions: int
    levels: int
    periods: int


SIZES: dict[str, Size] = {
    "S": Size("S", 20, 8, 3, 4),
    "M": Size("M", 50, 10, 3, 12),
    "L": Size("L", 200, 20, 3, 12),
    "XL": Size("XL", 200, 40, 4, 20),
}

_LEVELS = [
    ("baseline", "Standard licence conditions", 0.0),
    ("kyc", "Know-your-customer screening and quarterly reporting", 0.5),
    ("veu", "Validated-end-user data centres", 0.9),
    ("sovereign", "US-operated sovereign enclave with hardware attestation", 0.97),
]
_CATEGORIES = ["investment", "purchase", "security", "alignment", "market-access", "other"]


def size_of(size: str | Size) -> Size:
    if isinstance(size, Size):
        return size
    try:
        return SIZES[size.upper()]
    except KeyError:
        raise ValueError(f"unknown size {size!r}; expected one of: {', '.join(SIZES)}") from None


def periods_for(n: int) -> list[str]:
    """Years 2026… for up to six periods, else quarters 2026Q1…."""
    if n <= 6:
        return [str(2026 + i) for i in range(n)]
    return [f"{2026 + i // 4}Q{i % 4 + 1}" for i in range(n)]


def generate(size: str | Size, seed: int = 0) -> Portfolio:
    """A validated synthetic portfolio; the same size and seed give the same portfolio."""
    spec = size_of(size)
    rng = np.random.default_rng([seed, spec.partners, spec.concessions, spec.levels, spec.periods])
    periods = periods_for(spec.periods)
    policy = Policy.model_validate(_policy(spec, rng))
    partners = [
        Partner.model_validate(_partner(i, spec, periods, policy, rng))
        for i in range(spec.partners)
    ]
    _ensure_tier3(partners, spec)
    supply, budget = _shared_limits(partners, periods, policy)
    label = f"synth/{spec.name}-{spec.partners}x{spec.concessions}x{spec.levels}x{spec.periods}"
    digest = hashlib.sha256(f"{label}/{seed}".encode()).hexdigest()
    return Portfolio(
        id=f"synth-{spec.name.lower()}-{seed}",
        title=f"Synthetic portfolio {spec.name} (seed {seed})",
        policy=policy,
        periods=periods,
        supply=supply,
        partners=partners,
        risk_budget=budget,
        inputs={label: digest},
        partner_files={p.code: f"{label}/{p.code.lower()}.yaml" for p in partners},
    )


def _policy(spec: Size, rng: np.random.Generator) -> dict[str, Any]:
    n_levels = 4 if spec.levels >= 4 else 3
    levels = [{"id": i, "title": t, "mitigation": m} for i, t, m in _LEVELS[:n_levels]]
    per_period = 4.0 if spec.periods > 6 else 1.0  # quarters carry a quarter of a year's cap
    tier2 = {"baseline": 25_000, "kyc": 100_000, "veu": 600_000, "sovereign": 1_500_000}
    caps = {lv["id"]: _round(tier2[str(lv["id"])] / per_period, 100) for lv in levels}
    caps.pop("sovereign", None)  # the strongest level is uncapped, as tier 1 is
    return {
        "id": f"synth-{spec.name.lower()}",
        "title": "Synthetic bilateral regime",
        "security_levels": levels,
        "caps": {"tier1": {}, "tier2": caps, "tier3": 0},
        "caps_per": "quarter" if per_period > 1 else "year",  # as the caps are written
        "export_value_per_h100e": 8_000,
        "risk_penalty_per_h100e": float(_round(rng.uniform(90_000, 130_000), 1_000)),
        "acceptance_margin": 50e6,
    }


def _partner(
    i: int, spec: Size, periods: list[str], policy: Policy, rng: np.random.Generator
) -> dict[str, Any]:
    tier = int(rng.choice([1, 2, 3], p=[0.3, 0.63, 0.07]))
    risk = {1: (0.05, 0.2), 2: (0.2, 0.55), 3: (0.6, 0.9)}[tier]
    per_period = 4.0 if spec.periods > 6 else 1.0
    base = float(np.exp(rng.normal(np.log(250_000), 0.8))) / per_period
    growth = rng.uniform(0.0, 0.25) / per_period
    ask = {t: _round(base * (1 + growth) ** n, 100) for n, t in enumerate(periods)}
    v1 = rng.uniform(30_000, 50_000)
    segments = []
    upto, value = 0.0, v1
    for _ in range(int(rng.integers(1, 4))):
        upto += base * rng.uniform(0.3, 0.9)
        segments.append({"upto": _round(upto, 100), "value": _round(value, 100)})
        value *= rng.uniform(0.4, 0.8)
    levels = policy.level_ids
    costs: dict[str, float] = {"baseline": 0.0}
    scale = base * per_period * 40_000 * len(periods) / per_period / 4  # USD worth of asks
    for n, level in enumerate(levels[1:], start=1):
        if n >= 2 and rng.random() < (0.5 if tier == 1 else 0.2):
            break
        costs[level] = _round(scale * rng.uniform(0.01, 0.05) * n**1.5, 1e6)
    full_value = sum(min(a, segments[-1]["upto"]) for a in ask.values()) * v1 * 0.6
    return {
        "code": _code(i),
        "name": f"Synthland {i + 1}",
        "tier": tier,
        "diversion_risk": round(float(rng.uniform(*risk)), 3),
        "ask": ask,
        "value_per_h100e": segments if len(segments) > 1 else segments[0]["value"],
        "batna": _round(full_value * rng.uniform(0.2, 0.5), 1e6),
        "us_batna": 0.0
        if rng.random() < 0.6
        else -_round(full_value * rng.uniform(0.02, 0.1), 1e6),
        "security_costs": costs,
        "concessions": _concessions(spec, full_value, levels, rng),
    }


def _concessions(
    spec: Size, full_value: float, levels: list[str], rng: np.random.Generator
) -> list[dict[str, Any]]:
    n = spec.concessions
    unit = full_value * 1.2 / (n * spec.levels)  # the whole menu costs a few times the surplus
    out: list[dict[str, Any]] = []
    for c in range(n):
        cost = unit * float(np.exp(rng.normal(0.0, 0.7)))
        ratio = float(np.exp(rng.normal(0.3, 0.45)))
        item: dict[str, Any] = {
            "id": f"c{c + 1:02d}",
            "title": f"Concession {c + 1}",
            "category": _CATEGORIES[int(rng.integers(len(_CATEGORIES)))],
            # the name with its own article, as the shipped clauses write it
            "clause": "{{ partner | in_text(start=True) }} commits to concession "
            + str(c + 1)
            + ".",
        }
        if spec.levels == 1 or rng.random() < 0.25:
            item["us_value"] = _round(cost * ratio, 1e6)
            item["partner_cost"] = _round(cost, 1e6)
        else:
            item["levels"] = [
                {
                    "id": f"l{lv + 1}",
                    "title": f"Level {lv + 1}",
                    "us_value": _round(cost * (lv + 1) ** 1.3 * ratio * rng.uniform(0.8, 1.2), 1e6),
                    "partner_cost": _round(cost * (lv + 1) ** 1.3, 1e6),
                }
                for lv in range(spec.levels)
            ]
        out.append(item)
    _link(out, levels, rng)
    return out


def _link(items: list[dict[str, Any]], levels: list[str], rng: np.random.Generator) -> None:
    """Security requirements, and requires/excludes between disjoint neighbours."""
    c = 0
    while c < len(items):
        roll = rng.random()
        if roll < 0.15:
            items[c]["requires"] = [{"security": levels[int(rng.integers(1, len(levels)))]}]
        elif roll < 0.25 and c + 1 < len(items):
            items[c + 1]["requires"] = [items[c]["id"]]
            c += 1
        elif roll < 0.35 and c + 1 < len(items):
            items[c]["excludes"] = [items[c + 1]["id"]]
            items[c + 1]["excludes"] = [items[c]["id"]]
            c += 1
        c += 1


def _ensure_tier3(partners: list[Partner], spec: Size) -> None:
    """At least one tier 3 partner in portfolios of ten or more (a negative control)."""
    if spec.partners >= 10 and not any(p.tier == 3 for p in partners):
        partners[-1] = partners[-1].model_copy(update={"tier": 3, "diversion_risk": 0.8})


def _shared_limits(
    partners: list[Partner], periods: list[str], policy: Policy
) -> tuple[dict[str, float], float]:
    """Supply at about half of the tier 1–2 asks per period; a risk budget that binds."""
    open_ = [p for p in partners if p.tier < 3]
    supply = {t: _round(0.45 * sum(p.ask.get(t, 0.0) for p in open_), 1_000) for t in periods}
    mid = policy.security_levels[1].mitigation
    risk = sum(p.diversion_risk * (1 - mid) * sum(p.ask.values()) for p in open_)
    return supply, _round(0.12 * risk, 1_000)


def _code(i: int) -> str:
    return chr(65 + (i // 26) % 26) + chr(65 + i % 26)


def _round(value: float, step: float) -> float:
    return float(max(round(value / step), 1) * step)


# --- YAML -----------------------------------------------------------------------------


def write_yaml(portfolio: Portfolio, directory: str | Path) -> Path:
    """Write policy.yaml, partners/*.yaml and portfolio.yaml; return the portfolio's path."""
    root = Path(directory)
    (root / "partners").mkdir(parents=True, exist_ok=True)
    names = []
    for partner in portfolio.partners:
        name = f"partners/{partner.code.lower()}.yaml"
        _dump(partner.model_dump(mode="json", exclude_none=True), root / name)
        names.append(name)
    _dump(portfolio.policy.model_dump(mode="json", exclude_none=True), root / "policy.yaml")
    spec: dict[str, Any] = {
        "id": portfolio.id,
        "title": portfolio.title,
        "policy": "policy.yaml",
        "periods": list(portfolio.periods),
        "supply": dict(portfolio.supply),
        "partners": names,
    }
    if portfolio.risk_budget is not None:
        spec["risk_budget"] = portfolio.risk_budget
    if portfolio.own_granularity is not None:
        spec["granularity"] = portfolio.own_granularity.model_dump(exclude_none=True)
    path = root / "portfolio.yaml"
    _dump(spec, path)
    return path


def _dump(data: Any, path: Path) -> None:
    """One YAML file, replaced atomically (a reader never sees half of it)."""
    write_atomic(path, "".join(_emit(data, "")).encode("utf-8"))


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _emit(data: Any, indent: str) -> list[str]:
    """Block-style YAML for plain dicts, lists and scalars (the subset model dumps hold)."""
    out: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = key if _PLAIN_KEY.match(key) else json.dumps(key)
            out += _item(f"{indent}{name}:", value, indent)
    else:
        for value in data:
            out += _item(f"{indent}-", value, indent, in_list=True)
    return out


def _item(head: str, value: Any, indent: str, in_list: bool = False) -> list[str]:
    if isinstance(value, dict | list) and value:
        if in_list and isinstance(value, dict):
            lines = _emit(value, indent + "  ")
            return [head + " " + lines[0].lstrip(), *lines[1:]]
        return [head + "\n", *_emit(value, indent + "  ")]
    return [f"{head} {_scalar(value)}\n"]


def _scalar(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)
