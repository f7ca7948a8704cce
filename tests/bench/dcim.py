"""DCIM at datacenter size: 100 racks, 20,000 devices, 200,000 interfaces, 2,000 addresses on interfaces.

``python -m tests.bench dcim``. Every figure is measured twice in the same run: first on a small reference
(1 rack, 200 devices, 2,000 interfaces), then after loading the rest. Each row prints the large figure beside
the reference, the time ratio, and both query counts, which must be equal: a page that costs more queries
at the larger size has a query per row somewhere.

Rows are loaded with ``bulk_create`` in batches (no history rows, no signals), as an import would.
"""

from __future__ import annotations

import ipaddress
import sys
from datetime import timedelta

from tests.bench import harness

RACKS = 100
DEVICES_PER_RACK = 200
INTERFACES_PER_DEVICE = 10
ADDRESS_EVERY = 10  # one address on eth0 of every 10th device
RACK_UNITS = 42
BATCH = 5000
FIRST_ADDRESS = ipaddress.IPv4Address("10.64.0.1")


def load(*, first_rack: int, racks: int) -> dict:
    """Racks ``first_rack``..``first_rack + racks - 1``, each with its devices, interfaces and addresses.

    The first 42 devices of a rack are racked at U1..U42; the rest are assigned to the rack's site unracked.
    """
    from django.utils import timezone

    from dcim.choices import DeviceStatus, InterfaceType, Ownership
    from dcim.models import Device, DeviceType, Interface, Manufacturer, Rack, Site
    from ipam.addressing import to_hex
    from ipam.choices import AssignmentKind
    from ipam.models import Assignment

    site = Site.objects.get_or_create(slug="bench-1", defaults={"name": "Bench 1", "code": "BEN1"})[0]
    vendor = Manufacturer.objects.get_or_create(slug="bench", defaults={"name": "Bench"})[0]
    server = DeviceType.objects.get_or_create(
        slug="bench-1u", defaults={"manufacturer": vendor, "model": "Bench 1U", "u_height": 1, "power_draw_watts": 200}
    )[0]
    rack_rows = Rack.objects.bulk_create(
        [
            Rack(name=f"R{number:03d}", site=site, u_height=RACK_UNITS)
            for number in range(first_rack, first_rack + racks)
        ]
    )
    started = timezone.now() - timedelta(days=30)
    counts = {"racks": len(rack_rows), "devices": 0, "interfaces": 0, "addresses": 0}
    for rack in rack_rows:
        base = (int(rack.name[1:]) - 1) * DEVICES_PER_RACK
        devices = [
            Device(
                name=f"srv{base + index:05d}",
                device_type=server,
                role="server",
                status=DeviceStatus.ACTIVE if index < RACK_UNITS else DeviceStatus.INVENTORY,
                ownership=Ownership.DATACENTER,
                site=site,
                rack=rack if index < RACK_UNITS else None,
                position=index + 1 if index < RACK_UNITS else None,
                serial=f"SN{base + index:07d}",
                management_ip=str(ipaddress.IPv4Address("172.16.0.1") + base + index),
            )
            for index in range(DEVICES_PER_RACK)
        ]
        devices = Device.objects.bulk_create(devices, batch_size=BATCH)
        interfaces = [
            Interface(device=device, name=f"eth{port}", type=InterfaceType.SFPP_10G, speed=10000)
            for device in devices
            for port in range(INTERFACES_PER_DEVICE)
        ]
        interfaces = Interface.objects.bulk_create(interfaces, batch_size=BATCH)
        assignments = []
        for offset, interface in enumerate(interfaces[:: INTERFACES_PER_DEVICE * ADDRESS_EVERY]):
            address = FIRST_ADDRESS + (base // ADDRESS_EVERY) + offset
            value = to_hex(address)
            assignments.append(
                Assignment(
                    kind=AssignmentKind.ASSIGNED,
                    network=f"{address}/32",
                    family=4,
                    start=value,
                    end=value,
                    interface=interface,
                    reason="bench",
                    started_at=started,
                )
            )
        Assignment.objects.bulk_create(assignments, batch_size=BATCH)
        counts["devices"] += len(devices)
        counts["interfaces"] += len(interfaces)
        counts["addresses"] += len(assignments)
    return counts


def measurements(client, rack) -> dict:
    """Name -> zero-argument callable, each one page or drawing as staff get it."""
    from django.urls import reverse

    from dcim.choices import RackFace
    from dcim.elevation import rack_elevation_svg

    device_list = reverse("admin:dcim_device_changelist")
    search = reverse("admin:dcim_device_hardware_search")
    # The address on eth0 of the 11th device of the first rack: the same answer at both sizes.
    address = str(FIRST_ADDRESS + 1)

    def get(url, params=None):
        response = client.get(url, params or {})
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    def searched():
        response = get(search, {"ip": address})
        if [device.name for device in response.context["shown"]] != ["srv00010"]:
            raise SystemExit(f"IP search for {address} found {response.context['shown']}")

    return {
        "admin device list (changelist)": lambda: get(device_list),
        "API device list (/api/dcim/devices/)": lambda: get("/api/dcim/devices/"),
        "rack elevation SVG (front, 42 devices)": lambda: rack_elevation_svg(rack, face=RackFace.FRONT),
        "hardware search by interface IP": searched,
        "hardware search by management IP": lambda: get(search, {"ip": "172.16.0.5"}),
    }


def main() -> int:
    harness.setup("dcim")
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name, and response.context for the search check

    from accounts.models import User
    from dcim.models import Rack

    report = harness.Report(
        f"DCIM: {RACKS} racks, {RACKS * DEVICES_PER_RACK:,} devices, "
        f"{RACKS * DEVICES_PER_RACK * INTERFACES_PER_DEVICE:,} interfaces (reference: 1 rack, "
        f"{DEVICES_PER_RACK} devices)"
    )
    admin = User.objects.create_superuser(email="bench@serverstock.test", password="bench-password")
    from tests.accounts.factories import enable_mfa, sign_in

    if not admin.authenticator_set.exists():
        enable_mfa(admin)
    client = sign_in(Client(), admin)  # staff pages need a session that passed MFA

    seconds, counts = harness.timed(lambda: load(first_rack=1, racks=1))
    print(f"reference loaded in {seconds:.1f} s: {counts}", flush=True)
    rack = Rack.objects.get(name="R001")
    small = {}
    for name, function in measurements(client, rack).items():
        function()  # warm caches, compiled templates, the session
        small[name] = harness.measure(function)
        print(f"  reference {name}: {small[name][0] * 1000:.1f} ms, {small[name][1]} queries", flush=True)

    seconds, counts = harness.timed(lambda: load(first_rack=2, racks=RACKS - 1))
    report.note("load the rest (bulk_create)", f"{seconds:.1f} s for {counts}")
    print(f"rest loaded in {seconds:.1f} s: {counts}", flush=True)
    unequal = []
    for name, function in measurements(client, rack).items():
        function()
        seconds, queries = harness.measure(function)
        report.row(name, seconds, queries, reference=small[name], reference_label="small")
        if queries != small[name][1]:
            unequal.append(f"{name}: {small[name][1]} → {queries} queries")
    report.print()
    if unequal:
        print("\nQuery counts grew with the data:\n  " + "\n  ".join(unequal))
        return 1
    print("\nQuery counts are the same at both sizes.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
