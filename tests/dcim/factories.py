"""Factories of the DCIM models; the customer-visible ones are registered for the generic suites."""

import itertools
from decimal import Decimal

from dcim import services
from dcim.choices import DeviceStatus, InterfaceType, Ownership
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
    PowerPort,
    Rack,
    RackReservation,
    Room,
    Row,
    SecretReveal,
    Site,
)
from tests.factories import register_factory, register_foreign_portal_object

_numbers = itertools.count(1)


def site(name: str = "Ashburn 1") -> Site:
    return Site.objects.get_or_create(slug=name.lower().replace(" ", "-"), defaults={"name": name, "code": "IAD1"})[0]


def room(name: str = "Hall 1") -> Room:
    return Room.objects.get_or_create(site=site(), name=name)[0]


def row(name: str = "A") -> Row:
    return Row.objects.get_or_create(room=room(), name=name)[0]


def manufacturer(name: str = "Supermicro") -> Manufacturer:
    return Manufacturer.objects.get_or_create(slug=name.lower(), defaults={"name": name})[0]


def device_type(model: str = "SYS-1029", *, u_height: int = 1, full_depth: bool = True, **fields) -> DeviceType:
    slug = model.lower().replace(" ", "-")
    return DeviceType.objects.get_or_create(
        slug=slug,
        defaults={
            "manufacturer": manufacturer(),
            "model": model,
            "u_height": u_height,
            "is_full_depth": full_depth,
            "power_draw_watts": 350,
            **fields,
        },
    )[0]


def make_rack(company=None, *, name: str | None = None, u_height: int = 42, **fields) -> Rack:
    return Rack.objects.create(
        name=name or f"R{next(_numbers):03d}",
        site=site(),
        room=room(),
        row=row(),
        company=company,
        u_height=u_height,
        **fields,
    )


def make_device(company=None, *, rack=None, position=None, name=None, dtype=None, **fields) -> Device:
    fields.setdefault("ownership", Ownership.CUSTOMER if company else Ownership.DATACENTER)
    fields.setdefault("status", DeviceStatus.ACTIVE if rack else DeviceStatus.INVENTORY)
    return Device.objects.create(
        name=name or f"dev{next(_numbers)}",
        device_type=dtype or device_type(),
        company=company,
        site=site(),
        rack=rack,
        position=position,
        **fields,
    )


def make_interface(device, name: str | None = None, **fields) -> Interface:
    fields.setdefault("type", InterfaceType.SFPP_10G)
    fields.setdefault("speed", 10000)
    return Interface.objects.create(device=device, name=name or f"eth{next(_numbers)}", **fields)


def make_circuit(company=None, *, rack=None, amperage: int = 16, voltage: int = 230, **fields) -> PowerCircuit:
    panel = PowerPanel.objects.get_or_create(site=site(), name="PP-1")[0]
    return PowerCircuit.objects.create(
        panel=panel, name=f"C{next(_numbers)}", rack=rack, company=company, amperage=amperage, voltage=voltage, **fields
    )


def make_power_port(device, name: str | None = None, *, watts: int = 300, **fields) -> PowerPort:
    fields.setdefault("maximum_draw_w", watts)
    return PowerPort.objects.create(
        device=device, name=name or f"PSU{next(_numbers)}", allocated_draw_w=watts, **fields
    )


def make_pdu(circuit=None, *, name: str | None = None, outlets: int = 4, company=None) -> Device:
    """A zero-U PDU fed by ``circuit`` with ``outlets`` outlets named 1..n."""
    pdu = make_device(
        company, name=name or f"pdu{next(_numbers)}", dtype=device_type("PDU 0U", u_height=0), power_circuit=circuit
    )
    for number in range(1, outlets + 1):
        PowerOutlet.objects.create(pdu=pdu, name=str(number))
    return pdu


@register_factory(Rack)
def rack_for(company) -> Rack:
    return make_rack(company)


@register_factory(RackReservation)
def reservation_for(company) -> RackReservation:
    return RackReservation.objects.create(rack=make_rack(), company=company, first_u=10, last_u=12, reason="growth")


@register_factory(Device)
def device_for(company) -> Device:
    return make_device(company, serial=f"SN{next(_numbers)}", root_password="s3cret-root", ipmi_password="ipmi-pw")


@register_factory(Interface)
def interface_for(company) -> Interface:
    return make_interface(make_device(company))


@register_factory(PowerPort)
def power_port_for(company) -> PowerPort:
    return make_power_port(make_device(company), "PSU1")


@register_factory(CrossConnect)
def cross_connect_for(company) -> CrossConnect:
    return CrossConnect.objects.create(
        circuit_id=f"XC-{next(_numbers):05d}", company=company, a_rack=make_rack(company), loss_db=Decimal("0.35")
    )


@register_factory(PowerCircuit)
def circuit_for(company) -> PowerCircuit:
    return make_circuit(company, rack=make_rack(company), allocated_kw=Decimal("2.00"))


@register_foreign_portal_object("rack_detail")
def _globex_rack(globex, bob):
    return [make_rack(globex).pk]


@register_foreign_portal_object("device_detail", "device_reveal")
def _globex_device(globex, bob):
    return [make_device(globex, root_password="globex-root").pk]


# --- reference data and records, through the services (the generic suites need one of every spec) ---------


@register_factory(Site)
def site_for(company) -> Site:
    number = next(_numbers)
    return services.site_create(name=f"Site {number}", slug=f"site-{number}")


@register_factory(Room)
def room_for(company) -> Room:
    return services.room_create(site=site(), name=f"Hall {next(_numbers)}")


@register_factory(Row)
def row_for(company) -> Row:
    return services.row_create(room=room(), name=f"Row {next(_numbers)}")


@register_factory(Manufacturer)
def manufacturer_for(company) -> Manufacturer:
    number = next(_numbers)
    return services.manufacturer_create(name=f"Maker {number}", slug=f"maker-{number}")


@register_factory(DeviceType)
def device_type_for(company) -> DeviceType:
    number = next(_numbers)
    return services.devicetype_create(manufacturer=manufacturer(), model=f"Model {number}", slug=f"model-{number}")


@register_factory(PowerPanel)
def power_panel_for(company) -> PowerPanel:
    return services.powerpanel_create(site=site(), name=f"PP-{next(_numbers)}")


@register_factory(Cable)
def cable_for(company) -> Cable:
    device = device_for(company)
    return services.cable_create(a_interface=make_interface(device), b_interface=make_interface(device))


@register_factory(PowerOutlet)
def power_outlet_for(company) -> PowerOutlet:
    return services.poweroutlet_create(pdu=make_pdu(outlets=0), name=str(next(_numbers)))


@register_factory(SecretReveal)
def secret_reveal_for(company) -> SecretReveal:
    from tests.accounts.factories import staff_member

    device = device_for(company)
    services.device_secret_set(device=device, field="root_password", value="s3cret")
    reader = staff_member(superuser=True, email=f"reveal{next(_numbers)}@serverstock.test")
    services.device_secret_reveal(device=device, field="root_password", user=reader)
    return SecretReveal.objects.filter(device=device).latest("pk")
