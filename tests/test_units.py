"""Units: money strings, compute quantities (H100e, TPP, chips) and period labels."""

from __future__ import annotations

from typing import Any

import pytest

from dealbench.figures import usd as usd_text
from dealbench.list_words import periods_said
from dealbench.units import (
    CHIP_TPP,
    H100_TPP,
    parse_compute,
    parse_money,
    parse_number,
    period_label,
)

# --- money ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "usd"),
    [
        ("1.4tn", 1.4e12),
        ("200bn", 200e9),
        ("350m", 350e6),
        ("75k", 75e3),
        ("-5bn", -5e9),
        ("+5bn", 5e9),
        ("$2bn", 2e9),
        ("-$5bn", -5e9),
        ("USD 200bn", 200e9),
        ("usd 1.5m", 1.5e6),
        ("2 BN", 2e9),
        ("350M", 350e6),
        (" 75k ", 75e3),
        (".5bn", 0.5e9),
        ("1_000_000", 1e6),
        ("1,000,000", 1e6),
        ("200_000", 200_000),
        ("1e9", 1e9),
        ("1.5E9", 1.5e9),
        ("0", 0.0),
        ("2mn", 2e6),
        ("3b", 3e9),
        ("1t", 1e12),
    ],
)
def test_money_strings(text: str, usd: float) -> None:
    assert parse_money(text) == pytest.approx(usd, rel=1e-12)


@pytest.mark.parametrize(
    ("value", "usd"), [(0, 0.0), (200_000, 200_000.0), (2.5e9, 2.5e9), (-5e9, -5e9)]
)
def test_money_numbers_pass_through(value: float, usd: float) -> None:
    result = parse_money(value)
    assert result == usd
    assert isinstance(result, float)


@pytest.mark.parametrize(
    "text", ["2 billion", "bn", "5bn5", "5xx", "--5bn", "$$5", "nan", "inf", "", "five"]
)
def test_money_rejects_bad_strings(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_money(text)
    words = "; write 2bn" if text == "2 billion" else ""  # written in words: the form meant
    expected = "expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000"
    if not text:  # nothing written: said as such, not as "got ''"
        assert str(info.value) == f"the value is empty; {expected}"
    else:
        assert str(info.value) == f"{expected}, got {text!r}{words}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000, got true"),
        (
            None,
            "the value is empty; expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000",
        ),
        ([1], "expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000, got a list"),
        (
            {"usd": 1},
            "expected an amount of USD such as 1.4tn, 200bn, 350m, 75k or 1000, got a mapping",
        ),
        (float("nan"), "expected a finite number, got nan"),
        (float("inf"), "expected a finite number, got inf"),
    ],
)
def test_money_rejects_non_numbers(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse_money(value)


# --- plain numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number"),
    [(200_000, 200_000.0), ("200_000", 200_000.0), ("1,500", 1500.0), (" 7 ", 7.0), ("1e3", 1e3)],
)
def test_numbers_accept_yaml_12_underscores(value: Any, number: float) -> None:
    """A YAML 1.2 loader reads `200_000` as the string "200_000"; it is still a number."""
    assert parse_number(value) == number


# --- compute --------------------------------------------------------------------------


def test_h100_is_the_unit() -> None:
    assert H100_TPP == 15_832
    assert parse_compute({"chips": 1, "model": "H100"}) == pytest.approx(1.0)


def test_tpp_of_the_2025_tier2_cap() -> None:
    """790,000,000 TPP / 15,832 TPP per H100e = 49,898.94 H100e."""
    assert parse_compute({"tpp": 790_000_000}) == pytest.approx(49_898.94, abs=0.01)
    assert parse_compute({"tpp": "790_000_000"}) == pytest.approx(790_000_000 / 15_832)


def test_chips_of_a_catalogued_model() -> None:
    """35,000 GB300 at 40,000 TPP each = 1.4e9 TPP = 88,428.5 H100e."""
    expected = 35_000 * 40_000 / 15_832
    assert parse_compute({"chips": 35_000, "model": "GB300"}) == pytest.approx(expected)
    assert parse_compute({"chips": 35_000, "model": "gb300"}) == pytest.approx(expected)
    assert expected == pytest.approx(88_428.5, abs=0.1)


@pytest.mark.parametrize("model", sorted(CHIP_TPP))
def test_every_catalogued_chip_is_at_least_an_h100(model: str) -> None:
    assert parse_compute({"chips": 1, "model": model}) >= 1.0


@pytest.mark.parametrize(
    ("value", "h100e"),
    [(200_000, 200_000.0), ("200_000", 200_000.0), (0, 0.0), ({"h100e": 1_000}, 1_000.0)],
)
def test_compute_numbers(value: Any, h100e: float) -> None:
    assert parse_compute(value) == h100e


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {"tpp": 1, "chips": 2},
            "expected H100e as a number, {tpp: N}, {h100e: N} or {chips: N, model: NAME}, "
            "got keys ['chips', 'tpp']",
        ),
        (
            {"chips": 5},
            "expected H100e as a number, {tpp: N}, {h100e: N} or {chips: N, model: NAME}, "
            "got keys ['chips']",
        ),
        (
            {"chips": 1, "model": "A100"},
            "unknown chip model 'A100'; expected one of: H100, H200, B200, GB200, GB300",
        ),
        ({"tpp": "lots"}, "expected a number, got 'lots'"),
        ("lots", "expected a number, got 'lots'"),
        (
            "200k",
            "expected a number, got '200k'; suffixes such as k and m are for amounts of USD: write 200_000",
        ),
        (True, "expected a number, got true"),
        ([100], "expected a number, got a list"),
        ("inf", "expected a finite number, got 'inf'"),
    ],
)
def test_compute_rejects_bad_inputs(value: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_compute(value)
    assert str(info.value) == message


# --- periods --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label"), [(2026, "2026"), ("2026", "2026"), ("2026Q3", "2026Q3"), (" 2027 ", "2027")]
)
def test_period_labels_are_text(value: Any, label: str) -> None:
    assert period_label(value) == label


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "the value is empty; expected a period label such as 2026 or 2026Q3"),
        (True, "expected a period label such as 2026 or 2026Q3, got true"),
        (2026.5, "expected a period label such as 2026 or 2026Q3, got 2026.5"),
        ([2026], "expected a period label such as 2026 or 2026Q3, got a list"),
    ],
)
def test_period_labels_reject_other_values(value: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        period_label(value)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("amount", "printed"),
    [
        (2_775_000_000, "$2.78bn"),  # was $2.77bn: 2.775e9 is stored a hair below
        (2_785_000_000, "$2.79bn"),
        (1_125_000_000, "$1.13bn"),  # was $1.12bn
        (-2_775_000_000, "-$2.78bn"),
        (125_000_000_000, "$125.00bn"),
        (125_000_000_000_000 / 1000, "$125.00bn"),
        (0.125e12, "$125.00bn"),
        (1.125e12, "$1.13tn"),  # was $1.12tn
        (16_402.5, "$16,403"),  # was $16,402
        (350_050_000, "$350.1m"),
        (2_774_999_999.9999995, "$2.78bn"),  # arithmetic's noise below a cent is not a figure
        (2_774_999_999.99, "$2.77bn"),
    ],
)
def test_money_rounds_a_half_away_from_zero_as_by_hand(amount: float, printed: str) -> None:
    """Money at an exact half of its last printed digit rounded by the float's binary
    digits: $2.775bn printed $2.77bn but $2.785bn $2.79bn, in one term sheet."""
    assert usd_text(amount) == printed


@pytest.mark.parametrize(
    ("amount", "beside", "printed"),
    [
        (2_050_500_000, 2_050_000_000, "$2.0505bn"),  # a $500,000 margin, never $2.051bn
        (2_050_700_000, 2_050_400_000, "$2.0507bn"),  # $300,000 apart, never one digit
        (50_001_000_000, 50_000_000_000, "$50.001bn"),
        (52_000_000_000, 50_000_000_000, "$52.00bn"),  # far apart: the usual digits
    ],
)
def test_a_figure_beside_another_gets_the_digits_of_their_difference(
    amount: float, beside: float, printed: str
) -> None:
    assert usd_text(amount, apart=beside) == printed


@pytest.mark.parametrize(
    ("order", "periods", "said"),
    [
        (None, [f"{y}Q{q}" for y in (2026, 2027, 2028) for q in (1, 2, 3, 4)], "2026Q1–2028Q4"),
        (None, ["2026", "2027", "2028"], "2026, 2027 and 2028"),  # three read as well whole
        (None, ["2026Q3", "2026Q4", "2027Q1", "2027Q2", "2028Q1"], "2026Q3–2027Q2 and 2028Q1"),
        (None, ["2026", "2028", "2029", "2030", "2031"], "2026 and 2028–2031"),
        (None, ["p1", "p2", "p3", "p4"], "p1, p2, p3 and p4"),  # labels that say no length
        (["p1", "p2", "p3", "p4", "p5"], ["p4", "p1", "p2", "p3"], "p1–p4"),  # ... but an order
        (
            ["2026", "2028", "2030", "2032"],
            ["2026", "2028", "2030", "2032"],
            "2026, 2028, 2030 and 2032",
        ),
    ],
)
def test_a_sentence_names_four_periods_in_a_row_by_the_first_and_last(
    order: list[str] | None, periods: list[str], said: str
) -> None:
    """Why-no-deal reasons and binding limits named every quarter of a 12-quarter
    portfolio ("in 2026Q1, 2026Q2, 2026Q3, …, 2028Q3 and 2028Q4")."""
    assert periods_said(order, periods) == said
