"""What session 44 fixed as a user met it."""

from __future__ import annotations

import pytest

from dealbench import load_portfolio, risk_report
from dealbench.errors import ArgumentError
from dealbench.model.package import Package
from helpers import REPO


@pytest.mark.parametrize(
    ("package", "said"),
    [
        (
            Package(partner="QA", security="tier9", compute={"2026": 1000}),
            "security: unknown security level 'tier9'",
        ),
        (
            Package(partner="QA", security="kyc", compute={"2030": 1000}),
            "compute.2030: period '2030' is not one of the portfolio's periods",
        ),
        (
            Package(partner="QA", security="kyc", compute={"2026": 1000}, concessions={"x": True}),
            "concessions.x",
        ),
    ],
)
def test_risk_of_a_package_its_partner_could_not_sign_is_refused(
    package: Package, said: str
) -> None:
    """A package built in Python with a security level the regime lacks was a ValueError
    from the sampling, and one with a concession of another partner's an acceptance
    probability of 1 that said nothing of it (qa44-library); `load_package` refuses both
    from a file. Refused by name here too."""
    portfolio = load_portfolio(REPO / "deals/portfolios/gulf-asia-uncertain.yaml")
    with pytest.raises(ArgumentError) as raised:
        risk_report(portfolio, package, samples=50)
    assert raised.value.argument == "package" and said in str(raised.value)
