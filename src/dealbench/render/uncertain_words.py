"""The figures given as distributions, said: which count at their means in a document
(DESIGN.md), partner by partner, for the portfolio, options and negotiation memos."""

from __future__ import annotations

from dealbench.checker import DealFigures
from dealbench.model.portfolio import Portfolio
from dealbench.render.limits import in_package


def uncertain_lines(
    portfolio: Portfolio,
    deals: list[DealFigures] | None = None,
    counted: str = "in these packages",
    holds: str = "The margins above hold",
    accepts: str = "each partner accepts",
    told: str = "the command dealbench risk estimates",
) -> list[str]:
    """Figures given as distributions count at their means here (DESIGN.md): say which,
    those of the partners with a package (the figures their packages use; `deals` None:
    every partner's) apart from those of the partners without one (in no package, but
    decided at their means that there is none); where they count (`counted`), what holds
    at the means only (`holds`), and what says how often the partners accept instead
    (`told`: the command dealbench risk; a robust solve's memo, its table) of what
    (`accepts`)."""
    out = []
    listed = uncertain_listing(portfolio, deals=deals)
    if listed:
        out.append(
            f"Uncertain figures count at their means {counted}: {listed}. {holds} at the "
            f"means only; {told} how often {accepts}."
        )
    if deals is None:  # every partner's figures are listed above
        return out
    with_deal = {d.partner for d in deals}
    others = [p.code for p in portfolio.partners if p.code not in with_deal]
    listed = uncertain_listing(portfolio, others)
    if listed:
        out.append(
            f"Partners without a package have uncertain figures too, taken at their means "
            f"here: {listed}."
        )
    return out


def uncertain_listing(
    portfolio: Portfolio,
    codes: list[str] | None = None,
    *,
    deals: list[DealFigures] | None = None,
) -> str:
    """The figures given as distributions, partner by partner (of `codes` only, if given;
    with `deals`, of those partners only and the figures their packages use), each with its
    mean (`UA's walk-away value (uniform 1bn to 3bn; mean 2bn); UB's ...`); empty when there are none."""
    from dealbench.model.uncertain import short, uncertain_figures

    packages = {d.partner: d for d in deals} if deals is not None else None
    parts = []
    for partner in portfolio.partners:
        if codes is not None and partner.code not in codes:
            continue
        if packages is not None and partner.code not in packages:
            continue
        figures = uncertain_figures(partner)
        if packages is not None:
            deal = packages[partner.code]
            figures = [f for f in figures if in_package(partner, deal, f.field)]
        if figures:
            listed = ", ".join(
                f"{f.label} ({f.distribution}; mean {short(f.mean)})" for f in figures
            )
            parts.append(f"{partner.code}'s {listed}")
    return "; ".join(parts)
