"""Additional IP requests: the ARIN justification recorded in IPAM and the block ordered; staff fulfil them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Company
from catalog.choices import OrderKind, OrderStatus, ProductKind, RequestStatus
from catalog.models import AdditionalIPRequest, Plan, Service
from catalog.services.common import _require_orderer, _require_staff
from catalog.services.orders import order_place
from catalog.services.resources import service_link_resources
from core.services import instance_save


@transaction.atomic
def additional_ip_request_create(
    *,
    company: Company,
    requested_by,
    plan: Plan,
    purpose: str,
    hosts_now: int,
    hosts_in_6_months: int = 0,
    hosts_in_12_months: int = 0,
    utilisation_plan: str = "",
    network_name: str = "",
    service: Service | None = None,
    customer_note: str = "",
) -> AdditionalIPRequest:
    """A customer asks for an IP block: the ARIN justification is recorded in IPAM as "submitted" (the pending
    assignment request), and the block is ordered (priced from ``plan``, an IP block plan)."""
    from ipam import services as ipam_services
    from ipam.choices import JustificationStatus

    _require_orderer(requested_by, company)
    if plan.product.kind != ProductKind.IP_BLOCK:
        raise ValidationError({"plan": _("%(plan)s is not an IP block.") % {"plan": plan}})
    if service is not None and service.company_id != company.pk:
        raise ValidationError({"service": _("That service is not one of %(company)s's.") % {"company": company}})
    product = plan.product
    justification = ipam_services.justification_create(
        company=company,
        purpose=purpose,
        hosts_now=hosts_now,
        hosts_in_6_months=hosts_in_6_months,
        hosts_in_12_months=hosts_in_12_months,
        utilisation_plan=utilisation_plan,
        network_name=network_name,
        requested_family=product.ip_family,
        requested_prefix_length=product.ip_prefix_length,
        status=JustificationStatus.SUBMITTED,
        actor=requested_by,
    )
    size = 2 ** ((32 if product.ip_family == 4 else 128) - (product.ip_prefix_length or 32))
    if product.ip_family == 4 and hosts_in_12_months > size:
        raise ValidationError(
            {
                "hosts_in_12_months": _(
                    "A /%(length)s holds %(size)s addresses; choose a larger block for %(hosts)s hosts."
                )
                % {"length": product.ip_prefix_length, "size": size, "hosts": hosts_in_12_months}
            }
        )
    order = order_place(
        company=company,
        placed_by=requested_by,
        lines=[{"plan": plan}],
        kind=OrderKind.ADDITIONAL_IPS,
        customer_note="\n".join(filter(None, [_("Purpose: %(purpose)s") % {"purpose": purpose}, customer_note])),
    )
    return instance_save(
        AdditionalIPRequest(
            company=company,
            service=service,
            order=order,
            justification=justification,
            requested_prefix_length=product.ip_prefix_length,
            requested_family=product.ip_family,
            requested_by=requested_by,
        )
    )


@transaction.atomic
def additional_ip_request_fulfil(*, request: AdditionalIPRequest, prefix, actor) -> AdditionalIPRequest:
    """Staff assign a block for an approved request: IPAM records the assignment with the (now approved)
    justification, and it is linked to the request's service."""
    from ipam import services as ipam_services
    from ipam.choices import JustificationStatus

    _require_staff(actor)
    request = (
        AdditionalIPRequest.objects.select_for_update(of=("self",))
        .select_related("justification", "order")
        .get(pk=request.pk)
    )
    if request.status != RequestStatus.SUBMITTED:
        raise ValidationError(_("This request is %(status)s already.") % {"status": request.get_status_display()})
    if request.order and request.order.status != OrderStatus.APPROVED:
        raise ValidationError(_("Approve order %(number)s first.") % {"number": request.order.number})
    justification = ipam_services.justification_status_set(
        justification=request.justification, status=JustificationStatus.APPROVED, actor=actor
    )
    target = request.service
    assignment = ipam_services.block_assign(
        prefix=prefix,
        company=request.company,
        justification=justification,
        service=target,
        reason=_("Additional IP request #%(number)s") % {"number": request.pk},
        actor=actor,
    )
    if target is not None:
        service_link_resources(service=target, actor=actor, ip_assignments=[assignment])
    request.assignment = assignment
    request.status = RequestStatus.FULFILLED
    return instance_save(request)
