"""The ARIN report's figures, its CSV files, the admin page and the management command."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ipam import reports, services
from ipam.choices import PrefixStatus
from tests.ipam.factories import documentation_space, justification_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_data(acme, globex):
    documentation_space()
    services.prefix_add(prefix="192.0.2.0/24", status=PrefixStatus.CONTAINER)
    services.block_assign(
        prefix="192.0.2.0/26",
        company=acme,
        justification=justification_for(acme, purpose="Shared hosting", hosts_now=40, network_name="ACME-1"),
    )
    services.prefix_add(prefix="192.0.2.64/26")
    services.ip_assign(address="192.0.2.70", company=globex, justification=justification_for(globex))
    services.ip_reserve(address="192.0.2.65", reason="gateway")


def rows_by_prefix():
    return {row.prefix: row for row in reports.utilisation_rows()}


def test_utilisation_figures(report_data):
    rows = rows_by_prefix()
    block = rows["192.0.2.0/26"]
    assert (block.total, block.assigned, block.reserved, block.free) == (64, 64, 0, 0)
    subnet = rows["192.0.2.64/26"]
    # 1 assigned; 1 reserved + network and broadcast spent on the subnet.
    assert (subnet.total, subnet.assigned, subnet.reserved, subnet.free) == (64, 1, 3, 60)
    container = rows["192.0.2.0/24"]
    assert (container.total, container.assigned, container.reserved) == (256, 65, 3)
    aggregate = [r for r in reports.utilisation_rows() if r.level == "aggregate" and r.prefix == "192.0.2.0/24"][0]
    assert aggregate.percent_used == round(100 * 68 / 256, 1)
    empty = [r for r in reports.utilisation_rows() if r.prefix == "198.51.100.0/24"][0]
    assert empty.free == 256 and empty.percent_used == 0


def test_reassignment_csv_carries_justifications(report_data):
    parsed = list(csv.DictReader(io.StringIO(reports.reassignments_csv())))
    acme_row = next(row for row in parsed if row["network"] == "192.0.2.0/26")
    assert acme_row["customer"] == "Acme Hosting"
    assert acme_row["purpose"] == "Shared hosting" and acme_row["hosts_now"] == "40"
    assert acme_row["network_name"] == "ACME-1"
    assert {row["customer"] for row in parsed} == {"Acme Hosting", "Globex"}


def test_management_command_writes_both_files(report_data, tmp_path, capsys):
    call_command("ipam_arin_report", output_dir=str(tmp_path))
    out = capsys.readouterr()
    assert "customer reassignments written" in out.out
    assert "aggregates" in out.err  # the progress bar
    utilisation = list(csv.DictReader((tmp_path / "arin-utilisation.csv").open()))
    assert any(row["prefix"] == "192.0.2.64/26" and row["free"] == "60" for row in utilisation)
    assert (tmp_path / "arin-reassignments.csv").read_text().startswith("customer,")


def test_admin_report_page_and_download(report_data, noc_user, client_for):
    client = client_for(noc_user)
    page = client.get(reverse("admin:ipam_arin_report"))
    assert page.status_code == 200 and "Shared hosting" in page.content.decode()
    download = client.get(reverse("admin:ipam_arin_report_csv", args=["utilisation"]))
    assert download["Content-Type"] == "text/csv" and b"192.0.2.64/26" in download.content
    assert client.get(reverse("admin:ipam_arin_report_csv", args=["other"])).status_code == 404
