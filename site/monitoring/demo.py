"""Demo data for monitoring: a collector token and a simulated 48-port switch polled by ``make run``.

``manage.py serve`` then starts ``monitoring/run_collector.py``: snmpsim on the port kept in
``var/snmpsim_port`` (fixtures/snmp/switch48) and a collector with the token kept in ``var/collector_token``.
"""

import os
import socket
from datetime import time

from django.conf import settings

from core.demo import demo_step
from monitoring import demo_bandwidth  # noqa: F401 - registers the bandwidth demo step


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@demo_step("monitoring: collector token and simulated switch", order=900)
def demo_monitoring() -> str:
    from dcim.choices import DeviceRole, DeviceStatus
    from dcim.models import Device, DeviceType, Manufacturer
    from monitoring.services import collector_token_create

    token_file = settings.VAR_DIR / "collector_token"
    if not token_file.exists():
        _token, raw = collector_token_create(name="demo collector")
        token_file.write_text(raw)
        token_file.chmod(0o600)
    port_file = settings.VAR_DIR / "snmpsim_port"
    if not port_file.exists():
        port_file.write_text(str(_free_udp_port()))
    port = int(port_file.read_text())
    # DCIM has no services for device types yet; the demo creates its own simulated hardware directly.
    manufacturer, _ = Manufacturer.objects.get_or_create(name="Simulated", defaults={"slug": "simulated"})
    device_type, _ = DeviceType.objects.get_or_create(
        slug="sim-switch-48",
        defaults={"manufacturer": manufacturer, "model": "Simulated 48-port switch"},
    )
    Device.objects.update_or_create(
        name="sim-switch-48",
        defaults={
            "device_type": device_type,
            "role": DeviceRole.SWITCH,
            "status": DeviceStatus.ACTIVE,
            "management_ip": "127.0.0.1",
            "snmp_enabled": True,
            "snmp_version": "v2c",
            "snmp_port": port,
            "snmp_community": "public",
            "snmp_polling_interval": 60,
        },
    )
    return f"collector token in var/collector_token; sim-switch-48 at 127.0.0.1:{port}"


@demo_step("monitoring: service checks, contacts and an open incident", order=910)
def demo_service_checks() -> str:
    """Checks on the customers' servers, on loopback so that ``make run``'s collector really runs them: the
    servers get 127.0.10.x / 127.0.20.x management addresses (every 127/8 address answers ping), the portal's
    own /healthz is an HTTP check, and one TCP check aims at a closed port so that it is down, with its
    incident open and alerted."""
    from datetime import timedelta
    from urllib.parse import urlsplit

    from django.utils import timezone

    from accounts.models import Company
    from dcim.models import Device
    from monitoring import checks, incidents
    from monitoring.check_models import Check, MonitoringContact

    acme = Company.objects.filter(name="Acme Hosting").first()
    globex = Company.objects.filter(name="Globex").first()
    if acme is None:
        return "skipped: no Acme Hosting"
    addresses = {"acme-web-1": "127.0.10.1", "acme-web-2": "127.0.10.2", "acme-dedi-1": "127.0.10.3"}
    addresses["globex-dedi-1"] = "127.0.20.1"
    for name, address in addresses.items():
        # Demo data only: DCIM has no service that sets a management address on its own.
        Device.objects.filter(name=name, management_ip__isnull=True).update(management_ip=address)
    devices = {device.name: device for device in Device.objects.filter(name__in=addresses)}
    portal_port = urlsplit(os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")).port or 8000

    def check(company, name, **fields):
        existing = Check.objects.filter(company=company, name=name).first()
        return existing or checks.check_create(company=company, name=name, **fields)

    made = []
    if "acme-web-1" in devices:
        made.append(check(acme, "acme-web-1 ping", kind="icmp", device=devices["acme-web-1"], interval_seconds=30))
    if "acme-dedi-1" in devices:
        made.append(check(acme, "acme-dedi-1 ping", kind="icmp", device=devices["acme-dedi-1"], down_after=2))
    made.append(
        check(
            acme,
            "Acme portal health (HTTP)",
            kind="http",
            host="127.0.0.1",
            port=portal_port,
            path="/healthz",
            interval_seconds=60,
        )
    )
    database = None
    if "acme-web-2" in devices:
        # Port 9 (discard) is closed on loopback: this check is down, as the demo wants one to be.
        database = check(
            acme, "acme-web-2 database (TCP 9)", kind="tcp", device=devices["acme-web-2"], port=9, down_after=2
        )
        made.append(database)
    if globex is not None and "globex-dedi-1" in devices:
        made.append(check(globex, "globex-dedi-1 ping", kind="icmp", device=devices["globex-dedi-1"]))

    def contact(company, email, **fields):
        return MonitoringContact.objects.filter(company=company, email=email).first() or checks.contact_create(
            company=company, email=email, **fields
        )

    contact(acme, "oncall@acme.example", name="Acme on-call", phone="+1 555 0100")
    contact(
        acme,
        "cto@acme.example",
        name="Acme CTO",
        notify_up=False,
        notify_bandwidth=False,
        quiet_hours_start=time(22, 0),
        quiet_hours_end=time(7, 0),
        time_zone="America/New_York",
    )
    if globex is not None:
        contact(globex, "noc@globex.example", name="Globex NOC")

    if database is not None and database.state != "down":
        now = timezone.now()
        results = [
            {
                "check": database.pk,
                "ok": False,
                "at": (now - timedelta(minutes=3 - n)).isoformat(),
                "message": "connection refused",
            }
            for n in range(database.down_after)
        ]
        incidents.check_results_ingest(results=results)
    return f"{len(made)} checks, {MonitoringContact.objects.count()} contacts, 1 check down on a closed port"
