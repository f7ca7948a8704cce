"""Rack reservations: reserve units for a company, release them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dcim.models import (
    Rack,
    RackReservation,
    unit_range_text,
)
from dcim.services.common import _units_text

# --- reservations ----------------------------------------------------------------------------------------


@transaction.atomic
def rack_reserve(
    *, rack: Rack, company, first_u: int, last_u: int, reason: str = "", expires_on=None
) -> RackReservation:
    """Hold units ``first_u``..``last_u`` of ``rack`` for ``company``.

    Refused when the units overlap another reservation or hold another customer's (or the datacenter's)
    devices.
    """
    rack = Rack.objects.select_for_update().get(pk=rack.pk)
    if first_u < 1 or last_u > rack.u_height or last_u < first_u:
        raise ValidationError(
            _("%(units)s is outside rack %(rack)s, which has units 1–%(height)d.")
            % {"units": unit_range_text(first_u, last_u), "rack": rack, "height": rack.u_height}
        )
    wanted = set(range(first_u, last_u + 1))
    problems = []
    overlapping = rack.reservations.filter(first_u__lte=last_u, last_u__gte=first_u).select_related("company")
    for other in overlapping:
        problems.append(
            _("%(units)s of rack %(rack)s are already reserved for %(company)s.")
            % {"units": _units_text(wanted & set(other.units)), "rack": rack, "company": other.company}
        )
    for device in rack.devices.filter(position__isnull=False).select_related("device_type", "company"):
        overlap = wanted & set(device.units)
        if overlap and device.company_id != company.pk:
            problems.append(
                _("%(units)s of rack %(rack)s hold %(device)s (%(owner)s).")
                % {"units": _units_text(overlap), "rack": rack, "device": device, "owner": device.owner_display}
            )
    if problems:
        raise ValidationError(problems)
    reservation = RackReservation(
        rack=rack, company=company, first_u=first_u, last_u=last_u, reason=reason.strip(), expires_on=expires_on
    )
    reservation.full_clean()
    reservation.save()
    return reservation


@transaction.atomic
def rack_reservation_release(*, reservation: RackReservation) -> None:
    """Give reserved units back."""
    reservation.delete()
