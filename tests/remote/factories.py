"""Test data of the remote app, made through its services (and DCIM's factories for the servers)."""

from dcim.models import Device
from remote import services
from remote.choices import ConsoleEnd, PowerAction
from remote.models import BmcStatus, ConsoleSession, PowerJob
from tests.accounts.factories import MembershipFactory
from tests.factories import register_factory, register_foreign_portal_object


def server_with_bmc(
    company, *, port: int = 623, username: str = "admin", password: str = "password", **fields
) -> Device:
    """A rented server whose BMC is at 127.0.0.1:``port``."""
    from tests.dcim.factories import make_device  # here: tests.factories imports every app's factories first

    return make_device(
        company, ipmi_address="127.0.0.1", ipmi_port=port, ipmi_username=username, ipmi_password=password, **fields
    )


def _technical_member(company):
    from accounts.choices import CompanyRole

    return MembershipFactory(company=company, role=CompanyRole.TECHNICAL).user


@register_factory(PowerJob)
def power_job_for(company) -> PowerJob:
    device = server_with_bmc(company)
    return services.power_job_request(device=device, action=PowerAction.STATUS, actor=_technical_member(company))


@register_factory(ConsoleSession)
def console_session_for(company) -> ConsoleSession:
    device = server_with_bmc(company)
    session = services.console_session_open(device=device, actor=_technical_member(company))
    return services.console_session_close(console_session=session, reason=ConsoleEnd.CLOSED)


@register_factory(BmcStatus)
def bmc_status_for(company) -> BmcStatus:
    device = server_with_bmc(company)
    services.bmc_batch_ingest(batch={"readings": [{"device": device.pk, "power": "on", "watts": 200, "sensors": []}]})
    return BmcStatus.objects.get(device=device)


@register_foreign_portal_object("server_power", "server_console")
def _globex_server(globex, bob):
    return [server_with_bmc(globex).pk]


@register_foreign_portal_object("server_power_job")
def _globex_job(globex, bob):
    job = power_job_for(globex)
    return [job.device_id, job.pk]


@register_foreign_portal_object("server_sensor_graph")
def _globex_sensor(globex, bob):
    status = bmc_status_for(globex)
    return [status.device_id, "power_state"]
