"""The customer's monitoring pages: add, edit, pause and remove checks and contacts; errors in their terms."""

import pytest

from accounts.choices import CompanyRole
from monitoring.models import Check, MonitoringContact
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.monitoring.factories import fail, loopback_device, make_check, make_contact

pytestmark = pytest.mark.django_db


def test_empty_page_says_what_to_do(client_for, alice):
    response = client_for(alice).get("/portal/monitoring/")
    assert response.status_code == 200
    assert "Add your first check" in response.text and "Nothing is checked yet" in response.text


def test_add_a_tcp_check_and_a_contact(client_for, alice, acme):
    server = loopback_device(acme, name="web1")
    client = client_for(alice)
    form = client.get("/portal/monitoring/checks/add/")
    assert "web1" in form.text
    response = client.post(
        "/portal/monitoring/checks/add/",
        {
            "name": "web1 ssh",
            "kind": "tcp",
            "device": server.pk,
            "port": 22,
            "path": "/",
            "dns_record_type": "A",
            "interval_seconds": 60,
            "timeout_seconds": 5,
            "retries": 1,
            "down_after": 3,
        },
    )
    check = Check.objects.get(name="web1 ssh")
    assert response.status_code == 302 and response["Location"] == f"/portal/monitoring/checks/{check.pk}/"
    assert (check.company, check.device, check.port) == (acme, server, 22)

    response = client.post(
        "/portal/monitoring/contacts/add/",
        {"name": "Night shift", "email": "Night@Acme.test", "notify_down": "on", "time_zone": "Europe/Berlin"},
    )
    assert response.status_code == 302
    contact = MonitoringContact.objects.get()
    assert (contact.email, contact.notify_down, contact.notify_up) == ("night@acme.test", True, False)
    page = client.get("/portal/monitoring/")
    assert "web1 ssh" in page.text and "Night shift" in page.text


def test_errors_come_back_on_the_form(client_for, alice, acme, globex):
    theirs = loopback_device(globex, name="not-yours")
    client = client_for(alice)
    base = {"name": "x", "dns_record_type": "A", "interval_seconds": 60, "timeout_seconds": 5, "retries": 1}
    response = client.post(
        "/portal/monitoring/checks/add/", {**base, "kind": "tcp", "device": theirs.pk, "down_after": 3}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.text  # not even offered
    response = client.post(
        "/portal/monitoring/checks/add/", {**base, "kind": "tcp", "port": 22, "host": "example.org", "down_after": 3}
    )
    assert response.status_code == 200 and "not one of your addresses" in response.text
    response = client.post("/portal/monitoring/checks/add/", {**base, "kind": "tcp", "down_after": 3})
    assert "exactly one target" in response.text
    response = client.post(
        "/portal/monitoring/contacts/add/", {"name": "x", "email": "x@acme.test", "time_zone": "Moon"}
    )
    assert response.status_code == 200 and "is not a time zone" in response.text
    assert not Check.objects.exists() and not MonitoringContact.objects.exists()


def test_edit_pause_and_remove(client_for, alice, acme):
    check = make_check(acme, name="db1")
    client = client_for(alice)
    form = client.get(f"/portal/monitoring/checks/{check.pk}/edit/")
    assert form.status_code == 200 and 'value="db1"' in form.text
    data = {name: value for name, value in form.context["form"].initial.items() if value is not None}
    data.update(name="db1 postgres", port=5432, device=check.device_id)
    data.pop("ip_address", None)
    response = client.post(f"/portal/monitoring/checks/{check.pk}/edit/", data)
    assert response.status_code == 302
    check.refresh_from_db()
    assert (check.name, check.port) == ("db1 postgres", 5432)

    client.post(f"/portal/monitoring/checks/{check.pk}/pause/", {"paused": "1"})
    check.refresh_from_db()
    assert check.paused and check.state == "paused"
    assert "Resume" in client.get(f"/portal/monitoring/checks/{check.pk}/").text

    assert client.get(f"/portal/monitoring/checks/{check.pk}/delete/").status_code == 200
    client.post(f"/portal/monitoring/checks/{check.pk}/delete/")
    assert not Check.objects.exists()

    contact = make_contact(acme)
    client.post(f"/portal/monitoring/contacts/{contact.pk}/delete/")
    assert not MonitoringContact.objects.exists()


def test_read_only_members_may_not(client_for, acme):
    reader = MembershipFactory(company=acme, user=UserFactory(), role=CompanyRole.READ_ONLY).user
    assert client_for(reader).get("/portal/monitoring/").status_code == 403


def test_overview_queries_do_not_grow(client_for, alice, acme, django_assert_max_num_queries):
    client = client_for(alice)

    def add(count):
        for number in range(count):
            check = make_check(acme, name=f"c{number}-{Check.objects.count()}", down_after=1)
            fail(check)
        make_contact(acme, email=f"c{Check.objects.count()}@acme.test")

    add(2)
    with django_assert_max_num_queries(30) as small:
        client.get("/portal/monitoring/")
    add(12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/portal/monitoring/")
    assert response.text.count("data-check=") == 14
