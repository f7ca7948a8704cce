"""Bandwidth commits come from the catalog: a bandwidth service on an interface sets what alerts measure against."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from catalog import services as catalog_services
from catalog.choices import ProductKind
from monitoring import bandwidth, selectors
from monitoring.models import InterfaceState
from tests.catalog.factories import active_service, plan
from tests.dcim.factories import make_interface
from tests.monitoring.factories import snmp_device


def bandwidth_service(company, interface, *, commit_mbps: int = 100, quantity=1):
    bandwidth = plan(ProductKind.BANDWIDTH)
    bandwidth.product.commit_mbps = commit_mbps
    bandwidth.product.save(update_fields=["commit_mbps"])
    service = active_service(company, plan_=bandwidth, quantity=Decimal(quantity))
    service.interfaces.add(interface)
    return service


def test_commit_is_the_sum_of_the_bandwidth_services_in_force(db, acme):
    device = snmp_device(acme)
    uplink = make_interface(device, name="uplink", speed=1000)
    other = make_interface(device, name="other", speed=1000)
    bandwidth_service(acme, uplink, commit_mbps=100, quantity=2)
    bandwidth_service(acme, uplink, commit_mbps=50)
    # Not counted: a colocation service on the port, an ordered (pending) bandwidth service.
    active_service(acme).interfaces.add(other)
    pending = catalog_services.service_create(company=acme, plan=plan(ProductKind.BANDWIDTH), actor=None)
    pending.interfaces.add(other)
    assert selectors.interface_commits_mbps() == {uplink.pk: 250}
    assert selectors.interface_commits_mbps(interface_ids=[other.pk]) == {}


def test_thresholds_measure_against_the_catalog_commit(db, acme, django_capture_on_commit_callbacks):
    device = snmp_device(acme)
    uplink = make_interface(device, name="uplink", speed=1000)
    # Staff set 500 Mbit/s by hand; the catalog's 200 Mbit/s commit wins once the service exists.
    state = InterfaceState.objects.create(interface=uplink, commit_mbps=500, in_bps=170e6, rates_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert bandwidth.thresholds_evaluate_all() == []  # 34 % of 500
    service = bandwidth_service(acme, uplink, commit_mbps=200)
    with django_capture_on_commit_callbacks(execute=True):
        notices = bandwidth.thresholds_evaluate_all()
    assert [notice.level for notice in notices] == [80]
    assert "of its 200 Mbit/s commit (170.0 Mbit/s, 85 %)" in notices[0].message
    # The service ends: back to the commit staff set, below 80 %.
    type(service).objects.filter(pk=service.pk).update(status="terminated")
    with django_capture_on_commit_callbacks(execute=True):
        assert bandwidth.thresholds_evaluate_all() == []
    state.refresh_from_db()
    assert state.threshold_level == 0


def test_portal_shows_the_catalog_commit(db, acme, alice, client_for):
    device = snmp_device(acme)
    uplink = make_interface(device, name="uplink", speed=1000)
    InterfaceState.objects.create(interface=uplink, in_bps=1e6, rates_at=timezone.now())
    bandwidth_service(acme, uplink, commit_mbps=300)
    response = client_for(alice).get(reverse("portal:bandwidth_interface", args=[uplink.pk]))
    assert response.status_code == 200
    assert b"<dd>300 Mbit/s</dd>" in response.content
