"""Factories of the monitoring models (registered for the generic tenancy/admin suites)."""

from django.utils import timezone

from monitoring.models import CollectorToken, DeviceHealth, InterfaceState, MonitoringEvent
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
