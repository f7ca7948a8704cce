"""The per-prefix figures kept on write (``ipam.counters``) stay equal to a recount through every kind of write."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Count, Q

from ipam import counters, services
from ipam.choices import HELD_STATUSES, PrefixStatus
from ipam.models import IPAddress, Prefix
from tests.ipam.factories import documentation_space, justification_for

pytestmark = pytest.mark.django_db


def recounted() -> dict:
    """Every prefix's figures worked out from the rows, in Python: (records, held, child space)."""
    prefixes = list(Prefix.objects.all())
    rows = {
        row["prefix"]: row
        for row in IPAddress.objects.values("prefix")
        .annotate(records=Count("pk"), held=Count("pk", filter=Q(status__in=HELD_STATUSES)))
        .order_by()
    }
    figures = {}
    for prefix in prefixes:
        child_units = 0
        if prefix.status == PrefixStatus.CONTAINER:
            child_units = sum(
                other.size_units
                for other in prefixes
                if other.pk != prefix.pk
                and other.status != PrefixStatus.CONTAINER
                and other.family == prefix.family
                and prefix.network_start <= other.network_start <= other.network_end <= prefix.network_end
            )
        row = rows.get(prefix.pk, {"records": 0, "held": 0})
        figures[prefix.prefix] = (row["records"], row["held"], child_units)
    return figures


def stored() -> dict:
    return {
        prefix: (records, held, child_units)
        for prefix, records, held, child_units in Prefix.objects.values_list(
            "prefix", "address_records", "held_addresses", "child_units"
        )
    }


def test_figures_follow_every_write(acme, globex):
    documentation_space()
    services.prefix_add(prefix="10.0.0.0/16", status=PrefixStatus.CONTAINER)
    services.prefix_add(prefix="10.0.0.0/20", status=PrefixStatus.CONTAINER)
    subnet = services.prefix_add(prefix="10.0.1.0/24", create_addresses=True)
    services.prefix_add(prefix="10.0.2.0/24")
    justification = justification_for(acme)
    for number in range(1, 11):
        services.ip_assign(address=f"10.0.1.{number}", company=acme, justification=justification)
    services.ip_reserve(address="10.0.1.200", reason="gateway")
    services.ip_reserve(address="10.0.2.7", reason="switch")  # creates the record
    services.ip_release(address="10.0.1.3")
    services.ip_range_add(start="10.0.2.20", end="10.0.2.29")
    services.block_assign(prefix="10.0.3.0/28", company=globex, justification=justification_for(globex))
    assert stored() == recounted()
    assert stored()["10.0.1.0/24"] == (254, 10, 0)
    assert stored()["10.0.0.0/20"] == (0, 0, 256 + 256 + 16)

    # Deletes (the admin's and the API's) and an edit that moves a record to another subnet.
    IPAddress.objects.get(address="10.0.1.5").delete()
    IPAddress.objects.filter(address__in=["10.0.2.20", "10.0.2.21"]).delete()
    moved = IPAddress.objects.get(address="10.0.2.22")
    with pytest.raises(ValidationError):  # the network address: refused, nothing changes
        services.ipaddress_update(record=moved, address="10.0.1.0")
    moved = IPAddress.objects.get(address="10.0.2.22")
    IPAddress.objects.filter(address="10.0.1.250").delete()
    services.ipaddress_update(record=moved, address="10.0.1.250")
    block = Prefix.objects.get(prefix="10.0.3.0/28")
    services.block_release(prefix=block)
    services.prefix_delete(record=Prefix.objects.get(prefix="10.0.3.0/28"))
    edited = Prefix.objects.get(prefix="10.0.2.0/24")
    IPAddress.objects.filter(prefix=edited).delete()
    services.prefix_update(record=edited, prefix="10.0.64.0/24")  # out of the /20, still inside the /16
    assert stored() == recounted()
    assert stored()["10.0.1.0/24"][:2] == (253, 9)
    assert stored()["10.0.0.0/20"][2] == 256
    assert stored()["10.0.0.0/16"][2] == 512
    subnet.refresh_from_db()
    assert subnet.utilisation == round(100 * 9 / 254)

    # A recount of everything (after a bulk load, an import, or a write around the services) agrees.
    Prefix.objects.update(address_records=0, held_addresses=0, child_units=7)
    counters.counters_refresh()
    assert stored() == recounted()
    IPAddress.objects.filter(address="10.0.1.7").update(status="available")
    output = io.StringIO()
    call_command("ipam_counters_refresh", stdout=output)
    assert "Recounted the figures of" in output.getvalue()
    assert stored() == recounted()
    assert stored()["10.0.1.0/24"][:2] == (253, 8)


def test_container_added_over_existing_subnets_counts_them():
    documentation_space()
    services.prefix_add(prefix="192.0.2.0/26")
    services.prefix_add(prefix="192.0.2.128/25")
    container = services.prefix_add(prefix="192.0.2.0/24", status=PrefixStatus.CONTAINER)
    assert container.child_units == 64 + 128
    assert container.utilisation == 75
    assert stored() == recounted()
