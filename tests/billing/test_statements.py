"""The balance statement (billing.statements) gives the figures the ORM's aggregates give, Decimals alike."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext

from billing import selectors, services
from billing.choices import UNPAID_STATUSES, InvoiceStatus, PaymentMethod
from billing.models import BillingProfile, CreditNote, Invoice
from billing.selectors import MONEY, invoices_with_balance
from core.money import ZERO
from tests.billing.factories import make_invoice

pytestmark = pytest.mark.django_db


def _orm_balance(company) -> tuple:
    """The three ORM reads company_balance made before the statement."""
    totals = invoices_with_balance(Invoice.objects.filter(company=company, status__in=UNPAID_STATUSES)).aggregate(
        outstanding=Coalesce(Sum("balance"), Value(ZERO), output_field=MONEY),
        overdue=Coalesce(Sum("balance", filter=Q(status=InvoiceStatus.OVERDUE)), Value(ZERO), output_field=MONEY),
        count=Coalesce(Sum(Value(1)), Value(0)),
    )
    credit = CreditNote.objects.filter(company=company).aggregate(
        credit=Coalesce(Sum("remaining"), Value(ZERO), output_field=MONEY)
    )["credit"]
    profile = BillingProfile.objects.filter(company=company).only("currency").first()
    currency = profile.currency if profile else "USD"
    return totals["outstanding"], totals["overdue"], totals["count"], credit, currency


def _statement_balance(company) -> tuple:
    with CaptureQueriesContext(connection) as queries:
        balance = selectors.company_balance(company=company)
    assert len(queries) == 1
    return balance.outstanding, balance.overdue, balance.open_invoices, balance.credit, balance.currency


def _same(mine: tuple, orm: tuple) -> None:
    assert mine == orm
    for value, expected in zip(mine, orm, strict=True):
        assert type(value) is type(expected), (value, expected)


def test_the_statement_gives_the_orms_figures(acme, globex):
    # Nothing at all: zeros, no profile.
    _same(_statement_balance(acme), _orm_balance(acme))

    services.billing_profile_for(company=acme)
    BillingProfile.objects.filter(company=acme).update(currency="EUR")
    first = make_invoice(acme, ("Rack space", "1", "100.0050"), ("Power", "3", "33.3333"))
    second = make_invoice(acme, ("Cross-connect", "2", "12.1234"))
    make_invoice(acme, ("Remote hands", "1", "75"))
    make_invoice(globex, ("Someone else's", "1", "999.99"))
    services.payment_record(company=acme, amount=Decimal("10.01"), method=PaymentMethod.CARD, invoice=second)
    services.invoices_mark_overdue(today=first.due_date + timedelta(days=1))
    services.credit_note_issue(company=acme, amount=Decimal("5.55"), reason="Goodwill")
    services.credit_note_issue(company=globex, amount=Decimal("1.00"), reason="Goodwill")
    mine = _statement_balance(acme)
    _same(mine, _orm_balance(acme))
    assert mine[3] == Decimal("5.55") and mine[4] == "EUR" and mine[1] > 0 and mine[2] == 3

    # Paid off in full: nothing outstanding, the overpayment is credit.
    services.payment_record(company=acme, amount=Decimal("1000"), method=PaymentMethod.BANK_TRANSFER)
    _same(_statement_balance(acme), _orm_balance(acme))
    assert selectors.company_balance(company=acme).outstanding == 0
