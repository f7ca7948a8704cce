"""The hand-written reads (``ipam.statements``) give what the ORM gives, in constant statements at two sizes.

Run on SQLite by default and on PostgreSQL with ``DATABASE_URL``: the expected values are literal, so both
databases must produce the same answers.
"""

import ipaddress
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.tenancy import for_user
from ipam import selectors, services, statements
from ipam.addressing import to_hex
from ipam.choices import IPAddressStatus, PrefixStatus
from ipam.models import IPAddress, Prefix
from tests.ipam.factories import documentation_space, justification_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(db):
    return documentation_space()


def queries(function) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = function()
    return len(captured), result


def loaded_values(instance) -> dict:
    """The values of every field the instance has loaded (deferred ones are left out, never fetched)."""
    deferred = instance.get_deferred_fields()
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields} | {
        "deferred": sorted(deferred)
    }


def test_prefixes_around_are_the_orm_rows(space, acme):
    services.prefix_add(prefix="10.0.0.0/9", status=PrefixStatus.CONTAINER)
    services.prefix_add(prefix="10.3.0.0/24", create_addresses=True, description="web")
    services.block_assign(prefix="10.3.1.0/28", company=acme, justification=justification_for(acme))
    services.prefix_add(prefix="10.3.1.16/28", is_pool=True)
    for address in ("10.3.0.10", "10.3.1.5", "10.3.1.20", "10.200.0.1"):
        ip = ipaddress.ip_address(address)
        with CaptureQueriesContext(connection) as captured:
            lean = statements.prefixes_around(ip)
            [prefix.company for prefix in lean]  # loaded with them: no query
        assert len(captured) == 1
        orm = list(Prefix.objects.around(ip).select_related("company").order_by("prefix_length"))
        assert [prefix.pk for prefix in lean] == [prefix.pk for prefix in orm]
        for fast, slow in zip(lean, orm, strict=True):
            values = loaded_values(fast)
            assert values.pop("deferred") == sorted(
                {"created", "last_updated", "comments", "aggregate_id"} | {"role", "vlan_id", "site_id"}
            )
            assert values == {name: getattr(slow, name) for name in values}
            assert (fast.company, fast.utilisation, fast.usable_range()) == (
                slow.company,
                slow.utilisation,
                slow.usable_range(),
            )
    around = statements.prefixes_around(ipaddress.ip_address("10.3.1.5"))
    assert [(p.prefix, p.company and p.company.name, p.utilisation) for p in around] == [
        ("10.0.0.0/9", None, 0),
        ("10.3.1.0/28", "Acme Hosting", 100),
    ]


def test_address_record_is_the_orm_row_with_its_holder(space, acme, superuser):
    from tests.dcim.factories import make_device, make_interface

    interface = make_interface(make_device(name="web01"), name="eth0")
    services.prefix_add(prefix="192.0.2.0/28", create_addresses=True)
    when = timezone.now() - timedelta(days=3)
    services.ip_assign(
        address="192.0.2.3",
        company=acme,
        justification=justification_for(acme),
        interface=interface,
        actor=superuser,
        reason="server primary",
        when=when,
    )
    services.ip_reserve(address="192.0.2.4", reason="gateway")
    for address in ("192.0.2.3", "192.0.2.4", "192.0.2.5"):
        value = to_hex(ipaddress.ip_address(address))
        with CaptureQueriesContext(connection) as captured:
            record = statements.address_record(4, value)
            current = record.current_assignment
            names = (str(record.company), str(current and current.assigned_by), str(current and current.interface))
        assert len(captured) == 1
        orm = IPAddress.objects.select_related(
            "company", "current_assignment__assigned_by", "current_assignment__interface__device"
        ).get(family=4, value=value)
        values = loaded_values(record)
        assert values.pop("deferred") == ["comments", "created", "description", "last_updated"]
        assert values == {name: getattr(orm, name) for name in values}
        orm_current = orm.current_assignment
        assert names == (
            str(orm.company),
            str(orm_current and orm_current.assigned_by),
            str(orm_current and orm_current.interface),
        )
        if current is not None:
            assert (current.reason, current.started_at, current.kind) == (
                orm_current.reason,
                orm_current.started_at,
                orm_current.kind,
            )
    held = statements.address_record(4, to_hex(ipaddress.ip_address("192.0.2.3")))
    assert held.current_assignment.started_at == when and timezone.is_aware(held.current_assignment.started_at)
    assert str(held.current_assignment.interface) == "web01 eth0"
    assert statements.address_record(4, to_hex(ipaddress.ip_address("192.0.2.99"))) is None


def test_search_of_an_address_through_the_api_in_constant_queries(space, noc_user, acme, globex, superuser):
    """Every state the search can answer, the same on SQLite and PostgreSQL, in the same queries at two sizes."""
    from rest_framework.test import APIClient

    from tests.dcim.factories import make_device, make_interface

    services.prefix_add(prefix="10.0.0.0/9", status=PrefixStatus.CONTAINER)
    services.prefix_add(prefix="10.7.0.0/24", create_addresses=True)
    interface = make_interface(make_device(name="db01"), name="eth1")
    services.ip_assign(
        address="10.7.0.10",
        company=acme,
        justification=justification_for(acme),
        actor=superuser,
        interface=interface,
        reason="database",
    )
    services.ip_reserve(address="10.7.0.11", reason="gateway", actor=superuser)
    services.block_assign(prefix="10.7.1.0/28", company=globex, justification=justification_for(globex))
    services.prefix_add(prefix="10.7.2.0/28", status=PrefixStatus.RESERVED, description="lab")
    client = APIClient()
    client.force_authenticate(noc_user)
    asked = {
        "10.7.0.10": ("in use", "Acme Hosting", "db01 eth1", "database", str(superuser), None),
        "10.7.0.11": ("reserved", None, None, "gateway", str(superuser), None),
        "10.7.0.12": ("free", None, None, "", None, None),
        "10.7.0.255": ("not usable", None, None, "broadcast address", None, None),
        "10.7.1.5": ("in use", "Globex", None, "", None, "10.7.1.0/28"),
        "10.7.2.5": ("reserved", None, None, "lab", None, None),
        "10.99.0.1": ("unmanaged", None, None, "", None, None),
    }

    def search_all():
        answers = {}
        for address in asked:
            response = client.get(f"/api/ipam/search/?q={address}")
            assert response.status_code == 200, response.content
            row = response.json()["addresses"][0]
            answers[address] = (row["state"], row["company"], row["interface"], row["reason"], row["by"], row["block"])
        return answers

    search_all()  # permission caches
    counts = []
    for size in (0, 10):
        for number in range(size):
            services.prefix_add(prefix=f"10.{100 + number}.0.0/24", create_addresses=True)
            services.ip_assign(
                address=f"10.{100 + number}.0.9", company=globex, justification=justification_for(globex)
            )
        count, answers = queries(search_all)
        assert answers == asked
        counts.append(count)
    assert counts[0] == counts[1]
    prefixes = client.get("/api/ipam/search/?q=10.7.0.10").json()["prefixes"]
    assert [(row["prefix"], row["status"], row["utilisation"]) for row in prefixes] == [
        ("10.0.0.0/9", "container", 0),
        ("10.7.0.0/24", "active", 1),
    ]


def test_next_free_ip_of_for_staff_and_customers(space, acme, globex, alice, noc_user):
    """Staff read the subnet and its first available record in one statement, customers through their scope;
    both get the same answer, another company's subnet is not found."""
    subnet = services.block_assign(prefix="10.8.0.0/24", company=acme, justification=justification_for(acme)).prefix
    services.prefix_add(prefix="10.8.1.0/24", create_addresses=True)
    other = services.block_assign(prefix="10.8.2.0/28", company=globex, justification=justification_for(globex))
    records = services.prefix_add(prefix="10.8.3.0/24", create_addresses=True)
    IPAddress.objects.filter(prefix=records, value__lte=to_hex(ipaddress.ip_address("10.8.3.200"))).update(
        status=IPAddressStatus.RESERVED
    )
    staff = for_user(Prefix, noc_user)
    customer = for_user(Prefix, alice)
    count, (prefix, address) = queries(lambda: selectors.next_free_ip_of(staff, records.pk))
    assert (prefix, str(address), count) == (records, "10.8.3.201", 1)
    assert str(selectors.next_free_ip_of(staff, subnet.pk)[1]) == "10.8.0.1"
    assert str(selectors.next_free_ip_of(customer, subnet.pk)[1]) == "10.8.0.1"
    assert selectors.next_free_ip_of(customer, other.prefix.pk) == (None, None)
    assert selectors.next_free_ip_of(customer, records.pk) == (None, None)
    assert selectors.next_free_ip_of(staff, 10**9) == (None, None)
    assert selectors.next_free_ip_of(staff, 10**30) == (None, None)
    assert selectors.next_free_ip_of(staff, -1) == (None, None)
    # A pool made a plain subnet keeps an available record of its network address: never the answer.
    pool = services.prefix_add(prefix="10.8.4.0/29", is_pool=True, create_addresses=True)
    Prefix.objects.filter(pk=pool.pk).update(is_pool=False)
    IPAddress.objects.filter(prefix=pool).exclude(address__in=["10.8.4.0", "10.8.4.5"]).update(
        status=IPAddressStatus.RESERVED
    )
    assert str(selectors.next_free_ip_of(staff, pool.pk)[1]) == "10.8.4.5"
    # Full: none.
    IPAddress.objects.filter(prefix=records).update(status=IPAddressStatus.RESERVED)
    assert selectors.next_free_ip_of(staff, records.pk)[1] is None


def test_next_free_ip_through_the_api_costs_the_same_at_two_sizes(space, noc_user, globex):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(noc_user)
    small = services.prefix_add(prefix="10.9.0.0/24", create_addresses=True)
    big = services.prefix_add(prefix="10.10.0.0/20", create_addresses=True)
    for prefix, held in ((small, 200), (big, 4000)):
        first, _last = prefix.usable_range()
        IPAddress.objects.filter(prefix=prefix, value__lt=to_hex(first + held)).update(status=IPAddressStatus.RESERVED)
    client.post("/api/ipam/next-free-ip/", {"prefix": small.pk}, format="json")  # permission caches
    few, small_answer = queries(lambda: client.post("/api/ipam/next-free-ip/", {"prefix": small.pk}, format="json"))
    many, big_answer = queries(lambda: client.post("/api/ipam/next-free-ip/", {"prefix": big.pk}, format="json"))
    assert (small_answer.json(), big_answer.json()) == (
        {"prefix": "10.9.0.0/24", "address": "10.9.0.201"},
        {"prefix": "10.10.0.0/20", "address": "10.10.15.161"},
    )
    assert few == many == 1


def test_address_lookup_is_the_prefixes_and_the_record_in_one_statement(space, acme):
    services.prefix_add(prefix="10.0.0.0/9", status=PrefixStatus.CONTAINER)
    services.prefix_add(prefix="10.12.0.0/24", create_addresses=True)
    services.ip_assign(address="10.12.0.7", company=acme, justification=justification_for(acme))
    for address, prefixes, state in (
        ("10.12.0.7", ["10.0.0.0/9", "10.12.0.0/24"], "assigned"),
        ("10.12.0.0", ["10.0.0.0/9", "10.12.0.0/24"], None),  # the network address has no record
        ("10.13.0.1", ["10.0.0.0/9"], None),
        ("10.200.0.1", [], None),  # in no prefix: still one row back
    ):
        ip = ipaddress.ip_address(address)
        count, (around, record) = queries(lambda ip=ip: statements.address_lookup(ip))
        assert count == 1
        assert [prefix.prefix for prefix in around] == prefixes
        assert [loaded_values(p) for p in around] == [loaded_values(p) for p in statements.prefixes_around(ip)]
        alone = statements.address_record(4, to_hex(ip))
        assert (record and record.status, record and loaded_values(record)) == (
            state,
            alone and loaded_values(alone),
        )
        if record is not None:
            assert (record.company, record.current_assignment) == (alone.company, alone.current_assignment)
