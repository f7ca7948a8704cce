"""The ARIN report as PDF: the report's own rows (``ipam.reports``) in an HTML template, rendered by WeasyPrint.

Same approach as invoice PDFs (``billing.pdf``). The figures are exactly those of the CSV files, both made from
``reports.utilisation_rows()`` and ``reports.reassignment_rows()``, and of the admin page, which reads a page at a
time through the query-level variants beside them (``reports.aggregate_rows``, ``prefix_queryset``,
``reassignment_queryset``; ``tests/ipam/test_report_page.py`` holds them equal).
WeasyPrint costs roughly half a second of CPU per page, so a request renders at most ``PDF_MAX_ROWS`` rows
(a few dozen pages); larger reports are written offline with ``manage.py ipam_arin_report --pdf``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ipam import reports

# About 40 rows fit on a landscape A4 page: 1,500 rows are some 40 pages, 20-30 s of CPU.
PDF_MAX_ROWS = 1_500


@dataclass
class CustomerSection:
    """One customer's reassignments, as the PDF lists them."""

    customer: str
    account_number: str
    blocks: list[dict] = field(default_factory=list)


def customer_sections(reassignments: list[list]) -> list[CustomerSection]:
    """Group ``reports.reassignment_rows()`` (ordered by customer) into one section per customer."""
    sections = []
    rows = [dict(zip(reports.REASSIGNMENT_HEADER, row, strict=True)) for row in reassignments]
    for (customer, account_number), blocks in groupby(rows, key=lambda row: (row["customer"], row["account_number"])):
        sections.append(CustomerSection(customer=customer, account_number=account_number, blocks=list(blocks)))
    return sections


def arin_report_html(*, utilisation=None, reassignments=None, max_rows: int | None = PDF_MAX_ROWS) -> str:
    """The ARIN report as print HTML (what the PDF is made from).

    Refused with a ``ValidationError`` (nothing rendered) when the report has more than ``max_rows`` rows.
    """
    utilisation = reports.utilisation_rows() if utilisation is None else utilisation
    reassignments = reports.reassignment_rows() if reassignments is None else reassignments
    rows = len(utilisation) + len(reassignments)
    if max_rows is not None and rows > max_rows:
        raise ValidationError(
            _(
                "The report has %(rows)s rows, more than the %(max)s a PDF can be rendered with on request. Download "
                "the CSV files, or write the PDF offline with: manage.py ipam_arin_report --pdf"
            )
            % {"rows": f"{rows:,}", "max": f"{max_rows:,}"}
        )
    aggregates = [row for row in utilisation if row.level == "aggregate"]
    return render_to_string(
        "ipam/pdf/arin_report.html",
        {
            "provider": _provider_name(),
            "generated": timezone.localtime(),
            "utilisation": utilisation,
            "aggregates": aggregates,
            "customers": customer_sections(reassignments),
            "reassignment_count": len(reassignments),
        },
    )


def render_arin_report_pdf(*, utilisation=None, reassignments=None, max_rows: int | None = PDF_MAX_ROWS) -> bytes:
    """The ARIN report as PDF bytes (see ``arin_report_html`` for the size limit)."""
    from weasyprint import HTML

    html = arin_report_html(utilisation=utilisation, reassignments=reassignments, max_rows=max_rows)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _provider_name() -> str:
    from core.branding import provider_branding

    return provider_branding()["name"]
