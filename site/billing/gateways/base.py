"""The gateway interface."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string


class GatewayError(Exception):
    """The gateway refused or failed; the message is safe to show (it never contains card data)."""


@dataclass(frozen=True)
class CardToken:
    """What a gateway hands back for a card: an opaque token plus what may be shown to the customer."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    def __repr__(self) -> str:  # the token is a credential: keep it out of tracebacks and logs
        return f"CardToken(brand={self.brand!r}, last4={self.last4!r}, exp={self.exp_month:02d}/{self.exp_year})"


@dataclass(frozen=True)
class ChargeResult:
    reference: str
    amount: Decimal
    currency: str


class Gateway(abc.ABC):
    """A payment gateway. ``name`` is stored beside each card's token."""

    name = "abstract"

    @abc.abstractmethod
    def tokenize_card(self, number: str, exp_month: int, exp_year: int, cvc: str, holder: str) -> CardToken:
        """Exchange card details for a token. The details must not be kept after this call."""

    @abc.abstractmethod
    def charge(self, token: str, amount: Decimal, currency: str) -> ChargeResult:
        """Charge the card behind ``token``."""


def get_gateway() -> Gateway:
    """The configured gateway (``settings.BILLING_GATEWAY``, a dotted path), the manual one by default."""
    path = getattr(settings, "BILLING_GATEWAY", "billing.gateways.manual.ManualGateway")
    return import_string(path)()
