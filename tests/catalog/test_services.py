"""The service lifecycle, orders, upgrades, resource links and releases, customer requests."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.choices import CompanyRole
from catalog import services
from catalog.choices import (
    OrderKind,
    OrderStatus,
    ProductKind,
    RequestStatus,
    ServiceEventKind,
    ServiceStatus,
)
from catalog.models import Service, ServiceEvent
from tests.accounts.factories import MembershipFactory
from tests.catalog.factories import active_service, option, plan

pytestmark = pytest.mark.django_db


def pending(company, **fields):
    return services.service_create(company=company, plan=fields.pop("plan_", None) or plan(), actor=None, **fields)


# --- lifecycle -------------------------------------------------------------------------------------------


def test_full_lifecycle_is_logged_with_actor_and_time(acme, support):
    service = pending(acme, plan_=plan(term_months=12))
    service = services.service_provision(service=service, actor=support)
    assert service.status == ServiceStatus.PROVISIONING and service.provisioning_at
    service = services.service_activate(service=service, actor=support, on=date(2026, 1, 10))
    assert service.status == ServiceStatus.ACTIVE
    assert (service.billing_start_date, service.contract_start) == (date(2026, 1, 10), date(2026, 1, 10))
    assert service.renewal_date == date(2027, 1, 10)
    assert service.next_billing_date == date(2026, 1, 10)
    service = services.service_suspend(service=service, actor=support, reason="Abuse report #42")
    assert service.status == ServiceStatus.SUSPENDED and service.suspended_at
    service = services.service_unsuspend(service=service, actor=support)
    assert service.status == ServiceStatus.ACTIVE and service.suspended_at is None
    service = services.service_cancel(service=service, actor=support, on=date(2027, 1, 10))
    assert service.status == ServiceStatus.CANCELLED and service.billing_end_date == date(2027, 1, 10)
    service = services.service_terminate(service=service, actor=support, reason="Decommissioned")
    assert service.status == ServiceStatus.TERMINATED and service.terminated_at
    moves = list(
        ServiceEvent.objects.filter(service=service, kind=ServiceEventKind.TRANSITION)
        .order_by("at", "pk")
        .values_list("from_status", "to_status", "actor")
    )
    assert moves == [
        ("", "pending", None),
        ("pending", "provisioning", support.pk),
        ("provisioning", "active", support.pk),
        ("active", "suspended", support.pk),
        ("suspended", "active", support.pk),
        ("active", "cancelled", support.pk),
        ("cancelled", "terminated", support.pk),
    ]
    assert service.history.count() >= 7


@pytest.mark.parametrize(
    "action, start, message",
    [
        ("service_activate", "pending", "is pending, so it cannot be activated"),
        ("service_suspend", "pending", "is pending, so it cannot be suspended"),
        ("service_provision", "active", "is active, so it cannot be provisioned"),
        ("service_terminate", "active", "is active, so it cannot be terminated"),
        ("service_unsuspend", "active", "not suspended"),
        ("service_request_cancellation", "pending", "is pending, so it cannot be put up for cancellation"),
        ("service_provision", "terminated", "nothing: it is final"),
    ],
)
def test_transitions_out_of_order_are_refused_and_change_nothing(acme, support, action, start, message):
    service = pending(acme) if start == "pending" else active_service(acme)
    if start == "terminated":
        services.service_cancel(service=service, actor=None)
        services.service_terminate(service=service, actor=None)
    before = (service.__class__.objects.get(pk=service.pk).status, service.events.count())
    kwargs = {"reason": "because"} if action == "service_suspend" else {}
    with pytest.raises(ValidationError) as error:
        getattr(services, action)(service=service, actor=support, **kwargs)
    assert message in " ".join(error.value.messages)
    assert (service.__class__.objects.get(pk=service.pk).status, service.events.count()) == before


def test_suspension_needs_a_reason(acme, support):
    service = active_service(acme)
    with pytest.raises(ValidationError, match="Say why"):
        services.service_suspend(service=service, actor=support, reason=" ")


def test_staff_without_permission_and_customers_are_refused(acme, alice, noc_user):
    service = pending(acme)
    for user in (noc_user, alice):
        with pytest.raises(PermissionDenied):
            services.service_provision(service=service, actor=user)


def test_cancellation_request_takes_effect_at_the_end_of_the_period(acme, support):
    today = timezone.localdate()
    service = active_service(acme, on=today - timedelta(days=40))
    service = services.service_request_cancellation(service=service, actor=support, reason="Moving out")
    assert service.status == ServiceStatus.CANCELLATION_REQUESTED
    assert today < service.cancellation_effective_date <= today + timedelta(days=31)
    service = services.service_withdraw_cancellation(service=service, actor=support)
    assert service.status == ServiceStatus.ACTIVE and service.cancellation_effective_date is None


def test_minimum_term_postpones_the_effective_date(acme):
    today = timezone.localdate()
    service = active_service(acme, on=today - timedelta(days=5), plan_=plan(term_months=12))
    effective = services.cancellation_effective_date_for(service=service)
    assert effective == service.contract_end >= today + timedelta(days=300)


def test_scheduled_task_cancels_due_services(acme):
    from catalog.tasks import cancellations_due

    today = timezone.localdate()
    due = active_service(acme, on=today - timedelta(days=60))
    services.service_request_cancellation(service=due, actor=None, effective_date=today)
    later = active_service(acme, on=today - timedelta(days=60))
    services.service_request_cancellation(service=later, actor=None, effective_date=today + timedelta(days=3))
    assert cancellations_due() == "1 services cancelled"
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.billing_end_date) == (ServiceStatus.CANCELLED, today)
    assert later.status == ServiceStatus.CANCELLATION_REQUESTED


# --- resources -------------------------------------------------------------------------------------------


def test_linking_resources_and_releasing_them_on_cancel(acme, support):
    from dcim.models import RackReservation
    from tests.dcim.factories import cross_connect_for, make_circuit, make_rack, reservation_for
    from tests.ipam.factories import customer_block

    service = active_service(acme)
    block = customer_block(acme)
    reservation = reservation_for(acme)
    circuit = make_circuit(acme)
    cross_connect = cross_connect_for(acme)
    rack = make_rack(acme)
    services.service_link_resources(
        service=service,
        actor=support,
        ip_assignments=[block.assignments.get()],
        rack_reservations=[reservation],
        power_circuits=[circuit],
        cross_connects=[cross_connect],
        racks=[rack],
    )
    assert service.events.filter(kind=ServiceEventKind.RESOURCES).exists()
    services.service_cancel(service=service, actor=support)
    block.refresh_from_db()
    circuit.refresh_from_db()
    cross_connect.refresh_from_db()
    rack.refresh_from_db()
    assert block.company is None
    assert block.assignments.get().ended_at is not None  # history kept
    assert not RackReservation.objects.filter(pk=reservation.pk).exists()
    assert circuit.company is None and rack.company is None
    assert cross_connect.status == "decommissioned"
    assert service.events.filter(kind=ServiceEventKind.RELEASE).exists()


def test_another_companys_resources_cannot_be_linked(acme, globex, support):
    from tests.dcim.factories import make_rack

    service = active_service(acme)
    with pytest.raises(ValidationError, match="belongs to another customer"):
        services.service_link_resources(service=service, actor=support, racks=[make_rack(globex)])
    assert not service.racks.exists()


# --- orders ----------------------------------------------------------------------------------------------


def test_order_is_priced_from_the_catalog_and_opens_a_provisioning_ticket(acme, alice, provisioning_queue):
    chosen = plan(monthly="100.00", setup="250.00")
    reboot = option(chosen.product, monthly="10.00", setup="5.00")
    order = services.order_place(
        company=acme, placed_by=alice, lines=[{"plan": chosen, "quantity": 2, "options": [reboot]}]
    )
    assert order.number.startswith("SO") and order.status == OrderStatus.SUBMITTED
    assert (order.total_recurring, order.total_one_time) == (Decimal("220.00"), Decimal("510.00"))
    line = order.lines.get()
    assert (line.unit_recurring, line.unit_one_time, line.quantity) == (Decimal("110.00"), Decimal("255.00"), 2)
    assert order.ticket.queue == provisioning_queue
    assert order.ticket.requester == alice and order.number in order.ticket.subject


def test_ordering_something_not_offered_is_refused(acme, alice):
    hidden = plan(is_active=False)
    unorderable = plan()
    unorderable.product.is_orderable = False
    unorderable.product.save()
    for chosen in (hidden, unorderable):
        with pytest.raises(ValidationError, match="is not offered"):
            services.order_place(company=acme, placed_by=alice, lines=[{"plan": chosen}])
    assert not acme.orders.exists()


def test_read_only_members_cannot_order(acme):
    reader = MembershipFactory(company=acme, role=CompanyRole.READ_ONLY).user
    with pytest.raises(PermissionDenied, match="does not allow ordering"):
        services.order_place(company=acme, placed_by=reader, lines=[{"plan": plan()}])


def test_upgrade_of_someone_elses_service_is_refused(acme, globex, alice):
    theirs = active_service(globex)
    with pytest.raises(ValidationError, match="Choose one of Acme Hosting's services"):
        services.order_place(
            company=acme, placed_by=alice, kind=OrderKind.UPGRADE, service=theirs, lines=[{"plan": plan()}]
        )


def test_approving_a_new_order_creates_pending_services(acme, alice, support):
    order = services.order_place(company=acme, placed_by=alice, lines=[{"plan": plan(setup="99.00"), "quantity": 3}])
    order = services.order_approve(order=order, actor=support)
    service = order.lines.get().service
    assert (service.status, service.quantity, service.order) == (ServiceStatus.PENDING, 3, order)
    assert service.plan_periods.get().setup_fee == Decimal("99.00")
    with pytest.raises(ValidationError, match="approved already"):
        services.order_approve(order=order, actor=support)


def test_rejecting_needs_a_reason(acme, alice, support):
    order = services.order_place(company=acme, placed_by=alice, lines=[{"plan": plan()}])
    with pytest.raises(ValidationError):
        services.order_reject(order=order, actor=support, reason="")
    assert services.order_reject(order=order, actor=support, reason="Sold out").status == OrderStatus.REJECTED


def test_upgrade_order_changes_the_plan_from_its_effective_date(acme, alice, support):
    small = plan(monthly="100.00")
    big = plan(monthly="200.00")
    service = active_service(acme, on=timezone.localdate() - timedelta(days=20), plan_=small)
    starts = timezone.localdate() + timedelta(days=5)
    order = services.order_place(
        company=acme,
        placed_by=alice,
        kind=OrderKind.UPGRADE,
        service=service,
        effective_date=starts,
        lines=[{"plan": big}],
    )
    assert order.total_recurring == Decimal("200.00")
    services.order_approve(order=order, actor=support)
    service.refresh_from_db()
    assert service.plan == big
    old, new = service.plan_periods.order_by("starts_on")
    assert (old.ends_on, new.starts_on, new.unit_price) == (starts, starts, Decimal("200.00"))
    assert service.events.filter(kind=ServiceEventKind.PLAN_CHANGE).exists()


def test_upgrade_to_another_category_is_refused(acme, support):
    from tests.catalog.factories import category, product

    service = active_service(acme)
    other = plan(of=product(ProductKind.POWER, category=category("Power")))
    with pytest.raises(ValidationError, match="can only move to another plan of Colocation"):
        services.service_upgrade(service=service, plan=other, actor=support)


# --- customer requests -----------------------------------------------------------------------------------


def test_additional_ip_request_records_the_justification_and_lands_pending(acme, alice, support):
    from ipam.choices import JustificationStatus
    from tests.ipam.factories import documentation_space

    block_plan = plan(ProductKind.IP_BLOCK, monthly="20.00")
    request = services.additional_ip_request_create(
        company=acme,
        requested_by=alice,
        plan=block_plan,
        purpose="Customer web servers",
        hosts_now=3,
        hosts_in_6_months=5,
        hosts_in_12_months=6,
        utilisation_plan="One /29 for the web tier",
    )
    justification = request.justification
    assert justification.status == JustificationStatus.SUBMITTED
    assert (justification.hosts_now, justification.hosts_in_12_months, justification.requested_prefix_length) == (
        3,
        6,
        29,
    )
    assert request.order.kind == OrderKind.ADDITIONAL_IPS and request.order.ticket is not None
    with pytest.raises(ValidationError, match="Approve order"):
        services.additional_ip_request_fulfil(request=request, prefix="10.200.0.0/29", actor=support)
    services.order_approve(order=request.order, actor=support)
    request.refresh_from_db()
    documentation_space()
    request = services.additional_ip_request_fulfil(request=request, prefix="10.200.0.0/29", actor=support)
    assert request.status == RequestStatus.FULFILLED
    assert request.assignment.company == acme and request.assignment.justification == justification
    assert list(request.service.ip_assignments.all()) == [request.assignment]


def test_ip_request_too_small_for_the_hosts_is_refused(acme, alice):
    with pytest.raises(ValidationError, match="choose a larger block"):
        services.additional_ip_request_create(
            company=acme,
            requested_by=alice,
            plan=plan(ProductKind.IP_BLOCK),
            purpose="VPN",
            hosts_now=4,
            hosts_in_12_months=100,
        )


def test_managed_service_request_becomes_an_order(acme, alice):
    managed = plan(ProductKind.MANAGED_SERVICE, monthly="49.00")
    request = services.managed_service_request_create(
        company=acme, requested_by=alice, plan=managed, details="Nightly backups of web1"
    )
    assert request.order.kind == OrderKind.MANAGED_SERVICE and request.order.total_recurring == Decimal("49.00")
    assert request.order.ticket is not None and request.service_kind == "backups"


def test_billing_advances_the_next_billing_date(acme):
    service = active_service(acme, on=date(2026, 1, 1))
    service = services.service_set_next_billing_date(service=service, next_billing_date=date(2026, 2, 1))
    assert service.next_billing_date == date(2026, 2, 1)
    with pytest.raises(ValidationError, match="cannot come before"):
        services.service_set_next_billing_date(service=service, next_billing_date=date(2025, 12, 1))
    with pytest.raises(ValidationError, match="activate it first"):
        services.service_set_next_billing_date(service=pending(acme), next_billing_date=date(2026, 2, 1))


def _bulk_book(acme, count):
    start = date(2026, 1, 1)
    forwards = [active_service(acme, on=start) for _ in range(count)]
    ahead = active_service(acme, on=start)
    services.service_set_next_billing_date(service=ahead, next_billing_date=date(2026, 4, 1))
    return forwards, ahead


@pytest.mark.parametrize("count", [2, 8])
def test_bulk_next_billing_dates_move_forwards_only_in_constant_queries(acme, count, django_assert_num_queries):
    forwards, ahead = _bulk_book(acme, count)
    not_billed = pending(acme)
    half = count // 2
    dates = {s.pk: date(2026, 2, 1) for s in forwards[:half]} | {s.pk: date(2026, 3, 1) for s in forwards[half:]}
    dates |= {ahead.pk: date(2026, 2, 1), not_billed.pk: date(2026, 2, 1), 999999: date(2026, 2, 1)}
    # The atomic block's SAVEPOINT and RELEASE, one SELECT (locked), one UPDATE per distinct date that moves
    # something and one history INSERT: the same at both sizes.
    with django_assert_num_queries(6):
        moved = services.service_set_next_billing_dates(service_dates=dates)
    assert moved == count
    got = dict(Service.objects.values_list("pk", "next_billing_date"))
    assert [got[s.pk] for s in forwards] == [date(2026, 2, 1)] * half + [date(2026, 3, 1)] * (count - half)
    assert got[ahead.pk] == date(2026, 4, 1)  # never backwards
    assert got[not_billed.pk] is None  # not billed yet: left alone
    assert forwards[0].history.first().history_change_reason == "billing run"
    assert forwards[0].history.first().next_billing_date == date(2026, 2, 1)
    # A re-run with the same dates moves nothing.
    with django_assert_num_queries(3):
        assert services.service_set_next_billing_dates(service_dates=dates) == 0
    assert services.service_set_next_billing_dates(service_dates={}) == 0


# --- add-on options --------------------------------------------------------------------------------------


def test_order_with_options_is_priced_from_the_catalog_and_provisioned_with_them(acme, alice, support):
    chosen = plan(monthly="200.00", setup="100.00")
    reboot = option(chosen.product, monthly="10.00", setup="5.00", name="Remote reboot")
    feed = option(chosen.product, monthly="25.00", name="Second power feed")
    order = services.order_place(
        company=acme, placed_by=alice, lines=[{"plan": chosen, "quantity": 2, "options": [reboot, feed, reboot]}]
    )
    line = order.lines.get()
    assert (line.unit_recurring, line.unit_one_time) == (Decimal("235.00"), Decimal("105.00"))
    assert (order.total_recurring, order.total_one_time) == (Decimal("470.00"), Decimal("210.00"))
    assert set(line.options.all()) == {reboot, feed} and "Remote reboot" in line.description
    assert "Second power feed" in order.ticket.messages.first().body
    services.order_approve(order=order, actor=support)
    line.refresh_from_db()
    assert set(line.service.options.all()) == {reboot, feed}


def test_option_not_offered_for_the_plan_is_refused_and_nothing_is_recorded(acme, alice):
    from catalog.models import Order

    chosen = plan()
    elsewhere = option(plan().product, name="Other product's add-on")
    withdrawn = option(chosen.product, name="Withdrawn add-on")
    withdrawn.is_active = False
    withdrawn.save()
    euro = option(chosen.product, name="Priced in euros")
    euro.currency = "EUR"
    euro.save()
    for bad in (elsewhere, withdrawn, euro):
        with pytest.raises(ValidationError) as error:
            services.order_place(company=acme, placed_by=alice, lines=[{"plan": chosen, "options": [bad]}])
        assert bad.name in str(error.value)
    assert not Order.objects.exists()


def test_upgrade_order_changes_the_options(acme, alice, support):
    chosen = plan(monthly="100.00")
    reboot = option(chosen.product, monthly="10.00", name="Remote reboot")
    service = active_service(acme, plan_=chosen, on=date(2026, 1, 1))
    order = services.order_place(
        company=acme,
        placed_by=alice,
        kind="upgrade",
        service=service,
        lines=[{"plan": chosen, "options": [reboot]}],
    )
    assert order.total_recurring == Decimal("110.00")
    services.order_approve(order=order, actor=support)
    service.refresh_from_db()
    assert list(service.options.all()) == [reboot]
    assert service.plan_periods.count() == 1  # options alone change no plan period
    with pytest.raises(ValidationError, match="options the service has already"):
        services.order_place(
            company=acme,
            placed_by=alice,
            kind="upgrade",
            service=service,
            lines=[{"plan": chosen, "options": [reboot]}],
        )
    # A plan change keeps the add-ons still offered with the new plan.
    bigger = plan(monthly="150.00", of=chosen.product)
    services.service_upgrade(service=service, plan=bigger, actor=support, effective_date=date(2026, 3, 1))
    assert list(service.options.all()) == [reboot]
