"""Every write of the catalog app: the service lifecycle, resources and upgrades, orders, IP requests,
cancellations. One module per concern; this package re-exports every public name, so callers keep writing
``from catalog import services`` / ``services.order_place(...)``.

Each function is keyword-only and atomic; bad input raises ``ValidationError`` (or ``PermissionDenied``) in the
user's terms and changes nothing.

* ``common``: money rounding, permission checks, the lifecycle primitives shared by the others.
* ``lifecycle``: create, provision, activate, suspend, request and withdraw a cancellation (staff, or the
  customer before the effective date), cancel, terminate; billing's next-billing-date marks (one or many).
* ``resources``: linking and releasing what a service uses (rented servers into the resale flow), upgrades.
* ``orders``: placing, approving and rejecting orders; managed-service requests.
* ``resale``: a cancelled service's rented servers through the wipe checklist back to stock.
* ``ip_requests``: additional IP requests with their ARIN justification.
* ``cancellations``: the customer's cancellation request and its e-mailed confirmation link.
"""

from catalog.services.cancellations import (
    CANCELLATION_LINK_LIFETIME,
    CANCELLATION_SALT,
    cancellation_confirm,
    cancellation_from_token,
    cancellation_request_create,
    cancellation_token,
)
from catalog.services.common import CENT, CHANGE_PERMISSION, ORDER_PERMISSION, TRANSITION_VERBS, money
from catalog.services.ip_requests import additional_ip_request_create, additional_ip_request_fulfil
from catalog.services.lifecycle import (
    cancellation_effective_date_for,
    service_activate,
    service_cancel,
    service_cancel_due,
    service_create,
    service_provision,
    service_request_cancellation,
    service_set_next_billing_date,
    service_set_next_billing_dates,
    service_suspend,
    service_terminate,
    service_unsuspend,
    service_withdraw_cancellation,
)
from catalog.services.orders import (
    FIRST_ORDER_NUMBER,
    ORDER_PREFIX,
    managed_service_request_create,
    order_approve,
    order_place,
    order_reject,
)
from catalog.services.products import (
    plan_create,
    plan_delete,
    plan_update,
    product_create,
    product_delete,
    product_update,
    productcategory_create,
    productcategory_delete,
    productcategory_update,
    productoption_create,
    productoption_delete,
    productoption_update,
)
from catalog.services.resale import server_return_check
from catalog.services.resources import (
    RESOURCE_FIELDS,
    UPGRADE_FIELDS,
    service_link_resources,
    service_open,
    service_set_resources,
    service_update,
    service_upgrade,
)

__all__ = [
    "UPGRADE_FIELDS",
    "plan_create",
    "plan_delete",
    "plan_update",
    "product_create",
    "product_delete",
    "product_update",
    "productcategory_create",
    "productcategory_delete",
    "productcategory_update",
    "productoption_create",
    "productoption_delete",
    "productoption_update",
    "service_open",
    "service_update",
    "CANCELLATION_LINK_LIFETIME",
    "CANCELLATION_SALT",
    "CENT",
    "CHANGE_PERMISSION",
    "FIRST_ORDER_NUMBER",
    "ORDER_PERMISSION",
    "ORDER_PREFIX",
    "RESOURCE_FIELDS",
    "TRANSITION_VERBS",
    "additional_ip_request_create",
    "additional_ip_request_fulfil",
    "cancellation_confirm",
    "cancellation_effective_date_for",
    "cancellation_from_token",
    "cancellation_request_create",
    "cancellation_token",
    "managed_service_request_create",
    "money",
    "order_approve",
    "order_place",
    "order_reject",
    "server_return_check",
    "service_activate",
    "service_cancel",
    "service_cancel_due",
    "service_create",
    "service_link_resources",
    "service_provision",
    "service_request_cancellation",
    "service_set_next_billing_date",
    "service_set_next_billing_dates",
    "service_set_resources",
    "service_suspend",
    "service_terminate",
    "service_unsuspend",
    "service_upgrade",
    "service_withdraw_cancellation",
]
