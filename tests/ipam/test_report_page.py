"""The ARIN report's admin page: the aggregate summary in full, the prefix and reassignment tables a page at a
time (paginated in SQL, filterable), with the figures of the CSV and PDF and the same queries at any size."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ipam import admin as ipam_admin
from ipam import reports, services
from ipam.choices import PrefixStatus
from ipam.models import Aggregate, Prefix
from tests.accounts.factories import staff_member
from tests.ipam.factories import documentation_space, justification_for

pytestmark = pytest.mark.django_db

URL = reverse("admin:ipam_arin_report")


@pytest.fixture
def report_data(acme, globex):
    """Every kind of row the report counts: blocks, open, reserved, deprecated, pool and /31 subnets, IPv6."""
    documentation_space()
    services.prefix_add(prefix="192.0.2.0/24", status=PrefixStatus.CONTAINER)
    services.block_assign(prefix="192.0.2.0/26", company=acme, justification=justification_for(acme))
    services.prefix_add(prefix="192.0.2.64/26")
    services.ip_assign(address="192.0.2.70", company=globex, justification=justification_for(globex))
    services.ip_reserve(address="192.0.2.65", reason="gateway")
    services.prefix_add(prefix="192.0.2.128/27", status=PrefixStatus.RESERVED)
    services.prefix_add(prefix="192.0.2.160/27", status=PrefixStatus.DEPRECATED)
    services.prefix_add(prefix="192.0.2.192/31")
    services.ip_reserve(address="192.0.2.193", reason="link")
    services.prefix_add(prefix="192.0.2.200/29", is_pool=True)
    services.ip_assign(address="192.0.2.200", company=globex, justification=justification_for(globex))
    services.prefix_add(prefix="198.51.100.0/24", create_addresses=True)
    for number in range(1, 6):
        services.ip_assign(address=f"198.51.100.{number}", company=acme, justification=justification_for(acme))
    services.prefix_add(prefix="2001:db8::/48", status=PrefixStatus.CONTAINER)
    services.block_assign(prefix="2001:db8:0:100::/56", company=acme, justification=justification_for(acme))
    services.prefix_add(prefix="2001:db8:0:1::/64")
    services.ip_assign(address="2001:db8:0:1::5", company=globex, justification=justification_for(globex))


def grow(globex, count: int) -> None:
    """``count`` more blocks assigned to Globex in 10/8, each a prefix row and a reassignment row."""
    start = Prefix.objects.filter(prefix__startswith="10.9.").count()
    for number in range(start, start + count):
        services.block_assign(prefix=f"10.9.{number}.0/24", company=globex, justification=justification_for(globex))


def table_rows(html: str, table_id: str) -> list[str]:
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)


def cells(row_html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).split()[0] if cell.strip() else ""
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)
    ]


def test_query_level_rows_have_the_reports_figures(report_data, globex):
    grow(globex, 3)
    full = reports.utilisation_rows()
    assert reports.aggregate_rows() == [row for row in full if row.level == "aggregate"]
    paged = reports.prefix_rows(reports.prefix_queryset())
    assert paged == [row for row in full if row.level == "prefix"]
    assert [reports.reassignment_row(values) for values in reports.reassignment_queryset()] == (
        reports.reassignment_rows()
    )
    # The kinds of subnet the fixture covers, as the full report counts them.
    by_prefix = {row.prefix: row for row in paged}
    assert (by_prefix["192.0.2.128/27"].assigned, by_prefix["192.0.2.128/27"].reserved) == (0, 32)
    assert (by_prefix["192.0.2.192/31"].assigned, by_prefix["192.0.2.192/31"].reserved) == (0, 1)
    assert (by_prefix["192.0.2.200/29"].assigned, by_prefix["192.0.2.200/29"].reserved) == (1, 0)
    assert by_prefix["2001:db8::/48"].assigned == 256 + 1


def test_page_one_of_n_with_a_bounded_number_of_rows(report_data, globex, noc_user, client_for, monkeypatch):
    grow(globex, 12)
    monkeypatch.setattr(ipam_admin, "ARIN_REPORT_PAGE_SIZE", 5)
    full = reports.utilisation_rows()
    prefixes = [row for row in full if row.level == "prefix"]
    reassignments = reports.reassignment_rows()
    response = client_for(noc_user).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    # The aggregate summary is shown in full, the other tables a page at a time.
    assert len(table_rows(html, "arin-aggregates")) == Aggregate.objects.count() == 5
    assert len(table_rows(html, "arin-prefixes")) == 5
    assert len(table_rows(html, "arin-reassignments")) == 5
    prefix_pages = -(-len(prefixes) // 5)
    reassignment_pages = -(-len(reassignments) // 5)
    assert f"Page 1 of {prefix_pages} ({len(prefixes)} rows)" in html
    assert f"Page 1 of {reassignment_pages} ({len(reassignments)} rows)" in html
    assert [cells(row)[0] for row in table_rows(html, "arin-prefixes")] == [row.prefix for row in prefixes[:5]]
    assert "?prefix_page=2" in html and "?reassignment_page=2" in html
    # The full data stays one click away.
    for url in (
        reverse("admin:ipam_arin_report_csv", args=["utilisation"]),
        reverse("admin:ipam_arin_report_csv", args=["reassignments"]),
        reverse("admin:ipam_arin_report_pdf"),
    ):
        assert f'href="{url}"' in html


def test_page_two_and_out_of_range_pages(report_data, globex, noc_user, client_for, monkeypatch):
    grow(globex, 12)
    monkeypatch.setattr(ipam_admin, "ARIN_REPORT_PAGE_SIZE", 5)
    prefixes = [row for row in reports.utilisation_rows() if row.level == "prefix"]
    reassignments = reports.reassignment_rows()
    client = client_for(noc_user)
    html = client.get(URL, {"prefix_page": 2, "reassignment_page": 3}).content.decode()
    shown = [cells(row) for row in table_rows(html, "arin-prefixes")]
    assert [row[0] for row in shown] == [row.prefix for row in prefixes[5:10]]
    # Same figures as the report: total, assigned, reserved, free, percent used.
    first = prefixes[5]
    assert shown[0][3:] == [
        str(first.total),
        str(first.assigned),
        str(first.reserved),
        str(first.free),
        f"{first.percent_used}%",
    ]
    assert [cells(row)[4] for row in table_rows(html, "arin-reassignments")] == [row[4] for row in reassignments[10:15]]
    assert "Page 2 of" in html and "Page 3 of" in html
    # The other table's page is kept in the links.
    assert "prefix_page=3&amp;reassignment_page=3" in html or "reassignment_page=3&amp;prefix_page=3" in html
    # A page past the end shows the last; a bad one the first.
    last = client.get(URL, {"prefix_page": 999}).content.decode()
    assert [cells(row)[0] for row in table_rows(last, "arin-prefixes")] == [
        row.prefix for row in prefixes[(len(prefixes) - 1) // 5 * 5 :]
    ]
    assert "Page 1 of" in client.get(URL, {"prefix_page": "x"}).content.decode()


def test_filters_by_aggregate_and_customer(report_data, acme, globex, noc_user, client_for):
    grow(globex, 3)
    client = client_for(noc_user)
    documentation = Aggregate.objects.get(prefix="192.0.2.0/24")
    html = client.get(URL, {"aggregate": documentation.pk}).content.decode()
    shown = [cells(row)[0] for row in table_rows(html, "arin-prefixes")]
    assert shown == [row.prefix for row in reports.prefix_rows(reports.prefix_queryset(aggregate_id=documentation.pk))]
    assert shown and all(prefix.startswith("192.0.2.") for prefix in shown)
    networks = [cells(row)[4] for row in table_rows(html, "arin-reassignments")]
    assert networks and all(network.startswith("192.0.2.") for network in networks)
    assert len(table_rows(html, "arin-aggregates")) == 5  # the summary is never filtered

    html = client.get(URL, {"customer": globex.pk}).content.decode()
    assert [cells(row)[0] for row in table_rows(html, "arin-prefixes")] == ["10.9.0.0/24", "10.9.1.0/24", "10.9.2.0/24"]
    customers = {cells(row)[0] for row in table_rows(html, "arin-reassignments")}
    assert customers == {"Globex"}
    expected = [row for row in reports.reassignment_rows() if row[0] == "Globex"]
    assert len(table_rows(html, "arin-reassignments")) == len(expected)

    both = client.get(URL, {"customer": acme.pk, "aggregate": documentation.pk}).content.decode()
    assert [cells(row)[0] for row in table_rows(both, "arin-prefixes")] == ["192.0.2.0/26"]
    assert [cells(row)[4] for row in table_rows(both, "arin-reassignments")] == ["192.0.2.0/26"]
    # An unknown filter value shows everything rather than failing.
    assert client.get(URL, {"customer": "nobody", "aggregate": "0"}).status_code == 200


def test_page_queries_do_not_grow(report_data, globex, noc_user, client_for, monkeypatch):
    monkeypatch.setattr(ipam_admin, "ARIN_REPORT_PAGE_SIZE", 5)
    client = client_for(noc_user)
    grow(globex, 1)  # Globex's filter has a prefix row from the start (an empty slice costs no query)
    client.get(URL)  # the session's first request may write (last login, MFA)

    def page_queries(**query) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, query).status_code == 200
        return len(captured)

    few = [page_queries(), page_queries(prefix_page=2), page_queries(customer=globex.pk)]
    grow(globex, 30)
    many = [page_queries(), page_queries(prefix_page=2), page_queries(customer=globex.pk)]
    assert many == few
    assert max(many) <= 20


def test_permissions_unchanged(report_data, client_for, alice, superuser):
    no_ipam = staff_member(email="clerk@serverstock.test")  # staff, but in no group: may not view IPAM
    assert client_for(no_ipam).get(URL).status_code == 403
    customer = client_for(alice).get(URL)
    assert customer.status_code == 302 and "/login" in customer["Location"]
    assert client_for(superuser).get(URL).status_code == 200
