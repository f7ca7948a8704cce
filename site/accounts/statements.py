"""Hand-written SQL for the one accounts read every portal page makes: the signed-in user's memberships.

Building the ORM's statement (a select_related of the company, ordered by its name) cost more than the
database's answer. The statement is written once from the models' own table and column names and the rows
become instances through the ORM's converters (``core.rows``), so callers get the same objects as from
``accounts.selectors.user_memberships``, whose rules it follows (tests/accounts/test_selectors.py compares them).
"""

from __future__ import annotations

from functools import cache

from django.db import connection

from accounts.choices import CompanyStatus
from accounts.models import Company, Membership
from core.rows import ModelColumns


@cache
def _memberships_statement() -> tuple[str, ModelColumns, ModelColumns]:
    quote = connection.ops.quote_name
    membership = ModelColumns(Membership, [field.name for field in Membership._meta.concrete_fields], "m")
    company = ModelColumns(Company, [field.name for field in Company._meta.concrete_fields], "c")
    sql = (
        f"SELECT {membership.sql}, {company.sql} "
        f"FROM {quote(Membership._meta.db_table)} m "
        f"INNER JOIN {quote(Company._meta.db_table)} c ON c.{quote('id')} = m.{quote('company_id')} "
        f"WHERE m.{quote('user_id')} = %s AND m.{quote('is_active')} AND NOT (c.{quote('status')} = %s) "
        f"ORDER BY c.{quote('name')}, m.{quote('id')}"
    )
    return sql, membership, company


def active_memberships(user_id: int) -> list[Membership]:
    """The user's active memberships of companies not closed, by company name, each with its ``company``."""
    sql, membership_columns, company_columns = _memberships_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, CompanyStatus.CLOSED])
        rows = cursor.fetchall()
    memberships = []
    for row in rows:
        membership = membership_columns.instance(row)
        Membership.company.field.set_cached_value(membership, company_columns.instance(row, membership_columns.width))
        memberships.append(membership)
    return memberships
