"""The demo step is idempotent; racks and devices survive an export/import round trip through the resources."""

import pytest
import tablib

from core.registry import resolved
from dcim.models import Device, PowerOutlet, PowerPort, Rack
from dcim.selectors import server_stock
from tests.dcim.factories import make_device, make_rack

pytestmark = pytest.mark.django_db


def test_demo_datacenter_is_idempotent():
    from accounts.demo import load_accounts
    from dcim.demo import load_datacenter

    load_accounts()
    load_datacenter()
    counts = (Rack.objects.count(), Device.objects.count(), PowerPort.objects.count())
    plugged = PowerOutlet.objects.filter(power_port__isnull=False).count()
    load_datacenter()
    assert (Rack.objects.count(), Device.objects.count(), PowerPort.objects.count()) == counts
    assert PowerOutlet.objects.filter(power_port__isnull=False).count() == plugged
    # Every switch in a datacenter rack and every server is fed from both feeds.
    web = Device.objects.get(name="acme-web-1")
    assert sorted(web.power_ports.values_list("outlet__pdu__name", flat=True)) == ["pdu-c01-a", "pdu-c01-b"]
    assert counts[0] == 12
    stock = {row["slug"]: row["available"] for row in server_stock()}
    assert stock == {"sm-e300-small": 3, "sm-2u-large": 1}
    assert Device.objects.filter(company__name="Acme Hosting", rack__name="C01").count() == 2


@pytest.mark.parametrize(
    "model, make", [(Rack, lambda c: make_rack(c)), (Device, lambda c: make_device(c, serial="S1"))]
)
def test_export_import_round_trip(model, make, acme):
    original = make(acme)
    resource = resolved(model, "resource")()
    dataset = resource.export()
    assert "root_password" not in dataset.headers
    model.objects.filter(pk=original.pk).update(description="changed")
    result = resource.import_data(tablib.Dataset().load(dataset.csv, format="csv"), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert model.objects.get(pk=original.pk).description == ""


def test_bad_import_row_reports_and_saves_nothing(acme):
    resource = resolved(Rack, "resource")()
    rack = make_rack(acme)
    dataset = resource.export()
    bad = {"id": "", "name": "BAD", "site": "999999", "u_height": "42", "status": "active"}
    dataset.append([bad.get(header, "") for header in dataset.headers])  # names a site that does not exist
    before = Rack.objects.count()
    result = resource.import_data(
        tablib.Dataset().load(dataset.csv, format="csv"), dry_run=False, use_transactions=True
    )
    assert result.has_validation_errors() or result.has_errors()
    assert Rack.objects.count() == before
    assert Rack.objects.filter(pk=rack.pk).exists()
