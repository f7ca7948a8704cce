"""Moved to :mod:`core.money` (one money policy for every app); kept so older imports keep working."""

from core.money import *  # noqa: F403
from core.money import CURRENCY_CHOICES, CURRENCY_MINOR_UNITS, DEFAULT_CURRENCY, HUNDRED, ZERO  # noqa: F401
