"""The recurring run: proration, one invoice per company, idempotent re-runs (and concurrent on PostgreSQL)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections

from billing.models import Invoice, InvoiceLine
from billing.runs import billing_run, period_due, proration
from catalog.selectors import BillableLine

RUN_DATE = date(2025, 3, 1)  # bills February 2025 (28 days)


def _source(companies):
    def lines(*, period_start, period_end, company_id=None):
        found = []
        for index, company in enumerate(companies):
            found.append(
                BillableLine(
                    service_id=1000 + index,
                    company_id=company.pk,
                    description="Dedicated server",
                    quantity=Decimal("1"),
                    unit_price=Decimal("280.00"),
                    currency="USD",
                    taxable=True,
                    period_start=period_start,
                    period_end=period_end,
                    kind="recurring",
                )
            )
            found.append(
                BillableLine(
                    service_id=2000 + index,
                    company_id=company.pk,
                    description="1U colocation (from 15 Feb)",
                    quantity=Decimal("2"),
                    unit_price=Decimal("100.00"),
                    currency="USD",
                    taxable=True,
                    period_start=date(2025, 2, 15),
                    period_end=period_end,
                    kind="recurring",
                )
            )
        return found

    return lines


def test_period_and_proration():
    assert period_due(RUN_DATE) == (date(2025, 2, 1), date(2025, 3, 1))
    assert period_due(date(2025, 1, 20)) == (date(2024, 12, 1), date(2025, 1, 1))
    factor = proration(
        line_start=date(2025, 2, 15),
        line_end=date(2025, 3, 1),
        period_start=date(2025, 2, 1),
        period_end=date(2025, 3, 1),
    )
    assert factor == Decimal("0.5")


@pytest.mark.django_db
def test_run_bills_each_company_once_with_proration_and_reruns_create_nothing(acme, globex):
    source = _source([acme, globex])
    first = billing_run(run_date=RUN_DATE, lines_source=source, render_pdfs=False)
    assert len(first.invoices) == 2 and first.lines == 4
    invoice = Invoice.objects.get(company=acme)
    assert invoice.number and invoice.totals_match()
    colo = invoice.lines.get(service_id=2000)
    assert colo.proration == Decimal("0.5") and colo.net_amount == Decimal("100.00")  # 2 × 100 × 14/28
    assert invoice.total == Decimal("380.00")
    again = billing_run(run_date=RUN_DATE, lines_source=source, render_pdfs=False)
    later_same_month = billing_run(run_date=date(2025, 3, 17), lines_source=source, render_pdfs=False)
    assert again.invoices == [] and later_same_month.invoices == [] and again.already_billed == 4
    assert InvoiceLine.objects.count() == 4 and Invoice.objects.count() == 2


@pytest.mark.django_db
def test_bill_command_prints_progress_and_summary(acme, capsys, monkeypatch):
    import billing.runs

    monkeypatch.setattr(billing.runs, "_catalog_lines", _source([acme]))
    call_command("bill", "--date", "2025-03-01", "--no-pdf")
    out = capsys.readouterr().out
    assert "1/1 companies" in out and "1 invoices, 2 lines" in out


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and real concurrency need PostgreSQL")
def test_concurrent_runs_create_no_duplicate_lines(acme, globex):
    source = _source([acme, globex])
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            billing_run(run_date=RUN_DATE, lines_source=source, render_pdfs=False)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert InvoiceLine.objects.count() == 4
    assert Invoice.objects.count() == 2
    numbers = sorted(int(n.split("-")[1]) for n in Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 2))
