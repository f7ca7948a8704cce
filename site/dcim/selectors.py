"""Reads of the DCIM app that span models: stock counts, hardware search, elevations, power, dashboard."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from dcim.choices import DeviceStatus, RackFace
from dcim.models import Device, DeviceType, PowerCircuit, Rack, RackReservation


def server_stock() -> list[dict]:
    """Servers available for sale, per hardware configuration (device type), most available first.

    A server counts when it is the datacenter's own, in inventory and assigned to no customer. Each row is
    ``{"device_type": name, "slug": slug, "available": n, "hardware": summary}``; types with none are left out.
    """
    rows = (
        DeviceType.objects.annotate(available=Count("devices", filter=_stock_filter("devices__")))
        .filter(available__gt=0)
        .order_by("-available", "model")
    )
    return [
        {"device_type": row.model, "slug": row.slug, "available": row.available, "hardware": row.hardware_summary}
        for row in rows
    ]


def _stock_filter(prefix: str) -> Q:
    from dcim.choices import DeviceRole, Ownership

    return Q(
        **{
            f"{prefix}role": DeviceRole.SERVER,
            f"{prefix}status": DeviceStatus.INVENTORY,
            f"{prefix}company__isnull": True,
            f"{prefix}ownership": Ownership.DATACENTER,
        }
    )


def device_search(
    *,
    queryset=None,
    text: str = "",
    company=None,
    site=None,
    rack=None,
    role: str = "",
    tag: str = "",
    ip: str = "",
):
    """Hardware by assigned customer, by grouping (site, rack, role, tag) or by IP; one query however many match."""
    queryset = (queryset if queryset is not None else Device.objects.all()).with_relations()
    if company is not None:
        queryset = queryset.filter(company=company)
    if site is not None:
        queryset = queryset.filter(Q(site=site) | Q(rack__site=site))
    if rack is not None:
        queryset = queryset.filter(rack=rack)
    if role:
        queryset = queryset.filter(role=role)
    if tag:
        queryset = queryset.filter(tags__name__iexact=tag)
    if ip:
        queryset = queryset.filter(Q(management_ip=ip) | Q(ipmi_address=ip))
    if text:
        queryset = queryset.search(text)
    return queryset.distinct().order_by("name", "pk")


def rack_elevation(rack: Rack, *, face: str = RackFace.FRONT, devices=None) -> list[dict]:
    """One row per unit, top to bottom as drawn: the device starting there (with its height), reservations, gaps.

    ``devices`` may be given (already narrowed, e.g. to what a customer may see); otherwise all racked devices.
    Two queries: devices and reservations.
    """
    if devices is None:
        devices = rack.devices.all()
    devices = list(devices.filter(position__isnull=False).select_related("device_type", "company"))
    reservations = list(RackReservation.objects.filter(rack=rack).select_related("company"))
    starts = {}
    covered = set()
    other_face = {}
    for device in devices:
        if device.device_type.u_height == 0:
            continue
        if face in device.faces:
            starts[device.position + device.device_type.u_height - 1] = device
            covered.update(device.units)
        else:
            for unit in device.units:
                other_face[unit] = device
    reserved = {unit: reservation for reservation in reservations for unit in reservation.units}
    rows = []
    for unit in rack.units:
        rows.append(
            {
                "unit": unit,
                "device": starts.get(unit),
                "covered": unit in covered,
                "reservation": reserved.get(unit),
                "other_face": other_face.get(unit),
            }
        )
    return rows


def rack_power(rack: Rack) -> dict:
    """Allocated against budget and circuit capacity for one rack."""
    circuits = list(PowerCircuit.objects.filter(rack=rack).select_related("panel", "company"))
    allocated = sum((c.allocated_kw for c in circuits), Decimal("0"))
    capacity = sum((c.capacity_kw for c in circuits), Decimal("0"))
    return {"circuits": circuits, "allocated_kw": allocated, "capacity_kw": capacity, "budget_kw": rack.power_budget_kw}


def power_report(*, site=None) -> list[dict]:
    """Allocated vs. capacity per customer (all sites or one), for the admin's power report."""
    circuits = PowerCircuit.objects.with_relations()
    if site is not None:
        circuits = circuits.filter(panel__site=site)
    by_company: dict[str, dict] = {}
    for circuit in circuits:
        key = str(circuit.company) if circuit.company_id else "—"
        row = by_company.setdefault(
            key, {"company": key, "circuits": 0, "allocated_kw": Decimal("0"), "capacity_kw": Decimal("0")}
        )
        row["circuits"] += 1
        row["allocated_kw"] += circuit.allocated_kw
        row["capacity_kw"] += circuit.capacity_kw
    return sorted(by_company.values(), key=lambda row: row["company"])


def dashboard_cards(request) -> list[dict]:
    """Admin dashboard figures: racked devices, servers in stock, allocated power."""
    from django.urls import reverse

    if not request.user.has_perm("dcim.view_device"):
        return []
    counts = Device.objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=DeviceStatus.ACTIVE)),
        faulty=Count("pk", filter=Q(status=DeviceStatus.FAULTY)),
        stock=Count("pk", filter=_stock_filter("")),
    )
    allocated = PowerCircuit.objects.aggregate(total=Sum("allocated_kw"))["total"] or Decimal("0")
    return [
        {
            "title": "Devices",
            "value": counts["total"],
            "link": reverse("admin:dcim_device_changelist"),
            "footer": f"{counts['active']} active · {counts['faulty']} faulty",
        },
        {
            "title": "Servers in stock",
            "value": counts["stock"],
            "link": reverse("admin:dcim_device_changelist") + "?status__exact=inventory&role__exact=server",
            "footer": f"{allocated} kW of power allocated",
        },
    ]
