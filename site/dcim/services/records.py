"""What the generated admin and API write for DCIM: reference data through plain services, and devices, cables
and power outlets through the same checks as the flows (placement, one cable an interface, power budgets)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from core.services import instance_delete, instance_save, plain_services
from dcim.choices import RackFace
from dcim.models import (
    Cable,
    CrossConnect,
    Device,
    DeviceType,
    Interface,
    Manufacturer,
    PowerCircuit,
    PowerOutlet,
    PowerPanel,
    Rack,
    Room,
    Row,
    Site,
)
from dcim.services.cables import cable_connect
from dcim.services.devices import device_create, device_placement_problems
from dcim.services.power import _locked_circuit_of, power_connection_problems

site_create, site_update, site_delete = plain_services(Site)
room_create, room_update, room_delete = plain_services(Room)
row_create, row_update, row_delete = plain_services(Row)
rack_create, rack_update, rack_delete = plain_services(Rack)
manufacturer_create, manufacturer_update, manufacturer_delete = plain_services(Manufacturer)
devicetype_create, devicetype_update, devicetype_delete = plain_services(DeviceType)
interface_create, interface_update, interface_delete = plain_services(Interface)
crossconnect_create, crossconnect_update, crossconnect_delete = plain_services(CrossConnect)
powerpanel_create, powerpanel_update, powerpanel_delete = plain_services(PowerPanel)
powercircuit_create, powercircuit_update, powercircuit_delete = plain_services(PowerCircuit)

PLACEMENT_FIELDS = ("rack", "position", "face")


def _check_placement(device: Device) -> None:
    if device.rack_id is not None and device.position is not None:
        problems = device_placement_problems(
            device=device, rack=device.rack, position=device.position, face=device.face or RackFace.FRONT
        )
        if problems:
            raise ValidationError({"position": problems})


@transaction.atomic
def device_add(*, name: str, device_type: DeviceType, tags=None, **fields) -> Device:
    """The admin's and API's "add device": :func:`device_create` (interfaces and power ports from the type),
    placed only where :func:`device_placement_problems` finds nothing in the way."""
    probe = Device(name=name, device_type=device_type, **fields)
    _check_placement(probe)
    device = device_create(name=name, device_type=device_type, **fields)
    if tags is not None:
        device.tags.set(tags)
    return device


@transaction.atomic
def device_update(*, device: Device, **fields) -> Device:
    """Change a device; a new rack position is checked like a placement (units free, this customer's)."""
    device = Device.objects.select_for_update().select_related("device_type").get(pk=device.pk)
    if set(fields) & set(PLACEMENT_FIELDS):
        for name in PLACEMENT_FIELDS:
            if name in fields:
                setattr(device, name, fields[name])
        if "company" in fields:
            device.company = fields["company"]
        _check_placement(device)
    return instance_save(device, **fields)


@transaction.atomic
def device_delete(*, device: Device) -> None:
    """Delete a device (its interfaces and ports go with it; cables and services that use it refuse)."""
    instance_delete(device)


@transaction.atomic
def cable_create(*, a_interface: Interface, b_interface: Interface, **fields) -> Cable:
    """The admin's and API's "add cable": :func:`cable_connect`, which refuses an interface that has one."""
    return cable_connect(a=a_interface, b=b_interface, **fields)


def _check_connection(outlet: PowerOutlet, fields: dict) -> None:
    """Plugging a port in obeys the rules of :func:`power_port_connect`: no double booking, the draw fits."""
    port = fields.get("power_port", outlet.power_port)
    if port is None or not (fields.keys() & {"power_port", "pdu"}):
        return
    candidate = PowerOutlet(pk=outlet.pk, pdu=fields.get("pdu", outlet.pdu), name=fields.get("name", outlet.name))
    _locked_circuit_of(candidate)
    problems = power_connection_problems(power_port=port, outlet=candidate)
    if problems:
        raise ValidationError({"power_port": problems})


@transaction.atomic
def poweroutlet_create(*, pdu: Device, **fields) -> PowerOutlet:
    """Add an outlet to a PDU (with a port plugged in only where the power budgets allow it)."""
    outlet = PowerOutlet(pdu=pdu)
    _check_connection(outlet, {**fields, "pdu": pdu})
    return instance_save(outlet, **fields)


@transaction.atomic
def poweroutlet_update(*, poweroutlet: PowerOutlet, **fields) -> PowerOutlet:
    """Change an outlet (plugging a port in checked as on creation)."""
    outlet = PowerOutlet.objects.select_for_update().select_related("pdu").get(pk=poweroutlet.pk)
    _check_connection(outlet, fields)
    return instance_save(outlet, **fields)


@transaction.atomic
def poweroutlet_delete(*, poweroutlet: PowerOutlet) -> None:
    """Remove an outlet (the port plugged into it is simply unplugged)."""
    instance_delete(poweroutlet)
