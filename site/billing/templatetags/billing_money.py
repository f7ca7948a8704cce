"""Template filters for money: ``{{ amount|money:"USD" }}`` and ``{{ quantity|normalize }}``."""

from decimal import Decimal

from django import template

from core.money import CURRENCY_MINOR_UNITS, round_money

register = template.Library()


@register.filter
def money(amount, currency="USD"):
    """The amount at its currency's precision with thousands separators (no code)."""
    if amount is None or amount == "":
        return ""
    digits = CURRENCY_MINOR_UNITS.get(currency, 2)
    value = round_money(Decimal(amount), currency) if currency in CURRENCY_MINOR_UNITS else Decimal(amount)
    return f"{value:,.{digits}f}"


@register.filter
def normalize(value):
    """A Decimal without trailing zeros (2.5000 → 2.5)."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"
