"""Demo: a simulated BMC for every rented dedicated server, started by ``make run`` (``run_simulators.py``)."""

import json

from core.demo import demo_step

DEMO_SERVERS = ("acme-dedi-1", "globex-dedi-1")


@demo_step("Simulated BMCs", order=60)
def load_bmcs() -> str:
    """Idempotent: ports are chosen once and kept in ``var/bmc_simulators.json``."""
    from django.conf import settings

    from dcim.models import Device
    from remote import services
    from remote.simulator import free_port

    path = settings.VAR_DIR / "bmc_simulators.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    configured = []
    for name in DEMO_SERVERS:
        device = Device.objects.filter(name=name).first()
        if device is None:
            continue
        entry = known.get(name) or {"port": free_port(), "username": "admin", "password": f"{name}-bmc"}
        known[name] = entry
        services.server_bmc_configure(
            device=device,
            address="127.0.0.1",
            port=entry["port"],
            username=entry["username"],
            password=entry["password"],
        )
        configured.append(f"{name} on 127.0.0.1:{entry['port']}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known, indent=2))
    return "BMCs for " + ", ".join(configured) if configured else "no dedicated servers to simulate"
