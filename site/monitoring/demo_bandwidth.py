"""Demo bandwidth that looks real: customers' servers cabled to the simulated switch, their transit services
delivered on those ports, 35 days of traffic backfilled into the RRD files, and the figures worked out.

* Acme's rented server ``acme-dedi-1`` (eno2) is cabled to ``sim-switch-48`` Gi1/0/1, which carries Acme's
  "Transit" (100 Mbit/s commit): a diurnal curve peaking near 75 Mbit/s, within the commit.
* Globex's ``globex-dedi-1`` (eno2) is cabled to Gi1/0/2, which carries Globex's "Transit 200 Mbit/s" (quantity 2
  of the 100 Mbit/s plan): peaks near 300 Mbit/s, so its 95th percentile is over the commit.
* The month-end run closes last month (report e-mailed, Globex's overage becomes a charge for the next invoice),
  the running month is measured, and the latest rates raise Globex's threshold notices.
* The live agent serves matching steady rates on those two ports (``var/snmpsim-source``, used by
  ``run_collector.py``), so the graphs carry on after the backfill.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from core.demo import demo_step

SWITCH = "sim-switch-48"
DAYS = 35
# port, customer, server, commit multiple (quantity), peak out Mbit/s, live in/out bytes/s
PORTS = (
    ("Gi1/0/1", "Acme Hosting", "acme-dedi-1", 1, 75, (1_500_000, 7_000_000)),
    ("Gi1/0/2", "Globex", "globex-dedi-1", 2, 300, (4_000_000, 32_000_000)),
)


def diurnal_mbps(timestamp: int, peak: float, rng: random.Random) -> float:
    """A plausible rate at ``timestamp``: low at 04:00, high in the evening, weekends lighter, some noise."""
    hours = (timestamp % 86400) / 3600
    curve = 0.25 + 0.75 * (0.5 - 0.5 * math.cos(2 * math.pi * (hours - 4) / 24)) ** 1.5
    weekday = (timestamp // 86400 + 3) % 7  # 1970-01-01 was a Thursday
    if weekday >= 5:
        curve *= 0.8
    return max(peak * curve * rng.uniform(0.9, 1.1), 0.1)


def backfill(path, *, speed_mbps: int, peak_mbps: float, end: int, seed: int) -> int:
    """Write ``DAYS`` days of one-minute counters ending at ``end`` into a new RRD at ``path``; returns the
    updates written (0 when the file existed)."""
    import rrdtool

    from collector.rrd import ensure_rrd

    start = end - DAYS * 86400
    if not ensure_rrd(path, speed_mbps=speed_mbps, start=start - 60):
        return 0
    rng = random.Random(seed)
    counter_in = counter_out = 0
    updates = []
    for timestamp in range(start, end + 1, 60):
        out_mbps = diurnal_mbps(timestamp, peak_mbps, rng)
        counter_out += int(out_mbps * 1e6 / 8 * 60)
        counter_in += int(out_mbps * 0.2 * 1e6 / 8 * 60)
        updates.append(f"{timestamp}:{counter_in}:{counter_out}:0:0:0:0:1")
    for index in range(0, len(updates), 5000):
        rrdtool.update(str(path), *updates[index : index + 5000])
    return len(updates)


def write_agent_rates() -> None:
    """A copy of the switch's walk with the demo ports' live rates, for ``run_collector.py``."""
    from collector.simulate import SWITCH48

    target = settings.VAR_DIR / "snmpsim-source"
    target.mkdir(parents=True, exist_ok=True)
    lines = (SWITCH48 / "public.snmprec").read_text().splitlines()
    rates = {}
    for index, (_port, _customer, _server, _quantity, _peak, (rate_in, rate_out)) in enumerate(PORTS, start=1):
        rates[f"1.3.6.1.2.1.31.1.1.1.6.{index}"] = rate_in
        rates[f"1.3.6.1.2.1.31.1.1.1.10.{index}"] = rate_out
    text = []
    for line in lines:
        oid = line.split("|", 1)[0]
        if oid in rates:
            line = f"{oid}|70:numeric|rate={rates[oid]},initial=10000000"
        text.append(line)
    content = "\n".join(text) + "\n"
    for name in ("public.snmprec", "self.snmprec"):
        (target / name).write_text(content)


@demo_step("monitoring: customers' ports, transit services and a month of traffic", order=910)
def demo_bandwidth() -> str:
    from accounts.models import Company
    from catalog import services as catalog_services
    from catalog.models import Plan, Service
    from dcim.models import Cable, Device, Interface
    from dcim.services import cable_connect
    from monitoring.bandwidth import thresholds_evaluate
    from monitoring.graphs import interface_rrd
    from monitoring.models import InterfaceState
    from monitoring.overage import month_end_run, usage_refresh_current

    switch = Device.objects.filter(name=SWITCH).first()
    plan = Plan.objects.filter(product__slug="bw-100-95th").select_related("product").first()
    if switch is None or plan is None:
        return "skipped: the simulated switch or the bandwidth plan is missing"
    if plan.overage_price is None:
        plan.overage_price = Decimal("1.50")
        plan.save(update_fields=["overage_price"])
    now = int(timezone.now().timestamp())
    end = now - now % 60 - 120  # the live collector carries on from here
    written = 0
    ports = []
    for index, (name, customer, server_name, quantity, peak, _live) in enumerate(PORTS):
        company = Company.objects.filter(name=customer).first()
        server = Device.objects.filter(name=server_name, company=company).first() if company else None
        if company is None or server is None:
            continue
        port, _created = Interface.objects.get_or_create(device=switch, name=name, defaults={"speed": 1000})
        nic, _created = Interface.objects.get_or_create(device=server, name="eno2", defaults={"speed": 1000})
        if not Cable.objects.filter(a_interface=port).exists() and not Cable.objects.filter(b_interface=nic).exists():
            cable_connect(a=port, b=nic, label=f"SIM-{index + 1:04d}")
        service = (
            Service.objects.filter(company=company, plan__product__kind="bandwidth")
            .exclude(status__in=["cancelled", "terminated"])
            .first()
        )
        if service is None:
            start = timezone.localdate() - timedelta(days=75)
            service = catalog_services.service_create(
                company=company,
                plan=plan,
                label=f"Transit {100 * quantity} Mbit/s",
                quantity=Decimal(quantity),
                actor=None,
                starts_on=start,
            )
            catalog_services.service_provision(service=service, actor=None)
            service = catalog_services.service_activate(service=service, actor=None, on=start)
        if not service.interfaces.filter(pk=port.pk).exists():
            catalog_services.service_link_resources(service=service, actor=None, interfaces=[port])
        written += backfill(interface_rrd(port), speed_mbps=port.speed or 1000, peak_mbps=peak, end=end, seed=index)
        state, _created = InterfaceState.objects.get_or_create(interface=port, defaults={"oper_status": "up"})
        rng = random.Random(now)
        state.out_bps = diurnal_mbps(end, peak, rng) * 1e6
        state.in_bps = state.out_bps * 0.2
        if index == 1:
            state.out_bps = max(state.out_bps, 245e6)  # Globex runs hot right now
        state.rates_at = timezone.now()
        state.oper_status = state.oper_status or "up"
        state.save()
        ports.append(port.pk)
    if not ports:
        return "skipped: the demo customers' servers are missing"
    write_agent_rates()
    closed = month_end_run(run_date=timezone.localdate())
    measured = usage_refresh_current()
    notices = thresholds_evaluate(interface_ids=ports)
    return (
        f"{len(ports)} customer ports on {SWITCH}, {written} samples backfilled; last month: {closed.summary()}; "
        f"this month: {measured} services measured; {len(notices)} threshold notices"
    )
