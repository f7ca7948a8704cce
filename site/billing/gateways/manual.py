"""The built-in gateway: issues opaque random tokens and records charges for staff to collect by hand."""

from __future__ import annotations

import secrets
from decimal import Decimal

from billing.gateways.base import CardToken, ChargeResult, Gateway


class ManualGateway(Gateway):
    """Cards are tokenised without contacting anyone; charges are recorded for staff to run manually.

    ``charges`` (class-level, per process) keeps the recorded charges; the durable record is the Payment the
    billing service writes with the returned reference.
    """

    name = "manual"
    charges: list[ChargeResult] = []

    def tokenize_card(self, number: str, exp_month: int, exp_year: int, cvc: str, holder: str) -> CardToken:
        from billing.cards import card_brand

        return CardToken(
            token=f"man_{secrets.token_hex(16)}",
            brand=card_brand(number),
            last4=number[-4:],
            exp_month=exp_month,
            exp_year=exp_year,
        )

    def charge(self, token: str, amount: Decimal, currency: str) -> ChargeResult:
        result = ChargeResult(reference=f"manual_{secrets.token_hex(8)}", amount=amount, currency=currency)
        self.charges.append(result)
        return result
