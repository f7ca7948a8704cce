"""Hand-written SQL for the billing read every customer's main page and billing page make: the balance.

The ORM built the three statements of ``company_balance`` (two aggregates and the profile's currency) in about
2.5 ms of web CPU; the database answered in a fraction of that. This is one statement, written once from the
models' own table and column names, whose figures go through the same converters as the ORM's aggregates
(so Decimals come back alike on SQLite and PostgreSQL). tests/billing/test_statements.py compares it with the
ORM's aggregates.
"""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import Sum

from billing.choices import UNPAID_STATUSES, InvoiceStatus
from billing.models import BillingProfile, CreditNote, Invoice
from billing.selectors import MONEY
from core.money import ZERO


@cache
def _balance_statement() -> str:
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    due = f"(i.{column(Invoice, 'total')} - i.{column(Invoice, 'amount_paid')} - i.{column(Invoice, 'credit_applied')})"
    statuses = ", ".join(["%s"] * len(UNPAID_STATUSES))
    return (
        f"SELECT COALESCE(SUM({due}), %s), "
        f"COALESCE(SUM(CASE WHEN i.{column(Invoice, 'status')} = %s THEN {due} END), %s), "
        f"COUNT(i.{column(Invoice, 'id')}), "
        f"(SELECT COALESCE(SUM(n.{column(CreditNote, 'remaining')}), %s) FROM {quote(CreditNote._meta.db_table)} n "
        f"WHERE n.{column(CreditNote, 'company')} = %s), "
        f"(SELECT p.{column(BillingProfile, 'currency')} FROM {quote(BillingProfile._meta.db_table)} p "
        f"WHERE p.{column(BillingProfile, 'company')} = %s) "
        f"FROM {quote(Invoice._meta.db_table)} i "
        f"WHERE i.{column(Invoice, 'company')} = %s AND i.{column(Invoice, 'status')} IN ({statuses})"
    )


def _money(value):
    """A summed amount as the ORM gives an aggregate of ``MONEY`` (the backend's converters, then the field's)."""
    expression = Sum("total", output_field=MONEY)
    for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
        value = converter(value, expression, connection)
    return value


def balance_figures(company_id: int) -> tuple:
    """(outstanding, overdue, open invoices, unused credit, profile currency or None) of one company."""
    params = [ZERO, InvoiceStatus.OVERDUE, ZERO, ZERO, company_id, company_id, company_id, *UNPAID_STATUSES]
    with connection.cursor() as cursor:
        cursor.execute(_balance_statement(), params)
        outstanding, overdue, count, credit, currency = cursor.fetchone()
    return _money(outstanding), _money(overdue), int(count), _money(credit), currency
