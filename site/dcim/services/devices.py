"""Devices and servers: create, place into a rack, unrack, assign to a company, hold for wipe, return to stock."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dcim.choices import (
    DeviceStatus,
    Ownership,
    PowerPortType,
    RackFace,
)
from dcim.models import (
    Device,
    DeviceType,
    Interface,
    Rack,
)
from dcim.selectors import device_placement_problems
from dcim.services.power import power_port_create

# --- devices ---------------------------------------------------------------------------------------------


@transaction.atomic
def device_create(
    *,
    name: str,
    device_type: DeviceType,
    company=None,
    ownership: str | None = None,
    role: str | None = None,
    status: str = DeviceStatus.INVENTORY,
    create_interfaces: bool = True,
    **fields,
) -> Device:
    """Create a device (unracked) with the interfaces and power ports of its type's templates.

    A type without a power port template that draws power gets one ``PSU1`` allocated its typical draw.
    """
    device = Device(
        name=name.strip(),
        device_type=device_type,
        company=company,
        ownership=ownership or (Ownership.CUSTOMER if company is not None else Ownership.DATACENTER),
        role=role or device_type.default_role,
        status=status,
        **fields,
    )
    device.full_clean()
    device.save()
    if create_interfaces:
        for item in device_type.interface_template:
            interface = Interface(
                device=device,
                name=item["name"],
                type=item.get("type") or Interface._meta.get_field("type").default,
                speed=item.get("speed"),
                mgmt_only=bool(item.get("mgmt_only", False)),
            )
            interface.full_clean()
            interface.save()
        for item in device_power_port_template(device_type):
            power_port_create(device=device, **item)
    return device


def device_power_port_template(device_type: DeviceType) -> list[dict]:
    """The power ports a new device of ``device_type`` gets, as keyword arguments of :func:`power_port_create`."""
    if device_type.power_port_template:
        return [
            {
                "name": item["name"],
                "type": item.get("type") or "",
                "maximum_draw_w": item.get("maximum_draw"),
                "allocated_draw_w": item.get("allocated_draw") or 0,
            }
            for item in device_type.power_port_template
        ]
    if device_type.power_draw_watts:
        watts = device_type.power_draw_watts
        return [{"name": "PSU1", "type": PowerPortType.IEC_C14, "maximum_draw_w": watts, "allocated_draw_w": watts}]
    return []


@transaction.atomic
def device_place(*, device: Device, rack: Rack, position: int, face: str = RackFace.FRONT) -> Device:
    """Put ``device`` into ``rack`` with its lowest unit at ``position``.

    Refused when the units are outside the rack, occupied on the same face (full-depth devices take both
    faces), reserved for another customer, or the rack belongs to another customer.
    """
    rack = Rack.objects.select_for_update(of=("self",)).select_related("company").get(pk=rack.pk)
    # The rack's row lock serialises placements into it; the caller's device (with any unsaved edits from a
    # form) is what gets placed.
    problems = device_placement_problems(device=device, rack=rack, position=position, face=face)
    if problems:
        raise ValidationError(problems)
    device.rack = rack
    device.site = rack.site
    device.position = position
    device.face = face
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def device_unrack(*, device: Device) -> Device:
    """Take a device out of its rack (it stays at the site)."""
    device.rack = None
    device.position = None
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def device_assign(*, device: Device, company) -> Device:
    """Hand a datacenter-owned server to a customer (a rental): it leaves the stock count."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.company_id and device.company_id != company.pk:
        raise ValidationError(
            _("%(device)s is assigned to %(company)s; return it to stock first.")
            % {"device": device, "company": device.company}
        )
    if device.status in (DeviceStatus.FAULTY, DeviceStatus.DECOMMISSIONED):
        raise ValidationError(
            _("%(device)s is %(status)s and cannot be assigned.")
            % {"device": device, "status": device.get_status_display().lower()}
        )
    device.company = company
    if device.status == DeviceStatus.INVENTORY:
        device.status = DeviceStatus.STAGED
    device.full_clean()
    device.save()
    return device


WIPE_CHECKLIST = {
    "disks_wiped": _("Disks securely wiped"),
    "bios_reset": _("BIOS and BMC settings reset"),
    "ipmi_password_rotated": _("IPMI password changed"),
    "customer_ips_removed": _("Customer IP addresses removed"),
}


@transaction.atomic
def server_hold_for_wipe(*, device: Device, reason: str = "") -> Device:
    """A rented server whose service has ended: taken from its customer at once and staged until the wipe.

    The customer no longer sees it (portal, secrets, graphs follow the device's company) and it does not count
    in stock until :func:`server_return_to_stock`; the history keeps who had it and why it was taken back.
    """
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.ownership != Ownership.DATACENTER:
        raise ValidationError(
            _("%(device)s belongs to its customer; only our own servers are taken back for a wipe.")
            % {"device": device}
        )
    device.company = None
    device.status = DeviceStatus.STAGED
    device._change_reason = reason or "service ended: held for wipe"
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def server_return_to_stock(*, device: Device, checklist: dict[str, bool], new_ipmi_password: str = "") -> Device:
    """Resale: after a customer cancels, a rented server comes back into inventory once wiped.

    Every item of ``WIPE_CHECKLIST`` must be ticked. The root password is cleared; the history keeps who
    had the server and when.
    """
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.ownership != Ownership.DATACENTER:
        raise ValidationError(
            _("%(device)s belongs to its customer; only our own servers go back to stock.") % {"device": device}
        )
    missing = [str(label) for key, label in WIPE_CHECKLIST.items() if not checklist.get(key)]
    if missing:
        raise ValidationError(
            _("Before %(device)s goes back to stock: %(steps)s.")
            % {
                "device": device,
                "steps": ", ".join(missing),
            }
        )
    device.company = None
    device.status = DeviceStatus.INVENTORY
    device.root_password = ""
    device.welcome_email_sent_at = None
    if new_ipmi_password:
        device.ipmi_password = new_ipmi_password
    device._change_reason = "returned to stock after wipe"
    device.full_clean()
    device.save()
    return device
