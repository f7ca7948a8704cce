"""Card checks done before anything goes to the gateway: Luhn, expiry in the future, brand from the prefix.

Error messages never repeat the number or the security code.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# (brand, prefix pattern, allowed lengths)
BRANDS = [
    ("amex", re.compile(r"^3[47]"), {15}),
    ("visa", re.compile(r"^4"), {13, 16, 19}),
    ("mastercard", re.compile(r"^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))"), {16}),
    ("discover", re.compile(r"^(6011|65|64[4-9])"), {16, 19}),
    ("jcb", re.compile(r"^35(2[89]|[3-8]\d)"), {16, 19}),
    ("diners", re.compile(r"^3(0[0-5]|[689])"), {14, 16, 19}),
]


def normalise_number(number: str) -> str:
    """Digits only (spaces and dashes as people type them are dropped)."""
    return re.sub(r"[\s-]", "", number or "")


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check."""
    if not number.isdigit() or len(number) < 12:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    """The brand the number's prefix belongs to, or "card" when unknown."""
    for brand, pattern, _lengths in BRANDS:
        if pattern.match(number):
            return brand
    return "card"


def validate_card(*, number: str, exp_month: int, exp_year: int, cvc: str, today: date | None = None) -> str:
    """Check a card and return its normalised number; raise ``ValidationError`` (without card data) if not."""
    number = normalise_number(number)
    errors = {}
    if not number.isdigit() or not luhn_valid(number):
        errors["number"] = _("This card number is not valid; please check the digits.")
    else:
        brand = card_brand(number)
        lengths = next((lengths for name, _pattern, lengths in BRANDS if name == brand), None)
        if lengths and len(number) not in lengths:
            errors["number"] = _("This card number has the wrong length for its brand.")
    today = today or date.today()
    if not (1 <= int(exp_month) <= 12):
        errors["exp_month"] = _("The expiry month is between 1 and 12.")
    elif (int(exp_year), int(exp_month)) < (today.year, today.month):
        errors["exp_year"] = _("This card has expired.")
    expected_cvc = 4 if card_brand(number) == "amex" else 3
    if not (cvc or "").isdigit() or len(cvc) != expected_cvc:
        errors["cvc"] = _("The security code is the %(count)s digits on the card.") % {"count": expected_cvc}
    if errors:
        raise ValidationError(errors)
    return number
