"""Reads of the DCIM app that span models: stock counts, hardware search, elevations, power, dashboard, and
the placement and power-budget checks the services (and forms) run before they write."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from core.models import choice_labels
from dcim.choices import DeviceRole, DeviceStatus, InterfaceType, Ownership, RackFace
from dcim.models import (
    Cable,
    CrossConnect,
    Device,
    DeviceType,
    Interface,
    PowerCircuit,
    PowerOutlet,
    PowerPort,
    Rack,
    RackReservation,
    unit_range_text,
)


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
        queryset = queryset.filter(ip_condition(ip))
    if text:
        queryset = queryset.search(text)
    return queryset.distinct().order_by("name", "pk")


def ip_condition(ip: str) -> Q:
    """Devices holding ``ip``: as management or IPMI address, or on an interface through a current IPAM assignment.

    The assignment part is one indexed range lookup in a subquery, so the search costs the same number of
    queries however many devices, interfaces and assignments there are.
    """
    from ipam.addressing import parse_address, to_hex
    from ipam.models import Assignment

    condition = Q(management_ip=ip) | Q(ipmi_address=ip)
    try:
        address = parse_address(ip)
    except Exception:  # noqa: BLE001 - not an address: only the plain columns can match
        return condition
    on_interfaces = (
        Assignment.objects.current()
        .covering(address.version, to_hex(address))
        .filter(interface__isnull=False)
        .values("interface__device_id")
    )
    return condition | Q(pk__in=on_interfaces)


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


def rack_table(queryset) -> list[dict]:
    """The racks of ``queryset`` (tenancy-scoped, in its order) as plain rows for a table: ``pk``, ``name``,
    ``site`` and ``room`` (their names, or None), ``u_height``, ``power_budget_kw``. One read of those columns."""
    rows = queryset.values_list("pk", "name", "site__name", "room__name", "u_height", "power_budget_kw")
    return [
        {"pk": pk, "name": name, "site": site, "room": room, "u_height": height, "power_budget_kw": budget}
        for pk, name, site, room, height, budget in rows
    ]


def cross_connect_table(queryset) -> list[dict]:
    """The cross-connects of ``queryset`` (tenancy-scoped, in its order) as plain rows for a table: ``circuit_id``,
    ``status_label``, ``media_label``, ``a_rack`` and ``z_rack`` (their names, or None), ``a_port``, ``z_port``,
    ``z_party``, ``loss_db``. One read of those columns."""
    statuses, media = choice_labels(CrossConnect, "status"), choice_labels(CrossConnect, "media")
    rows = queryset.values_list(
        "circuit_id", "status", "media", "a_rack__name", "a_port", "z_rack__name", "z_port", "z_party", "loss_db"
    )
    return [
        {
            "circuit_id": circuit_id,
            "status_label": statuses.get(status, status),
            "media_label": media.get(medium, medium),
            "a_rack": a_rack,
            "a_port": a_port,
            "z_rack": z_rack,
            "z_port": z_port,
            "z_party": z_party,
            "loss_db": loss_db,
        }
        for circuit_id, status, medium, a_rack, a_port, z_rack, z_port, z_party, loss_db in rows
    ]


def device_table(queryset) -> list[dict]:
    """The devices of ``queryset`` (tenancy-scoped, in its order) as plain rows for a table: ``pk``, ``name``,
    ``device_type`` (its model), ``owner`` (as ``Device.owner_display``), ``status`` and ``status_label``, ``rack``
    (its name, or None), ``units`` (as ``Device.unit_range``), ``site`` (its name, or None), ``management_ip``.

    Plain values from one read of those columns, not instances: five whole rows a device (device, type, company,
    rack, site) and the template's lookups through them were most of the portal's network page.
    """
    labels = choice_labels(Device, "status")
    datacenter = str(_("Datacenter"))
    rows = queryset.values_list(
        "pk",
        "name",
        "device_type__model",
        "ownership",
        "company_id",
        "company__name",
        "status",
        "rack__name",
        "position",
        "device_type__u_height",
        "site__name",
        "management_ip",
    )
    table = []
    for pk, name, model, ownership, company_id, company, status, rack, position, height, site, ip in rows:
        table.append(
            {
                "pk": pk,
                "name": name,
                "device_type": model,
                "owner": company if ownership == Ownership.CUSTOMER and company_id else datacenter,
                "status": status,
                "status_label": labels.get(status, status),
                "rack": rack,
                "units": "" if position is None else unit_range_text(position, position + max(height, 1) - 1),
                "site": site,
                "management_ip": ip,
            }
        )
    return table


def with_connected_draw(queryset) -> list[PowerCircuit]:
    """The circuits of ``queryset``, each with ``connected_w`` (see ``PowerCircuitQuerySet.with_connected_draw``)
    read by one more statement only when there are circuits: most customers have none, and compiling the
    correlated subquery cost more than the read itself."""
    circuits = list(queryset)
    if circuits:
        drawn = dict(
            PowerPort.objects.filter(outlet__pdu__power_circuit__in=[circuit.pk for circuit in circuits])
            .order_by()
            .values_list("outlet__pdu__power_circuit")
            .annotate(total=Sum("allocated_draw_w"))
        )
        for circuit in circuits:
            circuit.connected_w = drawn.get(circuit.pk) or 0
    return circuits


def _kw(watts) -> Decimal:
    return (Decimal(watts or 0) / 1000).quantize(Decimal("0.01"))


def rack_power(rack: Rack) -> dict:
    """Contracted, connected (from the power ports plugged in) and capacity for one rack; one query."""
    circuits = list(PowerCircuit.objects.filter(rack=rack).select_related("panel", "company").with_connected_draw())
    allocated = sum((c.allocated_kw for c in circuits), Decimal("0"))
    capacity = sum((c.capacity_kw for c in circuits), Decimal("0"))
    connected = sum((c.connected_kw for c in circuits), Decimal("0"))
    return {
        "circuits": circuits,
        "allocated_kw": allocated,
        "connected_kw": connected,
        "capacity_kw": capacity,
        "budget_kw": rack.power_budget_kw,
    }


def power_report(*, site=None) -> dict:
    """Power per customer, circuit and rack (all sites or one), for the admin's power report.

    ``connected_kw`` is always computed from the device power ports plugged into outlets of PDUs fed by each
    circuit; ``allocated_kw`` is what is contracted. Per customer, ``drawn_kw`` is the connected draw of the
    customer's own devices wherever they are plugged in. Three queries whatever the size.
    """
    circuits = list(PowerCircuit.objects.with_relations().with_connected_draw().order_by("panel__name", "name"))
    if site is not None:
        circuits = [c for c in circuits if c.panel.site_id == site.pk]
    ports = PowerPort.objects.filter(outlet__isnull=False)
    if site is not None:
        ports = ports.filter(outlet__pdu__power_circuit__panel__site=site)
    drawn = dict(ports.values_list("device__company__name").annotate(total=Sum("allocated_draw_w")).order_by())
    by_company: dict[str, dict] = {}
    racks: dict[int, dict] = {}

    def company_row(key: str) -> dict:
        return by_company.setdefault(
            key,
            {
                "company": key,
                "circuits": 0,
                "allocated_kw": Decimal("0"),
                "connected_kw": Decimal("0"),
                "capacity_kw": Decimal("0"),
                "drawn_kw": Decimal("0"),
            },
        )

    for circuit in circuits:
        row = company_row(str(circuit.company) if circuit.company_id else "—")
        row["circuits"] += 1
        row["allocated_kw"] += circuit.allocated_kw
        row["connected_kw"] += circuit.connected_kw
        row["capacity_kw"] += circuit.capacity_kw
        if circuit.rack_id is not None:
            rack = racks.setdefault(
                circuit.rack_id,
                {
                    "rack": circuit.rack,
                    "budget_kw": circuit.rack.power_budget_kw,
                    "connected_kw": Decimal("0"),
                    "allocated_kw": Decimal("0"),
                },
            )
            rack["connected_kw"] += circuit.connected_kw
            rack["allocated_kw"] += circuit.allocated_kw
    for name, watts in drawn.items():
        company_row(name or "—")["drawn_kw"] = _kw(watts)
    for circuit in circuits:
        circuit.over = circuit.connected_kw > circuit.capacity_kw or (
            circuit.company_id is not None and circuit.connected_kw > circuit.allocated_kw
        )
    return {
        "companies": sorted(by_company.values(), key=lambda row: row["company"]),
        "circuits": circuits,
        "racks": sorted(racks.values(), key=lambda row: str(row["rack"])),
    }


def device_power_ports(*, devices) -> dict[int, list[PowerPort]]:
    """Each device's power ports with the outlet, PDU and circuit they are plugged into: one query."""
    ports = (
        PowerPort.objects.filter(device__in=devices)
        .select_related("outlet__pdu__power_circuit__panel")
        .order_by("device_id", "name")
    )
    result: dict[int, list[PowerPort]] = {}
    for port in ports:
        result.setdefault(port.device_id, []).append(port)
    return result


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


# --- what a customer sees at the other end of its cables and power cords ----------------------------------

MAX_TRACE_HOPS = 4


def _visible_to(device: Device, company_id) -> bool:
    """The datacenter's own infrastructure and the company's own equipment; never another customer's."""
    return device.company_id is None or device.company_id == company_id


def interface_connections(*, interfaces, company_id) -> dict[int, dict]:
    """What each interface is cabled to, traced through patch panels, as far as ``company_id`` may see.

    Returns ``{interface_id: {"hops": [...], "hidden": bool, "cross_connects": [...]}}``. Each hop is the
    cable and the port it reaches (``device``/``port`` are None when the port is another customer's: the
    trace stops there and ``hidden`` is true). A front port continues from its rear port; a rear port from its
    single front port. Cross-connects of the company that land on a panel port of the path are listed.

    At most two queries per hop (cables, then front ports of reached rear ports) and one for cross-connects,
    for all interfaces together: the count does not grow with the number of interfaces or devices.
    """
    interfaces = list(interfaces)
    result = {interface.pk: {"hops": [], "hidden": False, "cross_connects": []} for interface in interfaces}
    frontier = {interface.pk: interface.pk for interface in interfaces}
    seen = {interface.pk: {interface.pk} for interface in interfaces}
    panel_ports: dict[tuple[int, str], set[int]] = {}
    for _hop in range(MAX_TRACE_HOPS):
        if not frontier:
            break
        current = set(frontier.values())
        cables = Cable.objects.filter(Q(a_interface_id__in=current) | Q(b_interface_id__in=current)).select_related(
            "a_interface__device", "b_interface__device"
        )
        peer_of = {}
        for cable in cables:
            peer_of[cable.a_interface_id] = (cable, cable.b_interface)
            peer_of[cable.b_interface_id] = (cable, cable.a_interface)
        following: dict[int, int] = {}
        rear_reached: dict[int, int] = {}
        for start, interface_id in frontier.items():
            if interface_id not in peer_of:
                continue
            cable, peer = peer_of[interface_id]
            entry = result[start]
            if peer.pk in seen[start]:
                continue
            seen[start].add(peer.pk)
            if not _visible_to(peer.device, company_id):
                entry["hops"].append({"cable": cable, "device": None, "port": None})
                entry["hidden"] = True
                continue
            entry["hops"].append({"cable": cable, "device": peer.device, "port": peer})
            if peer.type in (InterfaceType.FRONT_PORT, InterfaceType.REAR_PORT) or (
                peer.device.role == DeviceRole.PATCH_PANEL
            ):
                panel_ports.setdefault((peer.device_id, peer.name), set()).add(start)
            if peer.type == InterfaceType.FRONT_PORT and peer.rear_port_id and peer.rear_port_id not in seen[start]:
                seen[start].add(peer.rear_port_id)
                following[start] = peer.rear_port_id
            elif peer.type == InterfaceType.REAR_PORT:
                rear_reached[start] = peer.pk
        if rear_reached:
            fronts: dict[int, list[int]] = {}
            for rear_id, front_id in Interface.objects.filter(rear_port_id__in=set(rear_reached.values())).values_list(
                "rear_port_id", "pk"
            ):
                fronts.setdefault(rear_id, []).append(front_id)
            for start, rear_id in rear_reached.items():
                if len(fronts.get(rear_id, [])) == 1 and fronts[rear_id][0] not in seen[start]:
                    seen[start].add(fronts[rear_id][0])
                    following[start] = fronts[rear_id][0]
        frontier = following
    if panel_ports and company_id is not None:
        panels = {device_id for device_id, _name in panel_ports}
        cross_connects = CrossConnect.objects.filter(company_id=company_id).filter(
            Q(a_panel_id__in=panels) | Q(z_panel_id__in=panels)
        )
        for cross_connect in cross_connects:
            for panel_id, port in (
                (cross_connect.a_panel_id, cross_connect.a_port),
                (cross_connect.z_panel_id, cross_connect.z_port),
            ):
                for (device_id, name), starts in panel_ports.items():
                    if device_id == panel_id and (not port or port == name):
                        for start in starts:
                            if cross_connect not in result[start]["cross_connects"]:
                                result[start]["cross_connects"].append(cross_connect)
    return result


def device_power_connections(*, device: Device, company_id) -> list[dict]:
    """Each power port of ``device`` with the outlet, PDU and circuit it is plugged into; one query.

    A PDU of another customer (a customer's own PDU in its cabinet) is named only to its owner.
    """
    rows = []
    for port in device_power_ports(devices=[device]).get(device.pk, []):
        outlet = getattr(port, "outlet", None)
        pdu = outlet.pdu if outlet is not None else None
        visible = pdu is not None and _visible_to(pdu, company_id)
        rows.append(
            {
                "port": port,
                "outlet": outlet if visible else None,
                "pdu": pdu if visible else None,
                "circuit": pdu.power_circuit if visible else None,
                "plugged": outlet is not None,
            }
        )
    return rows


# --- placement and power checks (reads the services and forms use before writing) ---------------------


def _units_text(units) -> str:
    units = sorted(units)
    return unit_range_text(units[0], units[-1])


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
