"""Payment gateways: the interface billing talks to, and the built-in manual gateway.

A real gateway (Stripe, Adyen, …) is a later step: subclass :class:`Gateway`, implement ``tokenize_card`` and
``charge``, and name it in ``settings.BILLING_GATEWAY``. Card numbers and security codes are handed to the
gateway and never kept, logged or put into task arguments.
"""

from billing.gateways.base import CardToken, ChargeResult, Gateway, GatewayError, get_gateway
from billing.gateways.manual import ManualGateway

__all__ = ["CardToken", "ChargeResult", "Gateway", "GatewayError", "ManualGateway", "get_gateway"]
