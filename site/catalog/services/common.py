"""What every catalog service shares: money rounding, today, saving with validation, permission checks
and the lifecycle primitives (locking a service, logging an event, checking a transition).

No public service lives here; the modules beside it import these helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, Membership
from catalog.choices import SERVICE_TRANSITIONS, ServiceEventKind, ServiceStatus
from catalog.models import Plan, ProductOption, Service, ServiceEvent, default_currency
from core.money import round_money

CENT = Decimal("0.01")
# Who may change a service's lifecycle, plan or resources (staff) and place orders for customers.
CHANGE_PERMISSION = "catalog.change_service"
ORDER_PERMISSION = "catalog.change_order"

# The verb of each target status, for refusals ("… cannot be suspended").
TRANSITION_VERBS = {
    ServiceStatus.PROVISIONING: "provisioned",
    ServiceStatus.ACTIVE: "activated",
    ServiceStatus.SUSPENDED: "suspended",
    ServiceStatus.CANCELLATION_REQUESTED: "put up for cancellation",
    ServiceStatus.CANCELLED: "cancelled",
    ServiceStatus.TERMINATED: "terminated",
}


def money(amount: Decimal, currency: str | None = None) -> Decimal:
    """A price under the one money policy (:func:`core.money.round_money`): half up to the minor unit of
    ``currency`` (the catalog's currency when not given)."""
    return round_money(amount, currency or default_currency())


def _today() -> date:
    return timezone.localdate()


# --- permissions -----------------------------------------------------------------------------------------


def _require_staff(actor, permission: str = CHANGE_PERMISSION) -> None:
    """Staff with ``permission``; ``None`` is the system itself (scheduled tasks, demo data)."""
    if actor is None:
        return
    if not actor.is_staff or not actor.has_perm(permission):
        raise PermissionDenied(_("Only staff who manage services may do this."))


def _membership(user, company) -> Membership | None:
    return Membership.objects.active().filter(user=user, company=company).first()


def _require_orderer(user, company: Company) -> None:
    """A member whose role may order (owner, billing), or staff allowed to take orders."""
    if user is not None and user.is_staff and user.has_perm(ORDER_PERMISSION):
        return
    membership = _membership(user, company) if user is not None else None
    if membership is None or not membership.can("order"):
        raise PermissionDenied(
            _("Your role at %(company)s does not allow ordering or cancelling services; ask an owner.")
            % {"company": company}
        )


# --- lifecycle -------------------------------------------------------------------------------------------


def _locked(service: Service) -> Service:
    return Service.objects.select_for_update(of=("self",)).select_related("plan__product", "company").get(pk=service.pk)


def _log(
    service: Service,
    *,
    kind: str = ServiceEventKind.TRANSITION,
    from_status: str = "",
    to_status: str = "",
    actor=None,
    reason: str = "",
    at: datetime | None = None,
) -> ServiceEvent:
    return ServiceEvent.objects.create(
        service=service,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
        at=at or timezone.now(),
    )


def _transition(service: Service, to: str, *, actor, reason: str = "") -> tuple[Service, datetime]:
    """Lock ``service``, refuse a move the lifecycle does not allow, and log the move; the caller stamps dates."""
    service = _locked(service)
    current = service.status
    if to not in SERVICE_TRANSITIONS[current]:
        allowed = sorted(str(ServiceStatus(status).label).lower() for status in SERVICE_TRANSITIONS[current])
        nxt = ", ".join(allowed) if allowed else _("nothing: it is final")
        raise ValidationError(
            _("%(service)s is %(status)s, so it cannot be %(verb)s. From %(status)s it can only become: %(next)s.")
            % {
                "service": service,
                "status": service.get_status_display().lower(),
                "verb": _(TRANSITION_VERBS[to]),
                "next": nxt,
            }
        )
    now = timezone.now()
    service.status = to
    service._change_reason = reason or f"{current} → {to}"
    _log(service, from_status=current, to_status=to, actor=actor, reason=reason, at=now)
    return service, now


def _store(service: Service) -> Service:
    service.full_clean()
    service.save()
    return service


def _check_options(plan: Plan, options: Sequence[ProductOption]) -> None:
    """Refuse an add-on that is not offered with ``plan`` (another product's, withdrawn, another currency)."""
    for option in options:
        if option.product_id != plan.product_id or not option.is_active:
            raise ValidationError(
                {
                    "options": _("%(option)s is not offered with %(plan)s; choose among that plan's options.")
                    % {"option": option, "plan": plan}
                }
            )
        if option.currency != plan.currency:
            raise ValidationError(
                {
                    "options": _("%(option)s is priced in %(currency)s; %(plan)s is billed in %(plan_currency)s.")
                    % {"option": option, "currency": option.currency, "plan": plan, "plan_currency": plan.currency}
                }
            )
