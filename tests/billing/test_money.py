"""Rounding policy and totals: a total always equals the sum of its lines."""

import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import TaxRate
from core.money import line_amounts, minor_unit, round_money
from tests.billing.factories import make_draft


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.005", "USD", "0.01"),
        ("0.004", "USD", "0.00"),
        ("-0.005", "USD", "-0.01"),
        ("2.5", "JPY", "3"),
        ("1.0005", "BHD", "1.001"),
        ("12.345", "EUR", "12.35"),
    ],
)
def test_round_half_up_to_minor_unit(amount, currency, expected):
    assert round_money(Decimal(amount), currency) == Decimal(expected)


def test_floats_and_unknown_currencies_are_refused():
    with pytest.raises(TypeError):
        round_money(0.1, "USD")
    with pytest.raises(ValidationError):
        minor_unit("XXX")


def test_line_tax_is_computed_on_the_rounded_net():
    amounts = line_amounts(quantity=Decimal("3"), unit_price=Decimal("0.335"), tax_rate=Decimal("19"), currency="EUR")
    assert amounts.net == Decimal("1.01")  # 1.005 half-up
    assert amounts.tax == Decimal("0.19")  # 1.01 × 19 % = 0.1919
    assert amounts.total == Decimal("1.20")


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(6))
def test_invoice_totals_equal_the_sum_of_lines(seed, acme):
    rng = random.Random(seed)
    acme.country = "DE"
    acme.save()
    TaxRate.objects.create(name="VAT", rate=Decimal(rng.choice(["0", "7", "19", "20.5"])), country="DE")
    lines = [
        (
            f"item {i}",
            Decimal(rng.randint(1, 400)) / Decimal(rng.choice([1, 4, 100])),
            Decimal(rng.randint(1, 99999)) / 1000,
        )
        for i in range(rng.randint(1, 12))
    ]
    invoice = make_draft(acme, *lines)
    invoice.refresh_from_db()
    assert invoice.totals_match()
    assert invoice.total == sum(line.total_amount for line in invoice.lines.all())
    finalised = services.invoice_finalise(invoice=invoice, render_pdf=False)
    assert finalised.totals_match()
