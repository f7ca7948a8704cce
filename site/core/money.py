"""Money for every app: Decimal only, one default currency, one rounding policy.

Rounding policy
---------------
* Amounts are ``Decimal``; floats never touch money.
* Each invoice line is rounded on its own, **half-up** (``ROUND_HALF_UP``), to the minor unit of the
  invoice's currency: first the net amount (quantity × unit price, prorated when a period is partial), then
  the tax on that rounded net amount.
* Invoice totals are the plain sums of the rounded line amounts, never recomputed from unrounded values, so
  a total always equals the sum of its lines and each amount can be explained line by line.
* Proration multiplies the full-period amount by ``days active / days in period`` and then rounds per line.
* Prices in the catalog (plans, options, price overrides) are rounded by the same function, in the plan's
  currency (``DEFAULT_CURRENCY`` unless ``CATALOG_CURRENCY`` says otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# ISO 4217 code -> number of digits after the decimal point.
CURRENCY_MINOR_UNITS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CAD": 2,
    "AUD": 2,
    "CHF": 2,
    "SEK": 2,
    "JPY": 0,
    "BHD": 3,
}
CURRENCY_CHOICES = [(code, code) for code in CURRENCY_MINOR_UNITS]
DEFAULT_CURRENCY = "USD"
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``: ``Decimal("0.01")`` for USD, ``Decimal("1")`` for JPY."""
    try:
        digits = CURRENCY_MINOR_UNITS[currency]
    except KeyError:
        raise ValidationError(_("%(currency)s is not a currency we bill in.") % {"currency": currency}) from None
    return Decimal(1).scaleb(-digits)


def round_money(amount: Decimal | int | str, currency: str) -> Decimal:
    """``amount`` rounded half-up to the minor unit of ``currency``."""
    if isinstance(amount, float):
        raise TypeError("Money is never a float; pass a Decimal or a string.")
    return Decimal(amount).quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    """The rounded amounts of one invoice line."""

    net: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.net + self.tax


def line_amounts(
    *, quantity: Decimal, unit_price: Decimal, tax_rate: Decimal, currency: str, factor: Decimal = Decimal(1)
) -> LineAmounts:
    """Net and tax of one line under the policy: net = round(quantity × unit price × factor), tax =
    round(net × rate / 100). ``factor`` is the proration (days active / days in period)."""
    net = round_money(Decimal(quantity) * Decimal(unit_price) * Decimal(factor), currency)
    tax = round_money(net * Decimal(tax_rate) / HUNDRED, currency)
    return LineAmounts(net=net, tax=tax)


def format_money(amount: Decimal, currency: str) -> str:
    """``1,234.50 USD``: the amount at its currency's precision, with the code."""
    digits = CURRENCY_MINOR_UNITS.get(currency, 2)
    return f"{round_money(amount, currency) if currency in CURRENCY_MINOR_UNITS else amount:,.{digits}f} {currency}"
