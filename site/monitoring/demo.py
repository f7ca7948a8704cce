"""Demo data for monitoring: a collector token and a simulated 48-port switch polled by ``make run``.

``manage.py serve`` then starts ``monitoring/run_collector.py``: snmpsim on the port kept in
``var/snmpsim_port`` (fixtures/snmp/switch48) and a collector with the token kept in ``var/collector_token``.
"""

import socket

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
