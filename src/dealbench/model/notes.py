"""Notes on a portfolio's inputs, valid as they are but likely not what was meant: an
ask without a figure for some of the periods, money outside its plausible bounds, caps
that give a weaker security level more than a stronger one."""

from __future__ import annotations

import contextlib
from pathlib import Path

from dealbench.errors import InputError, Issue
from dealbench.list_words import and_list
from dealbench.model.partner import Partner
from dealbench.model.policy import Policy
from dealbench.model.portfolio import Portfolio
from dealbench.model.yamlio import Source, read_yaml


def input_notes(portfolio: Portfolio, *, files: bool = True) -> list[Issue]:
    """What `validate` and the solving commands note of a portfolio's inputs, valid as they
    are but likely not what was meant: an ask that gives no figure for some of the periods
    (`asks_not_given`), money outside its plausible bounds (`plausible.money_notes`: its
    unit left out, most likely), caps that give a weaker security level more than a
    stronger one (`plausible.caps_notes`). Money is weighed where it was written: at its line of the
    partner's file, or of the policy's (another regime's, under `--policy` or `compare`),
    or at the `--set` (or scenario) override that gave it. Without `files`, only the
    overrides' notes (a scenarios file's, validated against a portfolio)."""
    from dealbench.model.override_paths import split_path
    from dealbench.model.override_values import parse_value
    from dealbench.model.overrides import GIVEN
    from dealbench.model.plausible import Given, caps_notes, money_notes

    given: dict[str, list[Given]] = {}
    for path, text in portfolio.overrides.items():
        root, *parts = split_path(path)
        if root == "partners" and parts:
            root, parts = f"partners.{parts[0]}", parts[1:]
        with contextlib.suppress(ValueError):  # applied, so read before
            where = portfolio.override_from.get(path, GIVEN)
            given.setdefault(root, []).append(Given(tuple(parts), parse_value(text), where))
    roots: list[tuple[str, str | None, Partner | Policy]] = [
        ("policy", portfolio.policy_file, portfolio.policy)
    ]
    roots += [
        (f"partners.{p.code}", portfolio.partner_files.get(p.code), p) for p in portfolio.partners
    ]
    out = []
    for root, file, loaded in roots:
        source = None
        if file is not None and files:
            with contextlib.suppress(InputError, OSError):  # moved or changed since loaded
                source = read_yaml(Path(file))
        out += money_notes(loaded, source, given.get(root, []), f"{root}.")
        if isinstance(loaded, Partner):
            menu = [g.where for g in given.get(root, []) if _menu_given(g.parts)]
            if files or menu:  # without files, only what an override made so
                at = (None, menu[-1]) if menu else (source, file or root)
                out += never_granted_notes(loaded, at[0], at[1], f"{root}.")
        if isinstance(loaded, Policy) and files:  # at the override that set caps, if one did
            over = [g.where for g in given.get(root, []) if g.parts[:1] in (("caps",), ())]
            at = (None, over[-1]) if over else (source, file or root)
            out += caps_notes(loaded, at[0], at[1], f"{root}.")
    return out + asks_not_given(portfolio, files=files)


def never_granted_notes(
    partner: Partner, source: Source | None, shown: str, root: str = ""
) -> list[Issue]:
    """A note at the `requires` of each of `partner`'s concessions that can never be
    granted (`partner_rules.never_granted`: it requires two concessions that exclude each
    other, or one it excludes): valid, but the optimizer never offers it, with no other
    word on why. At its line of `source`, the file the partner was read from; without it,
    at `shown` (the override that set the menu: `--set`), the field named under `root` as
    an override names it (`partners.MY.concessions.us-hq-operators.requires`)."""
    from dealbench.model.partner_rules import never_granted

    out = []
    for loc, message in never_granted(partner):
        if source is not None:
            out.append(source.issue(loc, message))
        else:
            cid = partner.concessions[int(loc[1])].id
            out.append(Issue(shown, None, f"{root}concessions.{cid}.requires", message))
    return out


def _menu_given(parts: tuple[str, ...]) -> bool:
    """Whether an override at `parts` below a partner may set what its concessions require
    or exclude: the partner whole, its concessions, one whole, or those lists."""
    if parts[:1] not in ((), ("concessions",)):
        return False
    return len(parts) <= 2 or parts[2] in ("requires", "excludes")


def asks_not_given(portfolio: Portfolio, *, files: bool = True) -> list[Issue]:
    """Notes, at each partner file's `ask`, of the portfolio's periods its ask gives no figure
    for while it names others of them: the partner asks nothing then and gets no compute,
    which no error says (a partner file may serve portfolios of several horizons), but a
    period forgotten in a file written by hand reads the same. An explicit 0 says it is
    meant. A partner whose ask names none of the periods is said by `solve` already. An
    ask an override wrote whole is noted at the override; without `files`, only those."""
    out = []
    for partner in portfolio.partners:
        missing = [t for t in portfolio.periods if t not in partner.ask]
        if not missing or len(missing) == len(portfolio.periods):
            continue
        which = "one" if len(missing) == 1 else "some"
        message = (
            f"no figure for {and_list(missing)}, {which} of portfolio {portfolio.id}'s "
            f"periods: {partner.code} gets no compute then; write {missing[0]}: 0 if that "
            "is meant, else its ask"
        )
        field = f"partners.{partner.code}.ask"
        over = _ask_given(portfolio, partner.code)
        file = portfolio.partner_files.get(partner.code)
        issue = Issue(file or f"partners.{partner.code}", None, "ask", message)
        if over is not None:  # the override wrote this ask: the file's line holds another
            issue = Issue(over, None, field, message)
        elif not files:
            continue
        elif file is not None:
            with contextlib.suppress(InputError, OSError):  # moved or changed since loaded
                issue = read_yaml(Path(file)).issue(("ask",), message)
        out.append(issue)
    return out


def _ask_given(portfolio: Portfolio, code: str) -> str | None:
    """Where the last override that wrote partner `code`'s ask whole was given (`--set`, a
    scenarios file's line), or None: `--set partners.AE.ask={2026: 5}` was noted at the
    file's `ask` line, which gives every period (qa46-input)."""
    from dealbench.model.override_paths import split_path
    from dealbench.model.overrides import GIVEN

    found = None
    for path in portfolio.overrides:
        if split_path(path) in (["partners", code], ["partners", code, "ask"]):
            found = portfolio.override_from.get(path, GIVEN)
    return found
