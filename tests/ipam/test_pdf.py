"""The ARIN report as PDF: a real PDF whose text carries the report's figures, refused to staff without access."""

import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ipam import pdf, reports, services
from ipam.choices import PrefixStatus
from tests.accounts.factories import staff_member
from tests.ipam.factories import documentation_space, justification_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_data(acme, globex):
    documentation_space()
    services.prefix_add(prefix="192.0.2.0/24", status=PrefixStatus.CONTAINER)
    services.block_assign(
        prefix="192.0.2.0/26",
        company=acme,
        justification=justification_for(
            acme, purpose="Shared hosting cluster", hosts_now=40, hosts_in_12_months=60, network_name="ACME-WEB-1"
        ),
    )
    services.prefix_add(prefix="192.0.2.64/26")
    services.ip_assign(
        address="192.0.2.70", company=globex, justification=justification_for(globex, purpose="Mail relay")
    )
    services.ip_reserve(address="192.0.2.65", reason="gateway")
    services.prefix_add(prefix="2001:db8::/48", status=PrefixStatus.CONTAINER)
    services.block_assign(prefix="2001:db8:0:100::/56", company=acme, justification=justification_for(acme))


def pdf_text(content: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is missing"
    path = tmp_path / "arin.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_carries_the_reports_figures(report_data, noc_user, client_for, tmp_path):
    response = client_for(noc_user).get(reverse("admin:ipam_arin_report_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = " ".join(pdf_text(response.content, tmp_path).split())
    rows = reports.utilisation_rows()
    subnet = next(row for row in rows if row.prefix == "192.0.2.64/26")
    assert (subnet.assigned, subnet.reserved, subnet.free, subnet.percent_used) == (1, 3, 60, 6.2)
    # Every row of the report, with all its figures, as the CSV and the admin page have them.
    for row in rows:
        figures = f"{row.total:,} {row.unit} {row.assigned:,} {row.reserved:,} {row.free:,} {row.percent_used}%"
        line = " ".join(part for part in (row.prefix, row.status, row.assigned_to, figures) if part)
        assert line in text, line
    assert "192.0.2.64/26 active 64 addresses 1 3 60 6.2%" in text
    # Per customer: the blocks with their justification and date.
    for expected in ("Acme Hosting", "Globex", "Shared hosting cluster", "ACME-WEB-1", "40 / 6 / 60", "Mail relay"):
        assert expected in text, expected
    acme_block = next(row for row in reports.reassignment_rows() if row[4] == "192.0.2.0/26")
    assert acme_block[6] in text  # the date it was assigned
    assert "2001:db8:0:100::/56" in text and "/64 subnets" in text


def test_pdf_refused_without_permission(report_data, client_for, alice):
    no_ipam = staff_member(email="clerk@serverstock.test")  # staff, but in no group: may not view IPAM
    response = client_for(no_ipam).get(reverse("admin:ipam_arin_report_pdf"))
    assert response.status_code == 403
    customer = client_for(alice).get(reverse("admin:ipam_arin_report_pdf"))
    assert customer.status_code == 302 and "/login" in customer["Location"]  # to the admin sign-in


def test_too_large_a_report_is_refused_with_the_way_out(report_data, noc_user, client_for, monkeypatch):
    with pytest.raises(ValidationError, match="ipam_arin_report --pdf"):
        pdf.arin_report_html(max_rows=3)
    monkeypatch.setattr(pdf, "PDF_MAX_ROWS", 3)
    response = client_for(noc_user).get(reverse("admin:ipam_arin_report_pdf"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:ipam_arin_report")
    assert "manage.py ipam_arin_report --pdf" in response.content.decode()


def test_management_command_writes_the_pdf(report_data, tmp_path):
    from django.core.management import call_command

    call_command("ipam_arin_report", output_dir=str(tmp_path), pdf=True)
    content = (tmp_path / "arin-report.pdf").read_bytes()
    assert content.startswith(b"%PDF") and "Shared hosting cluster" in pdf_text(content, tmp_path)
