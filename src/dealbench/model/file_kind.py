"""What a YAML file is, from its keys: `detect_kind`, and the one-line refusal of a file
of another kind than expected (a solve's result.json among them)."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, Literal, get_args

from pydantic import BaseModel

from dealbench.errors import InputError
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.policy import Policy
from dealbench.model.portfolio import PortfolioFile, ScenarioFile
from dealbench.model.rounds import RoundFile
from dealbench.model.yamlio import Source

Kind = Literal["policy", "partner", "portfolio", "package", "round", "scenarios"]

_RESULT_KEYS = {"status", "deals", "solver"}


def refuse_other_kind(source: Source, expected: Kind) -> None:
    """A file of another kind is named as such in one line, not as a list of unknown fields."""
    not_a_result(source)
    try:
        kind = detect_kind(source)
    except InputError:
        return  # unclear: the fields will say what is wrong
    if kind != expected:
        raise InputError(
            source.issue((), f"this is a {kind} file, expected a {expected} file here")
        )


def not_a_result(source: Source) -> Source:
    """A solve's result.json where a data file is expected, named as such."""
    if set(map(str, source.tree)) >= _RESULT_KEYS:
        raise InputError(
            source.issue(
                (), "this is a solve result (result.json), not a data file; expected a YAML file"
            )
        )
    return source


#: The fields a package gives at its top level and a round file under its `package`.
_PACKAGE_TERMS = {"security", "compute", "concessions"}

#: Each kind of file, the keys that tell it and how a message names them, in the order
#: they are tried: a round names no partner (a package may carry its side and round too),
#: and keeps its terms under `package` (a package whose `partner` is left out still gives
#: them at the top: it was told to move them under `package`, not that partner is missing).
_KIND_KEYS: tuple[tuple[Kind, Callable[[set[str]], bool], str], ...] = (
    (
        "round",
        lambda k: (
            {"round", "side"} <= k
            and "partner" not in k
            and ("package" in k or not k & _PACKAGE_TERMS)
        ),
        "round, side",
    ),
    ("policy", lambda k: "security_levels" in k, "security_levels"),
    ("portfolio", lambda k: {"partners", "periods"} <= k, "partners, periods"),
    ("package", lambda k: {"partner", "security"} <= k, "partner, security"),
    ("partner", lambda k: "code" in k or {"concessions", "tier"} <= k, "code"),
    ("scenarios", lambda k: "scenarios" in k, "scenarios"),
)
#: How a message names each kind, in the order `Kind` lists them.
_KIND_NAMES: dict[Kind, str] = {
    "policy": "a policy",
    "partner": "a partner",
    "portfolio": "a portfolio",
    "package": "a package",
    "round": "a negotiation's round",
    "scenarios": "a scenarios file",
}


def detect_kind(source: Source, *, closest: bool = False) -> Kind:
    """What a YAML file is, from its keys.

    `closest`: when no kind's telling keys are all there (one misspelt or left out), the
    kind whose fields the file's keys match best, if one clearly does (at least two keys,
    more than any other kind), so its validation names the field at its line."""
    keys = set(source.tree)
    for kind, found, _ in _KIND_KEYS:
        if found(keys):
            return kind
    if closest and (guess := _closest_kind(keys)) is not None:
        return guess
    told = {kind: said for kind, _, said in _KIND_KEYS}
    kinds = [f"{_KIND_NAMES[k]} ({told[k]})" for k in get_args(Kind)]
    raise InputError(
        source.issue(
            (),
            f"cannot tell what this file is: expected {', '.join(kinds[:-1])} or {kinds[-1]}",
        )
    )


#: The model of each kind's file, whose fields `_closest_kind` matches keys against.
_KIND_MODELS: dict[Kind, type[BaseModel]] = {
    "policy": Policy,
    "partner": Partner,
    "portfolio": PortfolioFile,
    "package": Package,
    "round": RoundFile,
    "scenarios": ScenarioFile,
}


def _closest_kind(keys: set[Any]) -> Kind | None:
    """The one kind with the most fields among `keys` (at least two), else the one kind
    whose field `scenarios` or `security_levels` a key is a near miss of, or None."""
    known = {kind: len(keys & set(model.model_fields)) for kind, model in _KIND_MODELS.items()}
    ranked = sorted(known.items(), key=lambda item: -item[1])
    (best, most), (_, next_most) = ranked[0], ranked[1]
    if most >= 2 and most > next_most:
        return best
    near = {
        kind
        for key in keys
        for kind, field in _ONE_KEY_KINDS
        if difflib.get_close_matches(str(key).lower(), [field], cutoff=0.8)
    }
    return near.pop() if len(near) == 1 else None


#: The kinds one key tells, and that key: a near miss of it names the kind.
_ONE_KEY_KINDS: tuple[tuple[Kind, str], ...] = (
    ("scenarios", "scenarios"),
    ("policy", "security_levels"),
)
