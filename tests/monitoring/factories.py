"""Factories of the monitoring models (registered for the generic tenancy/admin suites)."""

from django.utils import timezone

from monitoring.models import (
    AbuseReport,
    BandwidthNotice,
    BandwidthUsage,
    DeviceHealth,
    InterfaceState,
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
