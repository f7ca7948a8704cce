"""Every write of the DCIM app: placement, reservations, cables, power allocation, secrets, resale.

Each function is keyword-only and atomic; it locks the rows whose invariants it checks, so two people
placing into the same units cannot both succeed. Errors name what collides with what, in the user's terms.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dcim.choices import (
    CUSTOMER_REVEALABLE_SECRETS,
    DeviceStatus,
    InterfaceType,
    Ownership,
    PowerPortType,
    RackFace,
    SecretField,
)
from dcim.models import (
    Cable,
    Device,
    DeviceType,
    Interface,
    PowerCircuit,
    PowerOutlet,
    PowerPort,
    Rack,
    RackReservation,
    SecretReveal,
    ServerWelcome,
    unit_range_text,
)

SECRET_REVEAL_PERMISSION = "dcim.reveal_device_secret"


def _units_text(units) -> str:
    units = sorted(units)
    return unit_range_text(units[0], units[-1])


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


def _placement_conflicts(*, device: Device, rack: Rack, position: int, face: str) -> list[str]:
    """What stands in the way of ``device`` at ``position``: devices and other customers' reservations."""
    problems = []
    height = max(device.device_type.u_height, 1)
    wanted = set(range(position, position + height))
    wanted_faces = {RackFace.FRONT, RackFace.REAR} if device.device_type.is_full_depth else {face}
    if device.device_type.u_height == 0:
        return problems
    others = (
        rack.devices.filter(position__isnull=False)
        .exclude(pk=device.pk)
        .select_related("device_type", "company")
        .order_by("position")
    )
    for other in others:
        overlap = wanted & set(other.units)
        if overlap and wanted_faces & other.faces:
            problems.append(
                _("%(units)s of rack %(rack)s are taken by %(other)s (%(other_units)s, %(owner)s).")
                % {
                    "units": _units_text(overlap),
                    "rack": rack,
                    "other": other,
                    "other_units": other.unit_range,
                    "owner": other.owner_display,
                }
            )
    reservations = rack.reservations.filter(first_u__lte=max(wanted), last_u__gte=min(wanted)).select_related("company")
    for reservation in reservations:
        if device.company_id is not None and reservation.company_id == device.company_id:
            continue
        overlap = wanted & set(reservation.units)
        problems.append(
            _("%(units)s of rack %(rack)s are reserved for %(company)s.")
            % {"units": _units_text(overlap), "rack": rack, "company": reservation.company}
        )
    return problems


def device_placement_problems(*, device: Device, rack: Rack, position: int, face: str = RackFace.FRONT) -> list[str]:
    """Why ``device`` cannot go to ``position`` of ``rack`` (empty when it can); forms show these before saving."""
    height = max(device.device_type.u_height, 1)
    top = position + height - 1
    if position < 1 or top > rack.u_height:
        return [
            _("%(units)s is outside rack %(rack)s, which has units 1–%(height)d.")
            % {"units": unit_range_text(position, top), "rack": rack, "height": rack.u_height}
        ]
    if rack.company_id and rack.company_id != device.company_id:
        return [
            _("Rack %(rack)s belongs to %(owner)s; %(device)s is %(device_owner)s's.")
            % {
                "rack": rack,
                "owner": rack.company,
                "device": device,
                "device_owner": device.company or _("the datacenter"),
            }
        ]
    return _placement_conflicts(device=device, rack=rack, position=position, face=face)


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


# --- cables ----------------------------------------------------------------------------------------------


def _existing_cable(interface: Interface) -> Cable | None:
    return (
        Cable.objects.filter(Q(a_interface=interface) | Q(b_interface=interface))
        .select_related("a_interface__device", "b_interface__device")
        .first()
    )


@transaction.atomic
def cable_connect(*, a: Interface, b: Interface, label: str = "", **fields) -> Cable:
    """Connect two interfaces; each end takes one cable, so a booked interface is refused with its peer."""
    a, b = (
        Interface.objects.select_for_update(of=("self",)).select_related("device").get(pk=pk) for pk in (a.pk, b.pk)
    )
    if a.pk == b.pk:
        raise ValidationError(_("A cable needs two different ends; both are %(interface)s.") % {"interface": a})
    problems = []
    for end in (a, b):
        cable = _existing_cable(end)
        if cable is not None:
            peer = cable.b_interface if cable.a_interface_id == end.pk else cable.a_interface
            problems.append(
                _("%(interface)s is already connected to %(peer)s (cable %(cable)s).")
                % {"interface": end, "peer": peer, "cable": cable}
            )
    if problems:
        raise ValidationError(problems)
    cable = Cable(a_interface=a, b_interface=b, label=label.strip(), **fields)
    cable.full_clean()
    cable.save()
    return cable


@transaction.atomic
def cable_disconnect(*, cable: Cable) -> None:
    """Remove a cable; both interfaces become free."""
    cable.delete()


# --- power -----------------------------------------------------------------------------------------------


def _kw(watts) -> Decimal:
    return (Decimal(watts or 0) / 1000).quantize(Decimal("0.01"))


def circuit_connected_watts(circuit: PowerCircuit, *, exclude_port: PowerPort | None = None) -> int:
    """The allocated draw of every power port plugged into a PDU fed by ``circuit``."""
    ports = PowerPort.objects.filter(outlet__pdu__power_circuit=circuit)
    if exclude_port is not None:
        ports = ports.exclude(pk=exclude_port.pk)
    return ports.aggregate(total=Sum("allocated_draw_w"))["total"] or 0


def rack_connected_watts(rack: Rack, *, exclude_port: PowerPort | None = None) -> int:
    """The allocated draw of every power port plugged into a PDU fed by one of ``rack``'s circuits."""
    ports = PowerPort.objects.filter(outlet__pdu__power_circuit__rack=rack)
    if exclude_port is not None:
        ports = ports.exclude(pk=exclude_port.pk)
    return ports.aggregate(total=Sum("allocated_draw_w"))["total"] or 0


def power_draw_problems(*, power_port: PowerPort, outlet: PowerOutlet, watts: int | None = None) -> list[str]:
    """Why ``power_port`` drawing ``watts`` (default: its allocated draw) from ``outlet`` would over-allocate.

    Three budgets are checked: the circuit feeding the outlet's PDU (its usable capacity), the customer's
    contract on that circuit (``allocated_kw`` when the circuit is allocated to a customer, who alone may draw
    from it) and the power budget of the rack the circuit feeds.
    """
    watts = power_port.allocated_draw_w if watts is None else watts
    circuit = outlet.pdu.power_circuit
    if circuit is None:
        return []
    problems = []
    device = power_port.device
    connected = circuit_connected_watts(circuit, exclude_port=power_port)
    total = _kw(connected + watts)
    if total > circuit.capacity_kw:
        problems.append(
            _(
                "Circuit %(circuit)s can carry %(capacity)s kW and %(connected)s kW is connected already: "
                "%(port)s (%(watts)d W) would take it to %(kw)s kW."
            )
            % {
                "circuit": circuit,
                "capacity": circuit.capacity_kw,
                "connected": _kw(connected),
                "port": power_port,
                "watts": watts,
                "kw": total,
            }
        )
    if circuit.company_id is not None:
        if device.company_id != circuit.company_id:
            problems.append(
                _("Circuit %(circuit)s is allocated to %(company)s; %(port)s belongs to %(owner)s.")
                % {
                    "circuit": circuit,
                    "company": circuit.company,
                    "port": power_port,
                    "owner": device.company or _("the datacenter"),
                }
            )
        elif total > circuit.allocated_kw:
            problems.append(
                _(
                    "%(company)s has %(allocated)s kW on circuit %(circuit)s and %(connected)s kW is connected: "
                    "%(port)s (%(watts)d W) would take it to %(kw)s kW."
                )
                % {
                    "company": circuit.company,
                    "allocated": circuit.allocated_kw,
                    "circuit": circuit,
                    "connected": _kw(connected),
                    "port": power_port,
                    "watts": watts,
                    "kw": total,
                }
            )
    rack = circuit.rack
    if rack is not None and rack.power_budget_kw is not None:
        in_rack = rack_connected_watts(rack, exclude_port=power_port)
        rack_total = _kw(in_rack + watts)
        if rack_total > rack.power_budget_kw:
            problems.append(
                _(
                    "Rack %(rack)s has a power budget of %(budget)s kW and %(connected)s kW is connected: "
                    "%(port)s (%(watts)d W) would take it to %(kw)s kW."
                )
                % {
                    "rack": rack,
                    "budget": rack.power_budget_kw,
                    "connected": _kw(in_rack),
                    "port": power_port,
                    "watts": watts,
                    "kw": rack_total,
                }
            )
    return problems


def power_connection_problems(*, power_port: PowerPort, outlet: PowerOutlet) -> list[str]:
    """Why ``power_port`` cannot be plugged into ``outlet``: double booking first, then the power budgets."""
    problems = []
    if outlet.power_port_id is not None and outlet.power_port_id != power_port.pk:
        problems.append(
            _("Outlet %(outlet)s already powers %(other)s.") % {"outlet": outlet, "other": outlet.power_port}
        )
    current = PowerOutlet.objects.filter(power_port=power_port).exclude(pk=outlet.pk).select_related("pdu").first()
    if current is not None:
        problems.append(
            _("%(port)s is already plugged into outlet %(outlet)s.") % {"port": power_port, "outlet": current}
        )
    if power_port.device_id == outlet.pdu_id:
        problems.append(_("%(port)s cannot be plugged into its own PDU.") % {"port": power_port})
    if problems:
        return problems
    return power_draw_problems(power_port=power_port, outlet=outlet)


def _locked_circuit_of(outlet: PowerOutlet) -> None:
    """Lock the circuit and rack an outlet draws from, so two connections cannot both take the last watts."""
    circuit_id = outlet.pdu.power_circuit_id
    if circuit_id is not None:
        circuit = PowerCircuit.objects.select_for_update(of=("self",)).select_related("rack").get(pk=circuit_id)
        if circuit.rack_id is not None:
            Rack.objects.select_for_update().filter(pk=circuit.rack_id).first()
        outlet.pdu.power_circuit = circuit


def _locked_power_port(power_port: PowerPort) -> PowerPort:
    return PowerPort.objects.select_for_update(of=("self",)).select_related("device__company").get(pk=power_port.pk)


@transaction.atomic
def power_port_create(
    *,
    device: Device,
    name: str,
    type: str = "",  # noqa: A002 - the field's name
    maximum_draw_w: int | None = None,
    allocated_draw_w: int = 0,
) -> PowerPort:
    """Add a power port (a PSU inlet) to ``device``."""
    port = PowerPort(
        device=device,
        name=name.strip(),
        type=type,
        maximum_draw_w=maximum_draw_w,
        allocated_draw_w=allocated_draw_w,
    )
    port.full_clean()
    port.save()
    return port


@transaction.atomic
def power_port_update(*, power_port: PowerPort, **fields) -> PowerPort:
    """Change a power port; a plugged-in port's new allocated draw must fit its circuit, contract and rack."""
    power_port = _locked_power_port(power_port)
    for name, value in fields.items():
        setattr(power_port, name, value)
    power_port.full_clean()
    outlet = (
        PowerOutlet.objects.filter(power_port=power_port)
        .select_related("pdu__power_circuit__rack", "pdu__power_circuit__company")
        .first()
    )
    if outlet is not None:
        _locked_circuit_of(outlet)
        problems = power_draw_problems(power_port=power_port, outlet=outlet)
        if problems:
            raise ValidationError(problems)
    power_port.save()
    return power_port


@transaction.atomic
def power_port_connect(*, power_port: PowerPort, outlet: PowerOutlet) -> PowerOutlet:
    """Plug ``power_port`` into a PDU ``outlet``.

    Refused when the outlet powers another port, the port is plugged in elsewhere, or the draw would exceed
    the circuit's usable capacity, the customer's contracted kW on it, or the rack's power budget.
    """
    outlet = (
        PowerOutlet.objects.select_for_update(of=("self",))
        .select_related("pdu__power_circuit__rack", "pdu__power_circuit__company", "power_port__device")
        .get(pk=outlet.pk)
    )
    power_port = _locked_power_port(power_port)
    if outlet.power_port_id == power_port.pk:
        return outlet
    _locked_circuit_of(outlet)
    problems = power_connection_problems(power_port=power_port, outlet=outlet)
    if problems:
        raise ValidationError(problems)
    outlet.power_port = power_port
    outlet.full_clean()
    outlet.save()
    return outlet


@transaction.atomic
def power_port_disconnect(*, power_port: PowerPort) -> None:
    """Unplug ``power_port`` from its outlet (nothing happens when it is not plugged in)."""
    for outlet in PowerOutlet.objects.select_for_update().filter(power_port=power_port):
        outlet.power_port = None
        outlet.save()


@transaction.atomic
def power_circuit_allocate(*, circuit: PowerCircuit, company, kw: Decimal, rack: Rack | None = None) -> PowerCircuit:
    """Contract ``kw`` of ``circuit`` to ``company`` (feeding ``rack``).

    Refused when the circuit's usable capacity (80% of the breaker by default) or the rack's power budget
    would be exceeded, when the circuit already serves another customer, when less than the draw of the power
    ports already connected to it is asked for, or when another party's equipment draws from it.
    """
    circuit = (
        PowerCircuit.objects.select_for_update(of=("self",))
        .select_related("panel", "company", "rack")
        .get(pk=circuit.pk)
    )
    kw = Decimal(kw).quantize(Decimal("0.01"))
    rack = rack or circuit.rack
    if kw <= 0:
        raise ValidationError(_("Allocate a positive number of kW."))
    if circuit.company_id and circuit.company_id != company.pk:
        raise ValidationError(
            _("Circuit %(circuit)s is allocated to %(company)s; release it first.")
            % {"circuit": circuit, "company": circuit.company}
        )
    if kw > circuit.capacity_kw:
        raise ValidationError(
            _(
                "Circuit %(circuit)s can carry %(capacity)s kW (%(amps)s A usable of a %(breaker)d A breaker); "
                "%(kw)s kW is too much."
            )
            % {
                "circuit": circuit,
                "capacity": circuit.capacity_kw,
                "amps": circuit.usable_amps,
                "breaker": circuit.amperage,
                "kw": kw,
            }
        )
    connected = PowerPort.objects.filter(outlet__pdu__power_circuit=circuit)
    connected_kw = _kw(connected.aggregate(total=Sum("allocated_draw_w"))["total"])
    if kw < connected_kw:
        raise ValidationError(
            _("%(connected)s kW is connected to circuit %(circuit)s already; allocate at least that, not %(kw)s kW.")
            % {"connected": connected_kw, "circuit": circuit, "kw": kw}
        )
    foreign = connected.exclude(device__company=company).select_related("device__company").first()
    if foreign is not None:
        raise ValidationError(
            _("%(port)s of %(owner)s draws from circuit %(circuit)s; unplug it before allocating to %(company)s.")
            % {
                "port": foreign,
                "owner": foreign.device.company or _("the datacenter"),
                "circuit": circuit,
                "company": company,
            }
        )
    if rack is not None:
        rack = Rack.objects.select_for_update().get(pk=rack.pk)
        if rack.company_id and rack.company_id != company.pk:
            raise ValidationError(
                _("Rack %(rack)s belongs to %(owner)s, not %(company)s.")
                % {"rack": rack, "owner": rack.company, "company": company}
            )
        if rack.power_budget_kw is not None:
            others = PowerCircuit.objects.filter(rack=rack).exclude(pk=circuit.pk).aggregate(total=Sum("allocated_kw"))[
                "total"
            ] or Decimal("0")
            others = Decimal(others).quantize(Decimal("0.01"))
            if others + kw > rack.power_budget_kw:
                raise ValidationError(
                    _(
                        "Rack %(rack)s has a power budget of %(budget)s kW and %(others)s kW is allocated already: "
                        "%(kw)s kW more does not fit."
                    )
                    % {"rack": rack, "budget": rack.power_budget_kw, "others": others, "kw": kw}
                )
    circuit.company = company
    circuit.rack = rack
    circuit.allocated_kw = kw
    circuit.full_clean()
    circuit.save()
    return circuit


@transaction.atomic
def power_circuit_release(*, circuit: PowerCircuit) -> PowerCircuit:
    """Take a circuit's allocation back (the circuit stays wired to its rack)."""
    circuit.company = None
    circuit.allocated_kw = Decimal("0")
    circuit.full_clean()
    circuit.save()
    return circuit


# --- secrets ---------------------------------------------------------------------------------------------


def may_reveal_secret(*, device: Device, field: str, user) -> bool:
    """Permitted staff may reveal any secret; the owning customer's technical members root and IPMI passwords."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff:
        return user.has_perm(SECRET_REVEAL_PERMISSION)
    if field not in CUSTOMER_REVEALABLE_SECRETS or device.company_id is None:
        return False
    from accounts.services import membership_for

    membership = membership_for(user=user, company=device.company_id)
    return membership is not None and membership.can("technical")


@transaction.atomic
def device_secret_reveal(*, device: Device, field: str, user, ip_address: str | None = None) -> str:
    """The plain text of one of ``device``'s secrets, for a permitted user; every reveal is written to the audit.

    The audit is :class:`dcim.models.SecretReveal` (who, which secret, when, from where, as staff or customer),
    shown read-only in the admin.
    """
    if field not in SecretField.values:
        raise ValidationError(_("%(field)s is not a device secret.") % {"field": field})
    if not may_reveal_secret(device=device, field=field, user=user):
        raise PermissionDenied(
            _("You may not see the %(secret)s of %(device)s.")
            % {"secret": SecretField(field).label.lower(), "device": device}
        )
    SecretReveal.objects.create(
        device=device, field=field, user=user, ip_address=ip_address or None, as_customer=not user.is_staff
    )
    return getattr(device, field)


@transaction.atomic
def device_secret_set(*, device: Device, field: str, value: str) -> Device:
    """Store a new secret (encrypted at rest)."""
    if field not in SecretField.values:
        raise ValidationError(_("%(field)s is not a device secret.") % {"field": field})
    device = Device.objects.select_for_update().get(pk=device.pk)
    setattr(device, field, value)
    device._change_reason = f"{field} changed"
    device.save(update_fields=[field, "last_updated"])
    return device


# --- welcome e-mail --------------------------------------------------------------------------------------

WELCOME_ROLES = ("owner", "technical")


def server_welcome_recipients(*, device: Device) -> list[str]:
    """The e-mail addresses of the owning company's active owner and technical members, sorted."""
    from accounts.models import Membership

    if device.company_id is None:
        return []
    emails = (
        Membership.objects.active()
        .filter(company_id=device.company_id, role__in=WELCOME_ROLES, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


@transaction.atomic
def server_welcome_send(*, device: Device, actor, to: list[str] | None = None, base_url: str = "") -> ServerWelcome:
    """Send the welcome e-mail of a rented server (again, if asked) and keep a copy of what was sent.

    The e-mail goes after commit to ``to`` or, by default, to the owning company's owner and technical members.
    It carries the server's details and a link to the portal page where the passwords are revealed (audited):
    the passwords themselves are never put in an e-mail.
    """
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.company_id is None:
        raise ValidationError(
            _("%(device)s is assigned to no customer; assign it before sending the welcome e-mail.")
            % {"device": device}
        )
    recipients = sorted({address.strip() for address in to if address.strip()}) if to else []
    recipients = recipients or server_welcome_recipients(device=device)
    if not recipients:
        raise ValidationError(
            _("%(company)s has no owner or technical member with an e-mail address to welcome.")
            % {"company": device.company}
        )
    portal_link = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/") + reverse(
        "portal:device_detail", args=[device.pk]
    )
    context = {
        "device": device,
        "company": device.company,
        "interfaces": device.interfaces.filter(enabled=True).order_by("name"),
        "portal_link": portal_link,
    }
    body = render_to_string("dcim/email/server_welcome.txt", context)
    subject = _("Your server %(device)s is ready") % {"device": device}
    welcome = ServerWelcome.objects.create(
        device=device, sent_at=timezone.now(), sent_by=actor, recipients=recipients, body=body
    )
    device.welcome_email_sent_at = welcome.sent_at
    device._change_reason = "welcome e-mail sent"
    device.save(update_fields=["welcome_email_sent_at", "last_updated"])
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
    return welcome
