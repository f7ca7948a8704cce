"""The ticket an order opens: staff provision from it, the customer follows it (registered by tickets.apps
in catalog's order-placed hooks)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Membership
from tickets import services as ticket_services
from tickets.choices import TicketCategory
from tickets.models import Queue


def order_provisioning_ticket_open(*, order, actor) -> None:
    """One ticket per order in the provisioning queue, listing its lines (in catalog's ``ORDER_PLACED_HOOKS``).

    The requester is the customer who ordered; when staff order on a customer's behalf, the company's first
    owner (or billing contact) is the requester and staff the actor.
    """
    requester = actor
    if (
        actor is None
        or actor.is_staff
        or not Membership.objects.active().filter(user=actor, company=order.company).exists()
    ):
        membership = (
            Membership.objects.active()
            .filter(company=order.company, role__in=("owner", "billing", "technical"))
            .select_related("user")
            .order_by("role", "pk")
            .first()
        )
        if membership is None:
            return  # a company without members: staff follow the order in the admin
        requester = membership.user
    lines = "\n".join(
        f"- {line.description} × {line.quantity.normalize()}: {line.unit_recurring} {order.currency}"
        f" / {line.recurring_period or 'one-time'}, setup {line.unit_one_time}"
        + "".join(f"\n  + {option.name}" for option in line.options.all())
        for line in order.lines.prefetch_related("options")
    )
    body = _(
        "Order %(number)s (%(kind)s) from %(company)s.\n\n%(lines)s\n\n"
        "Recurring total: %(recurring)s %(currency)s. One-time total: %(one_time)s %(currency)s.\n\n%(note)s"
    ) % {
        "number": order.number,
        "kind": order.get_kind_display(),
        "company": order.company,
        "lines": lines,
        "recurring": order.total_recurring,
        "one_time": order.total_one_time,
        "currency": order.currency,
        "note": order.customer_note,
    }
    ticket = ticket_services.ticket_open(
        company=order.company,
        requester=requester,
        actor=actor if actor is not None and actor.is_staff else requester,
        subject=_("Order %(number)s: %(kind)s") % {"number": order.number, "kind": order.get_kind_display()},
        body=body.strip(),
        category=TicketCategory.PROVISIONING,
        queue=Queue.objects.filter(slug="provisioning", is_active=True).first(),
    )
    order.ticket = ticket
    order.save(update_fields=["ticket", "last_updated"])
