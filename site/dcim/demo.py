"""Demo datacenter: one site, two rooms, a dozen racks, switches, PDUs and circuits, servers in stock and rented."""

from decimal import Decimal

from core.demo import demo_step


def _get(model_class, lookup: dict, **defaults):
    return model_class.objects.get_or_create(**lookup, defaults=defaults)[0]


@demo_step("Datacenter", order=20)
def load_datacenter() -> str:
    """Idempotent: everything is looked up by name before it is created through the services."""
    from accounts.models import Company
    from dcim import services
    from dcim.choices import CrossConnectStatus, DeviceRole, DeviceStatus, RoomKind
    from dcim.models import (
        CrossConnect,
        Device,
        DeviceType,
        Manufacturer,
        PowerCircuit,
        PowerOutlet,
        PowerPanel,
        PowerPort,
        Rack,
        RackReservation,
        Room,
        Row,
        Site,
    )

    acme = Company.objects.filter(name="Acme Hosting").first()
    globex = Company.objects.filter(name="Globex").first()
    site = _get(Site, {"slug": "ashburn-1"}, name="Ashburn 1", code="IAD1", address="21 Datacenter Way, Ashburn VA")
    hall = _get(Room, {"site": site, "name": "Hall 1"}, kind=RoomKind.ROOM)
    cage = _get(Room, {"site": site, "name": "Cage A"}, kind=RoomKind.CAGE)
    rows = {"A": _get(Row, {"room": hall, "name": "A"}), "B": _get(Row, {"room": hall, "name": "B"})}
    cage_row = _get(Row, {"room": cage, "name": "C"})

    racks = {}
    for row_name, row in rows.items():
        for number in range(1, 6):
            name = f"{row_name}{number:02d}"
            racks[name] = _get(Rack, {"site": site, "name": name}, room=hall, row=row, power_budget_kw=Decimal("8.00"))
    for number in (1, 2):
        name = f"C{number:02d}"
        racks[name] = _get(
            Rack, {"site": site, "name": name}, room=cage, row=cage_row, company=acme, power_budget_kw=Decimal("6.00")
        )

    dual_psu = [
        {"name": "PSU1", "type": "iec-c14", "maximum_draw": 500, "allocated_draw": 0},
        {"name": "PSU2", "type": "iec-c14", "maximum_draw": 500, "allocated_draw": 0},
    ]

    def psus(watts: int) -> list[dict]:
        return [{**item, "allocated_draw": watts} for item in dual_psu]

    vendor = _get(Manufacturer, {"slug": "supermicro"}, name="Supermicro")
    arista = _get(Manufacturer, {"slug": "arista"}, name="Arista")
    apc = _get(Manufacturer, {"slug": "apc"}, name="APC")
    switch_type = _get(
        DeviceType,
        {"slug": "arista-7050sx-48"},
        manufacturer=arista,
        model="7050SX-48",
        default_role=DeviceRole.SWITCH,
        u_height=1,
        power_draw_watts=250,
        interface_template=[
            *({"name": f"Ethernet{i}", "type": "10gbase-x-sfpp", "speed": 10000} for i in range(1, 49)),
            {"name": "Management1", "type": "1000base-t", "speed": 1000, "mgmt_only": True},
        ],
        power_port_template=psus(250),
    )
    pdu_type = _get(
        DeviceType,
        {"slug": "apc-ap8959"},
        manufacturer=apc,
        model="AP8959 (0U)",
        default_role=DeviceRole.PDU,
        u_height=0,
        power_draw_watts=0,
    )
    small = _get(
        DeviceType,
        {"slug": "sm-e300-small"},
        manufacturer=vendor,
        model="E300 Small",
        u_height=1,
        power_draw_watts=150,
        cpu="Xeon E-2388G (8 cores)",
        memory_gb=64,
        storage="2× 960 GB NVMe",
        nics="2× 10GE",
        interface_template=[{"name": "eno1", "type": "10gbase-x-sfpp", "speed": 10000}, {"name": "eno2"}],
        power_port_template=psus(150),
    )
    large = _get(
        DeviceType,
        {"slug": "sm-2u-large"},
        manufacturer=vendor,
        model="2U Large",
        u_height=2,
        power_draw_watts=450,
        cpu="2× EPYC 9354 (64 cores)",
        memory_gb=512,
        storage="4× 3.84 TB NVMe",
        nics="2× 25GE",
        interface_template=[{"name": "eno1", "type": "25gbase-x-sfp28", "speed": 25000}, {"name": "eno2"}],
        power_port_template=psus(450),
    )

    def device(name, dtype, **fields):
        existing = Device.objects.filter(name=name).first()
        return existing or services.device_create(name=name, device_type=dtype, site=site, **fields)

    def place(item, rack, position):
        if item.rack_id is None:
            services.device_place(device=item, rack=rack, position=position)

    def plug(item, rack_name: str, outlet_name: str) -> None:
        """Plug PSU1 into the rack's A-feed PDU and PSU2 into its B-feed PDU (creating the ports if missing)."""
        if not PowerPort.objects.filter(device=item).exists():
            for kwargs in services.device_power_port_template(item.device_type):
                services.power_port_create(device=item, **kwargs)
        for feed, port_name in (("a", "PSU1"), ("b", "PSU2")):
            port = PowerPort.objects.filter(device=item, name=port_name).first()
            outlet = PowerOutlet.objects.filter(pdu__name=f"pdu-{rack_name.lower()}-{feed}", name=outlet_name).first()
            if port is None or outlet is None or PowerOutlet.objects.filter(power_port=port).exists():
                continue
            if outlet.power_port_id is None:
                services.power_port_connect(power_port=port, outlet=outlet)

    panel = _get(PowerPanel, {"site": site, "name": "PP-1"}, room=hall)
    circuit_count = 0
    for index, rack_name in enumerate(racks):
        rack = racks[rack_name]
        a = _get(
            PowerCircuit,
            {"panel": panel, "name": f"{rack_name}-A"},
            rack=rack,
            feed="A",
            breaker_position=f"{2 * index + 1}",
        )
        b = _get(
            PowerCircuit,
            {"panel": panel, "name": f"{rack_name}-B"},
            rack=rack,
            feed="B",
            breaker_position=f"{2 * index + 2}",
        )
        if a.redundancy_partner_id is None:
            a.redundancy_partner = b
            a.save(update_fields=["redundancy_partner"])
        circuit_count += 2
        switch = device(
            f"sw-{rack_name.lower()}", switch_type, status=DeviceStatus.ACTIVE, management_ip=f"10.0.0.{index + 10}"
        )
        if rack.company_id is None:
            place(switch, rack, rack.u_height)
        for feed, circuit in (("A", a), ("B", b)):
            pdu = device(
                f"pdu-{rack_name.lower()}-{feed.lower()}", pdu_type, status=DeviceStatus.ACTIVE, power_circuit=circuit
            )
            for outlet in range(1, 9):
                _get(PowerOutlet, {"pdu": pdu, "name": f"{outlet}"}, feed=feed)
        if rack.company_id is None:
            plug(Device.objects.get(pk=switch.pk), rack_name, "8")

    # Stock: servers the website counts (role server, in inventory, no customer).
    for number in range(1, 4):
        device(f"stock-small-{number}", small, serial=f"SMS{number:04d}")
    device("stock-large-1", large, serial="SML0001")

    # Rented dedicated servers in datacenter racks.
    if acme is not None:
        rented = device("acme-dedi-1", large, serial="SML0100", root_password="acme-root-demo")
        if rented.company_id is None:
            services.device_assign(device=rented, company=acme)
            Device.objects.filter(pk=rented.pk).update(status=DeviceStatus.ACTIVE)
        place(Device.objects.get(pk=rented.pk), racks["A01"], 20)
        plug(Device.objects.get(pk=rented.pk), "A01", "1")
        # Acme's own cabinet with their own hardware.
        for number, position in ((1, 10), (2, 12)):
            own = device(f"acme-web-{number}", small, company=acme, status=DeviceStatus.ACTIVE)
            place(own, racks["C01"], position)
            plug(Device.objects.get(pk=own.pk), "C01", str(number))
        if not PowerCircuit.objects.filter(company=acme).exists():
            services.power_circuit_allocate(
                circuit=PowerCircuit.objects.get(name="C01-A"), company=acme, kw=Decimal("2.50")
            )
        if not CrossConnect.objects.filter(circuit_id="XC-IAD1-0001").exists():
            CrossConnect.objects.create(
                circuit_id="XC-IAD1-0001",
                company=acme,
                status=CrossConnectStatus.ACTIVE,
                media="single_mode",
                a_rack=racks["C01"],
                a_port="PP1:1-2",
                z_rack=racks["B05"],
                z_port="MMR:24",
                z_party="Carrier One",
                loss_db=Decimal("0.42"),
            )
        eth = rented.interfaces.filter(name="eno1").first()
        port = Device.objects.get(name="sw-a01").interfaces.filter(name="Ethernet1").first()
        if eth and port and not hasattr(eth, "cable_as_a") and not hasattr(port, "cable_as_b"):
            services.cable_connect(a=eth, b=port, label="A01-0001")
    if globex is not None:
        rented = device("globex-dedi-1", small, serial="SMS0100", root_password="globex-root-demo")
        if rented.company_id is None:
            services.device_assign(device=rented, company=globex)
        place(Device.objects.get(pk=rented.pk), racks["A02"], 10)
        plug(Device.objects.get(pk=rented.pk), "A02", "1")
        if not RackReservation.objects.filter(company=globex).exists():
            services.rack_reserve(rack=racks["A02"], company=globex, first_u=12, last_u=13, reason="Growth in Q3")
    plugged = PowerOutlet.objects.filter(power_port__isnull=False).count()
    return (
        f"1 site, {len(racks)} racks, {Device.objects.count()} devices, {circuit_count} circuits, "
        f"{plugged} power ports plugged in"
    )
