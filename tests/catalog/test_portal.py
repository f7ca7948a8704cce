"""Portal services pages: list and detail, ordering, upgrades, IP and managed-service requests, cancellation."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import CompanyRole
from catalog.choices import OrderKind, ProductKind, ServiceStatus
from catalog.models import AdditionalIPRequest, ManagedServiceRequest, Order
from tests.accounts.factories import MembershipFactory
from tests.catalog.factories import active_service, plan
from tests.dcim.factories import make_circuit, make_device, make_rack

pytestmark = pytest.mark.django_db


def test_list_shows_current_services_with_what_they_use(acme, alice, client_for):
    from catalog import services

    service = active_service(acme, label="Cabinet B04")
    rack = make_rack(acme, name="B04")
    services.service_link_resources(service=service, actor=None, racks=[rack])
    response = client_for(alice).get(reverse("portal:services"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Cabinet B04" in body and "B04" in body and "Active" in body
    detail = client_for(alice).get(reverse("portal:service_detail", args=[service.pk]))
    assert detail.status_code == 200 and "Rack" in detail.content.decode()


def test_list_queries_do_not_grow_with_services(acme, alice, client_for):
    client = client_for(alice)
    active_service(acme)
    client.get(reverse("portal:services"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("portal:services")).status_code == 200
    for _ in range(4):
        service = active_service(acme)
        from catalog import services

        rack = make_rack(acme)
        services.service_link_resources(
            service=service,
            actor=None,
            racks=[rack],
            power_circuits=[make_circuit(acme, rack=rack)],
            devices=[make_device(acme, rack=rack, position=1)],
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("portal:services")).status_code == 200
    assert len(many) == len(few)


def test_other_companys_services_are_not_listed(acme, globex, alice, client_for):
    theirs = active_service(globex, label="Globex secret cage")
    body = client_for(alice).get(reverse("portal:services") + "?show=all").content.decode()
    assert "Globex secret cage" not in body
    assert client_for(alice).get(reverse("portal:service_detail", args=[theirs.pk])).status_code == 404


def test_ordering_needs_the_order_capability(acme, client_for):
    technician = MembershipFactory(company=acme, role=CompanyRole.TECHNICAL).user
    assert client_for(technician).get(reverse("portal:service_order")).status_code == 403
    assert client_for(technician).get(reverse("portal:services")).status_code == 200


def test_order_a_new_service(acme, alice, client_for):
    chosen = plan(monthly="150.00")
    response = client_for(alice).post(
        reverse("portal:service_order"), {"plan": chosen.pk, "quantity": 2, "customer_note": "Rack near B04"}
    )
    assert response.status_code == 302
    order = Order.objects.get(company=acme)
    assert (order.total_recurring, order.customer_note, order.ticket.queue.slug) == (
        Decimal("300.00"),
        "Rack near B04",
        "provisioning",
    )


def test_order_of_a_plan_not_offered_is_refused(acme, alice, client_for):
    hidden = plan(is_active=False)
    response = client_for(alice).post(reverse("portal:service_order"), {"plan": hidden.pk, "quantity": 1})
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_upgrade_from_the_portal(acme, alice, client_for):
    small = plan(monthly="100.00")
    big = plan(monthly="180.00")
    service = active_service(acme, plan_=small)
    url = reverse("portal:service_upgrade", args=[service.pk])
    assert client_for(alice).get(url).status_code == 200
    response = client_for(alice).post(
        url, {"plan": big.pk, "quantity": 1, "effective_date": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    order = Order.objects.get(company=acme)
    assert (order.kind, order.service, order.total_recurring) == (OrderKind.UPGRADE, service, Decimal("180.00"))


def test_additional_ip_request_form(acme, alice, client_for):
    block = plan(ProductKind.IP_BLOCK, monthly="20.00")
    url = reverse("portal:service_ip_request")
    missing = client_for(alice).post(url, {"plan": block.pk, "purpose": "Web"})
    assert missing.status_code == 400 and not AdditionalIPRequest.objects.exists()
    response = client_for(alice).post(
        url,
        {"plan": block.pk, "purpose": "Web servers", "hosts_now": 3, "hosts_in_6_months": 4, "hosts_in_12_months": 6},
    )
    assert response.status_code == 302
    request = AdditionalIPRequest.objects.get(company=acme)
    assert request.justification.purpose == "Web servers" and request.order.ticket is not None


def test_managed_service_request_form(acme, alice, client_for):
    managed = plan(ProductKind.MANAGED_SERVICE, monthly="49.00")
    response = client_for(alice).post(
        reverse("portal:service_managed_request"), {"plan": managed.pk, "details": "Backups of web1"}
    )
    assert response.status_code == 302
    assert ManagedServiceRequest.objects.get(company=acme).order.total_recurring == Decimal("49.00")


def test_cancel_by_e_mail_confirmation(acme, alice, bob, client_for, django_capture_on_commit_callbacks):
    service = active_service(acme, on=timezone.localdate() - timedelta(days=3), label="Cabinet B04")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(reverse("portal:service_cancel"), {"services": [service.pk]})
    assert response.status_code == 302
    link = re.search(r"https?://\S+/portal/services/cancel/confirm/\S+/", mail.outbox[0].body).group(0)
    path = link[link.index("/portal/") :]
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE
    # Another user opening the link: not found, nothing changes.
    assert client_for(bob).post(path).status_code == 404
    page = client_for(alice).get(path)
    assert page.status_code == 200 and "Cabinet B04" in page.content.decode()
    assert client_for(alice).post(path).status_code == 302
    service.refresh_from_db()
    assert service.status == ServiceStatus.CANCELLATION_REQUESTED
    again = client_for(alice).post(path)
    assert again.status_code == 400 and "already confirmed" in again.content.decode()
    forged = client_for(alice).get(path.replace(":", ";", 1))
    assert forged.status_code == 400


# --- withdrawing a pending cancellation ------------------------------------------------------------------


def _pending_cancellation(company, days_ahead=20):
    from catalog import services

    service = active_service(company, on=timezone.localdate() - timedelta(days=40), label="Cabinet C07")
    return services.service_request_cancellation(
        service=service, actor=None, effective_date=timezone.localdate() + timedelta(days=days_ahead)
    )


def test_customer_withdraws_a_pending_cancellation_from_the_service_page(acme, alice, client_for):
    from catalog.choices import CancellationStatus
    from catalog.models import CancellationRequest

    service = _pending_cancellation(acme)
    request = CancellationRequest.objects.create(
        company=acme,
        requested_by=alice,
        status=CancellationStatus.CONFIRMED,
        nonce="0" * 32,
        expires_at=timezone.now(),
    )
    request.services.add(service)
    client = client_for(alice)
    url = reverse("portal:service_detail", args=[service.pk])
    page = client.get(url).content.decode()
    assert "Withdraw the cancellation" in page and 'name="confirm"' in page
    withdraw = reverse("portal:service_withdraw_cancellation", args=[service.pk])
    assert client.get(withdraw).status_code == 405
    # Without the confirmation box ticked: nothing changes.
    assert client.post(withdraw).status_code == 302
    service.refresh_from_db()
    assert service.status == ServiceStatus.CANCELLATION_REQUESTED
    response = client.post(withdraw, {"confirm": "yes"}, follow=True)
    assert "is withdrawn" in response.content.decode()
    service.refresh_from_db()
    request.refresh_from_db()
    assert (service.status, service.cancellation_effective_date) == (ServiceStatus.ACTIVE, None)
    assert service.events.first().actor == alice
    assert request.status == CancellationStatus.WITHDRAWN
    assert "Withdraw the cancellation" not in client.get(url).content.decode()


def test_withdrawal_is_refused_on_the_effective_date_and_to_other_roles(acme, alice, client_for):
    from django.core.exceptions import PermissionDenied, ValidationError

    from catalog import services

    due_today = _pending_cancellation(acme, days_ahead=0)
    client = client_for(alice)
    assert (
        "Withdraw the cancellation"
        not in client.get(reverse("portal:service_detail", args=[due_today.pk])).content.decode()
    )
    response = client.post(
        reverse("portal:service_withdraw_cancellation", args=[due_today.pk]), {"confirm": "yes"}, follow=True
    )
    assert "can no longer be withdrawn" in response.content.decode()
    due_today.refresh_from_db()
    assert due_today.status == ServiceStatus.CANCELLATION_REQUESTED
    with pytest.raises(ValidationError, match="can no longer be withdrawn"):
        services.service_withdraw_cancellation(service=due_today, actor=alice)

    pending = _pending_cancellation(acme)
    technician = MembershipFactory(company=acme, role=CompanyRole.TECHNICAL).user
    url = reverse("portal:service_withdraw_cancellation", args=[pending.pk])
    assert client_for(technician).post(url, {"confirm": "yes"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.service_withdraw_cancellation(service=pending, actor=technician)
    stranger = MembershipFactory(role=CompanyRole.OWNER).user  # the owner of another company
    with pytest.raises(PermissionDenied):
        services.service_withdraw_cancellation(service=pending, actor=stranger)
    pending.refresh_from_db()
    assert pending.status == ServiceStatus.CANCELLATION_REQUESTED


# --- add-on options and order pages ----------------------------------------------------------------------


def test_order_form_offers_the_plans_options_with_prices_and_refuses_others(acme, alice, client_for):
    from tests.catalog.factories import option

    chosen = plan(monthly="150.00")
    reboot = option(chosen.product, monthly="10.00", setup="5.00", name="Remote reboot")
    other = option(plan().product, monthly="3.00", name="Other product's add-on")
    client = client_for(alice)
    page = client.get(reverse("portal:service_order")).content.decode()
    assert "Remote reboot (+10.00 USD per period, +5.00 USD setup)" in page
    assert f'data-product="{chosen.product_id}"' in page and 'id="order-total"' in page
    refused = client.post(reverse("portal:service_order"), {"plan": chosen.pk, "quantity": 1, "options": [other.pk]})
    assert refused.status_code == 400
    assert "is not offered with" in refused.content.decode() and not Order.objects.exists()
    response = client.post(
        reverse("portal:service_order"), {"plan": chosen.pk, "quantity": 2, "options": [reboot.pk]}, follow=True
    )
    order = Order.objects.get(company=acme)
    assert (order.total_recurring, order.total_one_time) == (Decimal("320.00"), Decimal("10.00"))
    assert list(order.lines.get().options.all()) == [reboot]
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("portal:order_detail", args=[order.pk])
    assert "320.00 USD recurring" in body and "Remote reboot" in body


def test_upgrade_form_preselects_and_changes_the_options(acme, alice, client_for):
    from catalog import services
    from tests.catalog.factories import option

    chosen = plan(monthly="100.00")
    reboot = option(chosen.product, monthly="10.00", name="Remote reboot")
    feed = option(chosen.product, monthly="20.00", name="Second feed")
    service = active_service(acme, plan_=chosen, options=[reboot])
    url = reverse("portal:service_upgrade", args=[service.pk])
    page = client_for(alice).get(url).content.decode()
    assert re.search(rf'value="{reboot.pk}"[^>]*checked', page)
    response = client_for(alice).post(
        url,
        {
            "plan": chosen.pk,
            "quantity": 1,
            "options": [reboot.pk, feed.pk],
            "effective_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    order = Order.objects.get(company=acme)
    assert order.kind == OrderKind.UPGRADE and order.total_recurring == Decimal("130.00")
    services.order_approve(order=order, actor=None)
    assert set(service.options.all()) == {reboot, feed}


def _orders_with_lines(company, user, count):
    from catalog import services
    from tests.catalog.factories import option

    for _ in range(count):
        chosen = plan()
        add_ons = [option(chosen.product, name="Reboot"), option(chosen.product, name="Feed")]
        services.order_place(
            company=company,
            placed_by=user,
            lines=[{"plan": chosen, "options": add_ons}, {"plan": plan(), "quantity": 2}],
        )


def test_order_pages_show_lines_options_totals_and_ticket(acme, alice, client_for):
    _orders_with_lines(acme, alice, 1)
    order = Order.objects.get()
    client = client_for(alice)
    listing = client.get(reverse("portal:orders")).content.decode()
    assert order.number in listing and reverse("portal:ticket_detail", args=[order.ticket_id]) in listing
    assert order.number not in client.get(reverse("portal:orders") + "?status=rejected").content.decode()
    detail = client.get(reverse("portal:order_detail", args=[order.pk])).content.decode()
    assert "Reboot" in detail and "Feed" in detail and f"{order.total_recurring} USD" in detail
    assert f"Ticket #{order.ticket_id}" in detail and "Submitted" in detail


def test_order_pages_keep_constant_queries(acme, alice, client_for):
    client = client_for(alice)
    _orders_with_lines(acme, alice, 1)
    first = Order.objects.get()
    client.get(reverse("portal:orders"))
    with CaptureQueriesContext(connection) as few_list:
        assert client.get(reverse("portal:orders")).status_code == 200
    with CaptureQueriesContext(connection) as few_detail:
        assert client.get(reverse("portal:order_detail", args=[first.pk])).status_code == 200
    _orders_with_lines(acme, alice, 5)
    from catalog import services
    from tests.catalog.factories import option

    chosen = plan()
    big = services.order_place(
        company=acme,
        placed_by=alice,
        lines=[{"plan": chosen, "options": [option(chosen.product, name=f"Add-on {n}") for n in range(4)]}]
        + [{"plan": plan()} for _ in range(5)],
    )
    with CaptureQueriesContext(connection) as many_list:
        assert client.get(reverse("portal:orders")).status_code == 200
    with CaptureQueriesContext(connection) as many_detail:
        assert client.get(reverse("portal:order_detail", args=[big.pk])).status_code == 200
    assert len(many_list) == len(few_list)
    assert len(many_detail) == len(few_detail)


def test_another_companys_order_is_not_found(acme, globex, alice, bob, client_for):
    _orders_with_lines(globex, bob, 1)
    theirs = Order.objects.get()
    client = client_for(alice)
    assert client.get(reverse("portal:order_detail", args=[theirs.pk])).status_code == 404
    assert theirs.number not in client.get(reverse("portal:orders")).content.decode()
