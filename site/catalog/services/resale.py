"""Rented servers back into the resale flow: a cancelled service's datacenter-owned servers wait for their wipe
(a ``ServerReturn``; DCIM takes each server from the customer at once and stages it), and once staff have ticked
every item of DCIM's wipe checklist they go back to stock through ``dcim.services.server_return_to_stock`` (which
clears the secrets; the device history keeps who had it).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.choices import CURRENT_STATUSES, ServerReturnStatus
from catalog.models import ServerReturn, Service
from catalog.services.common import _require_staff
from core.services import instance_save


def _open_server_returns(service: Service, *, reason: str) -> tuple[list[str], list[str]]:
    """Open a return for each datacenter-owned server the ended ``service`` rented to its company.

    A server that another current service of the company still uses stays where it is (a managed service on
    the same machine, say); a server already waiting for this service is not opened twice (a termination after
    the cancellation). Returns the names of the servers now waiting and of those kept for other services.
    """
    from dcim import services as dcim_services
    from dcim.choices import Ownership

    devices = list(
        service.devices.filter(company=service.company_id, ownership=Ownership.DATACENTER).order_by("name", "pk")
    )
    if not devices:
        return [], []
    still_used = set(
        Service.objects.filter(devices__in=devices, status__in=CURRENT_STATUSES)
        .exclude(pk=service.pk)
        .values_list("devices", flat=True)
    )
    already = set(
        ServerReturn.objects.filter(device__in=devices)
        .filter(Q(service=service) | Q(status=ServerReturnStatus.WAITING))
        .values_list("device", flat=True)
    )
    waiting, kept = [], []
    for device in devices:
        if device.pk in still_used:
            kept.append(str(device))
            continue
        if device.pk not in already:
            instance_save(
                ServerReturn(device=device, service=service, company_id=service.company_id, description=reason[:200])
            )
            # The customer loses the server (and its secrets) now, not when the wipe is done.
            dcim_services.server_hold_for_wipe(device=device, reason=f"{service}: {reason}"[:100])
        waiting.append(str(device))
    return waiting, kept


@transaction.atomic
def server_return_check(
    *, server_return: ServerReturn, checklist: Mapping[str, bool], actor, new_ipmi_password: str = ""
) -> ServerReturn:
    """Record the wipe checklist of a returned server (the items of ``dcim.services.WIPE_CHECKLIST``, ticked or
    not); once every item is ticked the server goes back to stock through DCIM and the return is closed.

    Refused for a return that is closed already, for unknown checklist items, and when the server has been
    handed to another customer in the meantime.
    """
    from dcim import services as dcim_services

    _require_staff(actor)
    server_return = (
        ServerReturn.objects.select_for_update(of=("self",))
        .select_related("device", "company")
        .get(pk=server_return.pk)
    )
    device = server_return.device
    if server_return.status != ServerReturnStatus.WAITING:
        raise ValidationError(_("%(device)s is back in stock already.") % {"device": device})
    unknown = sorted(set(checklist) - set(dcim_services.WIPE_CHECKLIST))
    if unknown:
        raise ValidationError(_("Not items of the wipe checklist: %(items)s.") % {"items": ", ".join(unknown)})
    if device.company_id not in (None, server_return.company_id):
        raise ValidationError(
            _("%(device)s is now with %(company)s, not %(previous)s; this return no longer applies.")
            % {"device": device, "company": device.company, "previous": server_return.company}
        )
    server_return.checklist = {
        key: bool(checklist.get(key, server_return.checklist.get(key, False))) for key in dcim_services.WIPE_CHECKLIST
    }
    if all(server_return.checklist.values()):
        dcim_services.server_return_to_stock(
            device=device, checklist=server_return.checklist, new_ipmi_password=new_ipmi_password
        )
        server_return.status = ServerReturnStatus.RETURNED
        server_return.returned_at = timezone.now()
        server_return.returned_by = actor
        server_return._change_reason = _("Wiped and back in stock.")
    else:
        server_return._change_reason = _("Wipe checklist updated.")
    return instance_save(server_return)
