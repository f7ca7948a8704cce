"""Bulk changes from the admin's actions: status, move, tag, decommission, interfaces enabled."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from dcim.choices import (
    DeviceStatus,
    InterfaceType,
    Ownership,
)
from dcim.models import (
    Cable,
    Device,
    Interface,
    PowerOutlet,
    Rack,
)

# --- bulk changes (admin actions) ------------------------------------------------------------------------
#
# Each takes a queryset (or list) of rows, checks every row against the rules of the single edit first, and
# either changes all of them or none: the problems of every row are raised together, before anything is saved.


def _locked_devices(devices) -> list[Device]:
    pks = [getattr(item, "pk", item) for item in devices]
    return list(
        Device.objects.select_for_update(of=("self",))
        .select_related("device_type", "company", "rack__company", "site")
        .filter(pk__in=pks)
        .order_by("name", "pk")
    )


def _save_all(rows, reason: str) -> None:
    for row in rows:
        row._change_reason = reason
        row.full_clean()
        row.save()


def _cleaned_or_problems(rows) -> list[str]:
    problems = []
    for row in rows:
        try:
            row.full_clean()
        except ValidationError as error:
            problems.extend(f"{row}: {message}" for message in error.messages)
    return problems


@transaction.atomic
def device_bulk_set_status(*, devices, status: str) -> int:
    """Set the status of many devices. Decommissioning goes through :func:`device_bulk_decommission`'s rules.

    A rented server (ours, assigned to a customer) cannot be put back into inventory this way: it goes back
    to stock through :func:`server_return_to_stock`, after its wipe.
    """
    if status not in DeviceStatus.values:
        raise ValidationError(_("%(status)s is not a device status.") % {"status": status})
    if status == DeviceStatus.DECOMMISSIONED:
        return device_bulk_decommission(devices=devices)
    rows = _locked_devices(devices)
    problems = []
    for device in rows:
        if status == DeviceStatus.INVENTORY and device.ownership == Ownership.DATACENTER and device.company_id:
            problems.append(
                _("%(device)s is rented to %(company)s; return it to stock after its wipe instead.")
                % {"device": device, "company": device.company}
            )
        device.status = status
    problems += _cleaned_or_problems(rows)
    if problems:
        raise ValidationError(problems)
    _save_all(rows, f"status set to {status} (bulk)")
    return len(rows)


@transaction.atomic
def device_bulk_move(*, devices, site, rack: Rack | None = None) -> int:
    """Move many devices to ``site`` (and into ``rack``, unpositioned): their unit positions are cleared.

    Refused when the rack is not in the site, or belongs to a customer other than a device's.
    """
    if rack is not None:
        rack = Rack.objects.select_for_update(of=("self",)).select_related("company", "site").get(pk=rack.pk)
        if rack.site_id != site.pk:
            raise ValidationError(
                _("Rack %(rack)s is in %(rack_site)s, not in %(site)s.")
                % {"rack": rack, "rack_site": rack.site, "site": site}
            )
    rows = _locked_devices(devices)
    problems = []
    for device in rows:
        if rack is not None and rack.company_id and rack.company_id != device.company_id:
            problems.append(
                _("Rack %(rack)s belongs to %(owner)s; %(device)s is %(device_owner)s's.")
                % {
                    "rack": rack,
                    "owner": rack.company,
                    "device": device,
                    "device_owner": device.company or _("the datacenter"),
                }
            )
        device.site = site
        device.rack = rack
        device.position = None
    problems += _cleaned_or_problems(rows)
    if problems:
        raise ValidationError(problems)
    _save_all(rows, f"moved to {site}{' / ' + str(rack) if rack else ''} (bulk)")
    return len(rows)


@transaction.atomic
def device_bulk_add_tag(*, devices, tag: str) -> int:
    """Add ``tag`` to many devices."""
    tag = tag.strip()
    if not tag:
        raise ValidationError(_("Give the tag to add."))
    if len(tag) > 100:
        raise ValidationError(_("A tag has at most 100 characters; %(tag)s is longer.") % {"tag": tag[:40] + "…"})
    rows = _locked_devices(devices)
    for device in rows:
        device.tags.add(tag)
    return len(rows)


@transaction.atomic
def device_bulk_decommission(*, devices) -> int:
    """Decommission many devices: out of their racks, power ports unplugged, cables removed, status set.

    Refused for a rented server still assigned to its customer (return it to stock first) and for a PDU
    that still powers other devices (move their power first).
    """
    rows = _locked_devices(devices)
    pks = [device.pk for device in rows]
    problems = []
    for device in rows:
        if device.ownership == Ownership.DATACENTER and device.company_id:
            problems.append(
                _("%(device)s is rented to %(company)s; return it to stock first.")
                % {"device": device, "company": device.company}
            )
    powering = (
        PowerOutlet.objects.filter(pdu_id__in=pks, power_port__isnull=False)
        .exclude(power_port__device_id__in=pks)
        .select_related("pdu", "power_port__device")
        .order_by("pdu__name", "name")
    )
    for outlet in powering:
        problems.append(
            _("%(pdu)s still powers %(port)s (outlet %(outlet)s); move its power first.")
            % {"pdu": outlet.pdu, "port": outlet.power_port, "outlet": outlet.name}
        )
    for device in rows:
        device.status = DeviceStatus.DECOMMISSIONED
        device.rack = None
        device.position = None
    problems += _cleaned_or_problems(rows)
    if problems:
        raise ValidationError(problems)
    for outlet in PowerOutlet.objects.select_for_update().filter(power_port__device_id__in=pks):
        outlet.power_port = None
        outlet._change_reason = "unplugged: device decommissioned"
        outlet.save()
    for cable in Cable.objects.filter(Q(a_interface__device_id__in=pks) | Q(b_interface__device_id__in=pks)):
        cable._change_reason = "removed: device decommissioned"
        cable.delete()
    _save_all(rows, "decommissioned (bulk)")
    return len(rows)


PASSIVE_INTERFACE_TYPES = (InterfaceType.FRONT_PORT, InterfaceType.REAR_PORT)


@transaction.atomic
def interface_bulk_set_enabled(*, interfaces, enabled: bool) -> int:
    """Enable or disable many interfaces; patch panel ports are passive and refused."""
    pks = [getattr(item, "pk", item) for item in interfaces]
    rows = list(
        Interface.objects.select_for_update(of=("self",))
        .select_related("device")
        .filter(pk__in=pks)
        .order_by("device__name", "name")
    )
    problems = [
        _("%(interface)s is a passive patch panel port and has no enabled state.") % {"interface": interface}
        for interface in rows
        if interface.type in PASSIVE_INTERFACE_TYPES
    ]
    for interface in rows:
        interface.enabled = enabled
    problems += _cleaned_or_problems(rows)
    if problems:
        raise ValidationError(problems)
    _save_all(rows, "enabled (bulk)" if enabled else "disabled (bulk)")
    return len(rows)
