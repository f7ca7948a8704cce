"""Power jobs against real simulated BMCs: the pyghmi simulator and OpenIPMI's ipmi_sim."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.mfa.utils import decrypt
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.choices import CompanyRole, StaffRole
from remote import services
from remote.choices import JobStatus, PowerAction
from remote.models import PowerJob
from remote.simulator import free_port
from tests.accounts.factories import PASSWORD, MembershipFactory, enable_mfa, staff_member
from tests.remote.factories import server_with_bmc

pytestmark = pytest.mark.slow

EXPECTED = {
    PowerAction.STATUS: ("on", None),
    PowerAction.OFF: ("off", "off"),
    PowerAction.SHUTDOWN: ("off", "shutdown"),
    PowerAction.RESET: ("on", "reset"),
    PowerAction.CYCLE: ("on", "cycle"),
}


def _run(job):
    return services.power_job_run(job=job)


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_action_changes_the_simulated_host(action, bmc, acme, alice, remote_settings):
    device = server_with_bmc(acme, port=bmc.port, password="s3cret-bmc")
    before = bmc.state()["actions"]
    job = _run(services.power_job_request(device=device, action=action, actor=alice, ip_address="192.0.2.7"))
    state = bmc.state()
    power, counted = EXPECTED[action]
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert state["power"] == power == job.power_state
    if counted:
        assert state["actions"].get(counted, 0) == before.get(counted, 0) + 1
    else:
        assert state["actions"] == before
    job.refresh_from_db()
    assert (job.user_email, job.ip_address, job.company_id) == (alice.email, "192.0.2.7", acme.pk)
    assert job.started_at <= job.finished_at and "powerstate=" in job.bmc_answer


@pytest.mark.django_db
def test_power_on_from_off(bmc, acme, alice, remote_settings):
    bmc.control({"op": "set_power", "state": "off"})
    device = server_with_bmc(acme, port=bmc.port, password="s3cret-bmc")
    job = _run(services.power_job_request(device=device, action=PowerAction.ON, actor=alice))
    assert job.status == JobStatus.SUCCEEDED and bmc.state()["power"] == "on"


@pytest.mark.django_db
def test_actions_against_openipmi_ipmi_sim(ipmi_sim, acme, alice, remote_settings):
    remote_settings.REMOTE_POWER_TIMEOUT = 10
    device = server_with_bmc(acme, port=ipmi_sim.port, password=ipmi_sim.password)
    assert _run(services.power_job_request(device=device, action=PowerAction.OFF, actor=alice)).power_state == "off"
    assert ipmi_sim.power == "off"
    assert _run(services.power_job_request(device=device, action=PowerAction.ON, actor=alice)).power_state == "on"
    assert ipmi_sim.power == "on"
    job = _run(services.power_job_request(device=device, action=PowerAction.RESET, actor=alice))
    assert job.status == JobStatus.SUCCEEDED
    assert ipmi_sim.actions == ["power 0", "power 1", "reset 1"]


@pytest.mark.django_db
def test_dead_bmc_times_out_cleanly(acme, alice, remote_settings):
    remote_settings.REMOTE_POWER_TIMEOUT = 1
    device = server_with_bmc(acme, port=free_port())  # nothing listens there
    job = _run(services.power_job_request(device=device, action=PowerAction.RESET, actor=alice))
    assert job.status == JobStatus.TIMED_OUT
    assert "did not answer within 1 seconds" in job.error
    assert job.finished_at is not None


@pytest.mark.django_db
def test_wrong_bmc_password_is_a_clear_failure(bmc, acme, alice, remote_settings):
    device = server_with_bmc(acme, port=bmc.port, password="not-it")
    job = _run(services.power_job_request(device=device, action=PowerAction.STATUS, actor=alice))
    assert job.status == JobStatus.FAILED and "password" in job.error.lower()


@pytest.mark.django_db
def test_who_may(acme, globex, alice, bob, noc_user, remote_settings):
    device = server_with_bmc(acme)
    billing = MembershipFactory(company=acme, role=CompanyRole.BILLING).user
    technical = MembershipFactory(company=acme, role=CompanyRole.TECHNICAL).user
    billing_staff = staff_member(roles=[StaffRole.BILLING])
    support = staff_member(roles=[StaffRole.SUPPORT])
    assert services.may_control_power(device=device, user=alice)
    assert services.may_control_power(device=device, user=technical)
    assert services.may_control_power(device=device, user=noc_user)
    assert services.may_control_power(device=device, user=support)
    assert not services.may_control_power(device=device, user=billing)
    assert not services.may_control_power(device=device, user=bob)
    assert not services.may_control_power(device=device, user=billing_staff)
    with pytest.raises(PermissionDenied):
        services.power_job_request(device=device, action=PowerAction.RESET, actor=billing)
    assert not PowerJob.objects.exists()


@pytest.mark.django_db
def test_rate_limit_per_server(acme, alice, remote_settings):
    remote_settings.REMOTE_POWER_RATE_LIMIT = (2, 300)
    device, other = server_with_bmc(acme), server_with_bmc(acme)
    for _ in range(2):
        PowerJob.objects.filter(device=device).update(status=JobStatus.SUCCEEDED)
        services.power_job_request(device=device, action=PowerAction.RESET, actor=alice)
    PowerJob.objects.filter(device=device).update(status=JobStatus.SUCCEEDED)
    with pytest.raises(ValidationError, match="power requests in the last 5 minutes"):
        services.power_job_request(device=device, action=PowerAction.RESET, actor=alice)
    services.power_job_request(device=other, action=PowerAction.RESET, actor=alice)  # per server


@pytest.mark.django_db
def test_one_destructive_job_at_a_time(acme, alice, remote_settings):
    device = server_with_bmc(acme)
    services.power_job_request(device=device, action=PowerAction.RESET, actor=alice)
    with pytest.raises(ValidationError, match="still running"):
        services.power_job_request(device=device, action=PowerAction.CYCLE, actor=alice)


@pytest.mark.django_db
def test_server_without_bmc_is_refused_with_a_reason(acme, alice):
    from tests.dcim.factories import make_device

    with pytest.raises(ValidationError, match="has no IPMI address"):
        services.power_job_request(device=make_device(acme), action=PowerAction.STATUS, actor=alice)


# The portal ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_portal_reboot_with_confirmation_and_password(
    bmc, acme, alice, client_for, remote_settings, django_capture_on_commit_callbacks
):
    device = server_with_bmc(acme, port=bmc.port, password="s3cret-bmc", name="acme-dedi-9")
    client = client_for(alice)
    url = reverse("portal:server_power", args=[device.pk])
    assert b"Power of acme-dedi-9" in client.get(url).content
    assert b"Remote access" in client.get(reverse("portal:device_detail", args=[device.pk])).content

    wrong = client.post(url, {"power_action": "reset", "confirm_name": "acme-dedi-9", "password": "nope"})
    assert wrong.status_code == 400 and b"That is not your password" in wrong.content
    unnamed = client.post(url, {"power_action": "reset", "confirm_name": "acme", "password": PASSWORD})
    assert unnamed.status_code == 400 and b"Type acme-dedi-9 exactly" in unnamed.content
    assert not PowerJob.objects.exists()

    resets = bmc.state()["actions"].get("reset", 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"power_action": "reset", "confirm_name": "acme-dedi-9", "password": PASSWORD})
    job = PowerJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:server_power_job", args=[device.pk, job.pk])
    assert job.status == JobStatus.SUCCEEDED and bmc.state()["actions"]["reset"] == resets + 1
    page = client.get(response["Location"])
    assert b"Succeeded" in page.content and b"power_job.js" in page.content
    assert client.get(f"/api/remote/power-jobs/{job.pk}/").json()["status"] == "succeeded"


@pytest.mark.django_db
def test_portal_asks_for_the_code_where_mfa_is_set(acme, alice, client_for, remote_settings):
    secret = enable_mfa(alice)
    device = server_with_bmc(acme, name="acme-dedi-8")
    client = client_for(alice)
    url = reverse("portal:server_power", args=[device.pk])
    data = {"power_action": "off", "confirm_name": "acme-dedi-8", "password": PASSWORD}
    assert b"Enter the 6-digit code" in client.post(url, data).content
    assert b"That code is not valid" in client.post(url, {**data, "code": "000000"}).content
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    assert client.post(url, {**data, "code": code}).status_code == 302
    assert PowerJob.objects.filter(action="off").count() == 1


@pytest.mark.django_db
def test_customer_without_technical_role_is_refused(acme, client_for):
    device = server_with_bmc(acme)
    billing = MembershipFactory(company=acme, role=CompanyRole.BILLING).user
    client = client_for(billing)
    for name in ("server_power", "server_console"):
        assert client.get(reverse(f"portal:{name}", args=[device.pk])).status_code == 403
    response = client.post(f"/api/remote/servers/{device.pk}/power/", {"action": "status"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_other_companys_server_is_not_found(acme, globex, bob, client_for, remote_settings):
    device = server_with_bmc(acme)
    client = client_for(bob)
    for name in ("server_power", "server_console"):
        assert client.get(reverse(f"portal:{name}", args=[device.pk])).status_code == 404
    assert client.get(reverse("portal:server_sensor_graph", args=[device.pk, "power_state"])).status_code == 404
    response = client.post(f"/api/remote/servers/{device.pk}/power/", {"action": "status"})
    assert response.status_code == 404
    assert not PowerJob.objects.exists()


# The API and the admin -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_power_cycle(bmc, acme, alice, client_for, remote_settings, django_capture_on_commit_callbacks):
    device = server_with_bmc(acme, port=bmc.port, password="s3cret-bmc", name="api-host")
    client = client_for(alice)
    url = f"/api/remote/servers/{device.pk}/power/"
    assert client.post(url, {"action": "cycle", "password": PASSWORD}).status_code == 400  # no confirm_name
    assert client.post(url, {"action": "cycle", "password": "x", "confirm_name": "api-host"}).status_code == 400
    assert client.post(url, {"action": "launch"}).status_code == 400
    cycles = bmc.state()["actions"].get("cycle", 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "cycle", "password": PASSWORD, "confirm_name": "api-host"})
    assert response.status_code == 202
    job = client.get(response.json()["url"]).json()
    assert job["status"] == "succeeded" and job["power_state"] == "on"
    assert bmc.state()["actions"]["cycle"] == cycles + 1
    assert client.delete(response.json()["url"]).status_code in (403, 405)


@pytest.mark.django_db
def test_admin_device_button_and_bulk_action(
    bmc, acme, client_for, remote_settings, django_capture_on_commit_callbacks
):
    admin = staff_member(roles=[StaffRole.NOC], email="noc2@serverstock.test")
    one = server_with_bmc(acme, port=bmc.port, password="s3cret-bmc", name="bulk-1")
    two = server_with_bmc(acme, port=bmc.port, password="s3cret-bmc", name="bulk-2")
    client = client_for(admin)
    page = reverse("admin:dcim_device_remote_power", args=[one.pk])
    assert client.get(page).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"power_action": "status"})
    assert response.status_code == 302 and PowerJob.objects.get().status == JobStatus.SUCCEEDED

    changelist = reverse("admin:dcim_device_changelist")
    chosen = client.post(changelist, {"action": "bulk_remote_power", "_selected_action": [one.pk, two.pk]})
    assert chosen.status_code == 200 and b"bulk-1" in chosen.content and b"bulk-2" in chosen.content
    offs = bmc.state()["actions"].get("off", 0)
    code = _code(admin)  # staff_member set TOTP up
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            changelist,
            {
                "action": "bulk_remote_power",
                "_selected_action": [one.pk, two.pk],
                "power_confirm": "1",
                "power_action": "off",
                "password": PASSWORD,
                "code": code,
            },
        )
    assert done.status_code == 302
    assert PowerJob.objects.filter(action="off", status=JobStatus.SUCCEEDED).count() == 2
    assert bmc.state()["actions"]["off"] == offs + 2
    assert client.get(reverse("admin:remote_powerjob_changelist")).status_code == 200


def _code(user) -> str:
    secret = Authenticator.objects.get(user=user).data["secret"]
    return format_hotp_value(hotp_value(decrypt(secret), next(yield_hotp_counters_from_time())))


@pytest.mark.django_db
def test_admin_console_page_asks_to_confirm_then_shows_the_terminal(acme, client_for):
    support = staff_member(roles=[StaffRole.SUPPORT], email="support2@serverstock.test")
    billing_staff = staff_member(roles=[StaffRole.BILLING], email="billing2@serverstock.test")
    device = server_with_bmc(acme, name="staff-console")
    url = reverse("admin:dcim_device_remote_console", args=[device.pk])
    client = client_for(support)
    first = client.get(url)
    assert first.status_code == 200 and b'name="password"' in first.content and b'name="code"' in first.content
    assert b"remote/console.js" not in first.content  # no terminal before the password
    assert b"That code is not valid" in client.post(url, {"password": PASSWORD, "code": "000000"}).content
    assert client.post(url, {"password": PASSWORD, "code": _code(support)}).status_code == 302
    page = client.get(url)
    assert b"remote/console.js" in page.content and f"/ws/remote/console/{device.pk}/".encode() in page.content
    assert client_for(billing_staff).get(url).status_code in (302, 403)
