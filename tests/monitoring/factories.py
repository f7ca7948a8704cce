"""Factories of the monitoring models (registered for the generic tenancy/admin suites)."""

import itertools

from django.utils import timezone

from monitoring.models import (
    AbuseReport,
    BandwidthNotice,
    BandwidthReport,
    BandwidthUsage,
    Check,
    CollectorToken,
    DeviceHealth,
    Incident,
    InterfaceState,
    MaintenanceWindow,
    MonitoringContact,
    MonitoringEvent,
)
from tests.dcim.factories import make_device, make_interface
from tests.factories import register_factory, register_foreign_portal_object


def snmp_device(company=None, *, port: int = 161, **fields):
    """A device polled over SNMP v2c at 127.0.0.1:``port``."""
    fields.setdefault("snmp_community", "public")
    return make_device(company, management_ip="127.0.0.1", snmp_enabled=True, snmp_port=port, **fields)


@register_factory(DeviceHealth)
def device_health_for(company) -> DeviceHealth:
    return DeviceHealth.objects.create(device=make_device(company), reachable=True, changed_at=timezone.now())


@register_factory(InterfaceState)
def interface_state_for(company) -> InterfaceState:
    return InterfaceState.objects.create(interface=make_interface(make_device(company)), oper_status="up", in_bps=1e6)


@register_factory(MonitoringEvent)
def event_for(company) -> MonitoringEvent:
    device = make_device(company)
    return MonitoringEvent.objects.create(
        device=device,
        kind="device",
        status="unreachable",
        message=f"{device.name} is unreachable",
        occurred_at=timezone.now(),
    )


@register_foreign_portal_object("bandwidth_interface")
def _globex_monitored_interface(globex, bob):
    return [interface_state_for(globex).interface_id]


@register_factory(CollectorToken)
def collector_token_for(company) -> CollectorToken:
    from monitoring.services import collector_token_create

    return collector_token_create(name=f"collector {CollectorToken.objects.count() + 1}")[0]


# Service monitoring ----------------------------------------------------------------------------------


_contacts = itertools.count(1)


def loopback_device(company, *, address: str = "127.0.0.1", **fields):
    """A customer server whose management address is on loopback (so checks on it really run)."""
    return make_device(company, management_ip=address, **fields)


def make_check(company, *, kind: str = "tcp", port: int | None = 22, device=None, actor=None, **fields):
    """A check through the service, on ``device`` (a fresh loopback server of ``company`` by default)."""
    from monitoring.checks import check_create

    if device is not None:
        fields["device"] = device
    elif "host" not in fields and "ip_address" not in fields:
        fields["device"] = loopback_device(company)
    if kind in ("icmp", "dns") and port == 22:
        port = None
    with committed():
        return check_create(company=company, kind=kind, port=port, actor=actor, **{"name": f"{kind} check", **fields})


def committed():
    """Run the on-commit callbacks (e-mail, publishing) of the block as it ends, inside a test transaction."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def make_contact(company, **fields):
    from monitoring.checks import contact_create

    fields.setdefault("name", "On-call")
    fields.setdefault("email", f"oncall-{next(_contacts)}@example.test")
    return contact_create(company=company, **fields)


@register_factory(Check)
def check_for(company) -> Check:
    return make_check(company)


@register_factory(MonitoringContact)
def contact_for(company) -> MonitoringContact:
    return make_contact(company)


@register_factory(MaintenanceWindow)
def window_for(company) -> MaintenanceWindow:
    from datetime import timedelta

    from monitoring.checks import maintenance_window_create

    start = timezone.now() + timedelta(days=1)
    check = make_check(company)
    with committed():
        return maintenance_window_create(
            service_check=check, starts_at=start, ends_at=start + timedelta(hours=1), reason="kernel update"
        )


def fail(check, *, times: int = 1, start=None, step_seconds: float = 60, message: str = "connection refused"):
    """Feed ``times`` failed results of ``check`` through the ingest service; returns the last outcome."""
    return _results(check, ok=False, times=times, start=start, step_seconds=step_seconds, message=message)


def succeed(check, *, times: int = 1, start=None, step_seconds: float = 60, response_ms: float = 1.5):
    return _results(check, ok=True, times=times, start=start, step_seconds=step_seconds, response_ms=response_ms)


def _results(check, *, ok, times, start, step_seconds, message="connected", response_ms=None):
    from datetime import timedelta

    from monitoring.incidents import check_results_ingest

    check.refresh_from_db()
    start = start or (check.last_checked_at or timezone.now() - timedelta(hours=1)) + timedelta(seconds=step_seconds)
    outcome = None
    for number in range(times):
        at = start + timedelta(seconds=number * step_seconds)
        result = {"check": check.pk, "ok": ok, "at": at.isoformat(), "message": message}
        if response_ms is not None:
            result["response_ms"] = response_ms
        with committed():
            outcome = check_results_ingest(results=[result])
    check.refresh_from_db()
    return outcome


@register_factory(Incident)
def incident_for(company) -> Incident:
    check = make_check(company, down_after=1)
    fail(check)
    return Incident.objects.get(service_check=check)


@register_foreign_portal_object(
    "monitoring_check", "monitoring_check_edit", "monitoring_check_delete", "monitoring_check_pause"
)
def _globex_check(globex, bob):
    return [check_for(globex).pk]


@register_foreign_portal_object("monitoring_contact_edit", "monitoring_contact_delete")
def _globex_contact(globex, bob):
    return [contact_for(globex).pk]


# --- bandwidth: switch ports, cabled servers, transit services -----------------------------------------------


def switch(name: str = "sw1", **fields):
    """A datacenter switch (no customer), polled over SNMP."""
    from dcim.choices import DeviceRole

    return snmp_device(None, name=name, role=DeviceRole.SWITCH, **fields)


def cabled_server(company, switch_device, *, port_name: str = "Gi1/0/1", server_name: str | None = None):
    """A customer's server cabled to a switch port; returns (server NIC, switch port)."""
    from dcim.services import cable_connect

    server = make_device(company, name=server_name)
    nic = make_interface(server, name="eth0", speed=1000)
    port = make_interface(switch_device, name=port_name, speed=1000)
    cable_connect(a=port, b=nic)
    return nic, port


def transit_service(company, ports, *, commit_mbps=100, burst_mbps=None, overage_price="2.00", measure="larger", **kw):
    """An active 95th-percentile bandwidth service delivered on ``ports`` (linked through the catalog service)."""
    from decimal import Decimal

    from catalog import services as catalog_services
    from catalog.choices import ProductKind
    from tests.catalog.factories import active_service, plan

    bandwidth = plan(ProductKind.BANDWIDTH, overage_price=Decimal(overage_price) if overage_price else None)
    product = bandwidth.product
    product.commit_mbps = commit_mbps
    product.burst_mbps = burst_mbps
    product.bandwidth_measure = measure
    product.save(update_fields=["commit_mbps", "burst_mbps", "bandwidth_measure"])
    service = active_service(company, plan_=bandwidth, label=kw.pop("label", f"Transit {commit_mbps} Mbit/s"), **kw)
    catalog_services.service_link_resources(service=service, actor=None, interfaces=list(ports))
    return service


@register_factory(BandwidthUsage)
def bandwidth_usage_for(company) -> BandwidthUsage:
    from monitoring.overage import usage_compute
    from monitoring.usage import month_period

    sw = switch(name=f"sw-{company.pk}-{BandwidthUsage.objects.count()}")
    service = transit_service(company, [make_interface(sw, name="Gi1/0/1", speed=1000)])
    start, end = month_period(timezone.localdate())
    return usage_compute(period_start=start, period_end=end, services=[service])[0]


@register_factory(BandwidthNotice)
def bandwidth_notice_for(company) -> BandwidthNotice:
    from monitoring.bandwidth import thresholds_evaluate

    sw = switch(name=f"swn-{company.pk}-{BandwidthNotice.objects.count()}")
    port = make_interface(sw, name="Gi1/0/1", speed=1000)
    transit_service(company, [port], commit_mbps=100)
    InterfaceState.objects.create(interface=port, in_bps=90e6, rates_at=timezone.now())
    return thresholds_evaluate(interface_ids=[port.pk])[0]


@register_factory(BandwidthReport)
def bandwidth_report_for(company) -> BandwidthReport:
    """A month-end overage report (staff's, of every customer): each call closes an earlier month, through the
    month-end run, with one of ``company``'s transit services measured."""
    from datetime import date

    from monitoring.overage import month_end_run

    sw = switch(name=f"swr-{company.pk}-{BandwidthReport.objects.count()}")
    transit_service(company, [make_interface(sw, name="Gi1/0/1", speed=1000)])
    today = timezone.localdate()
    months = today.year * 12 + today.month - 1 - BandwidthReport.objects.count()
    return month_end_run(run_date=date(months // 12, months % 12 + 1, 1)).report


@register_factory(AbuseReport)
def abuse_report_for(company) -> AbuseReport:
    from monitoring.abuse import abuse_report_create

    return abuse_report_create(company=company, kind="spam", summary="Spam from 192.0.2.10", details="Headers attached")


@register_foreign_portal_object("abuse_report", "abuse_acknowledge", "abuse_answer")
def _globex_abuse_report(globex, bob):
    return [abuse_report_for(globex).pk]


@register_foreign_portal_object("bandwidth_service")
def _globex_bandwidth_service(globex, bob):
    return [transit_service(globex, []).pk]
