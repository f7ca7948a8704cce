"""The signed-in user's memberships, read on every portal page by a hand-written statement, are the rows and
instances the ORM's ``user_memberships`` gives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import CompanyRole, CompanyStatus
from accounts.selectors import user_memberships
from accounts.statements import active_memberships
from tests.accounts.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_the_statement_reads_what_the_orm_reads():
    user, other = UserFactory(), UserFactory()
    zeta = CompanyFactory(name="Zeta Networks", city="Lyon", country="FR")
    alpha = CompanyFactory(name="alpha hosting", tax_id="FR123")
    mid = CompanyFactory(name="Middle Colo", status=CompanyStatus.SUSPENDED)
    closed = CompanyFactory(name="Closed Ltd", status=CompanyStatus.CLOSED)
    gone = CompanyFactory(name="Gone Inc")
    MembershipFactory(user=user, company=zeta, role=CompanyRole.OWNER)
    MembershipFactory(user=user, company=alpha, role=CompanyRole.BILLING)
    MembershipFactory(user=user, company=mid, role=CompanyRole.TECHNICAL)
    MembershipFactory(user=user, company=closed, role=CompanyRole.OWNER)  # a closed company: left out
    MembershipFactory(user=user, company=gone, role=CompanyRole.OWNER, is_active=False)  # left: left out
    MembershipFactory(user=other, company=zeta, role=CompanyRole.OWNER)  # someone else's

    expected = list(user_memberships(user))
    with CaptureQueriesContext(connection) as queries:
        found = active_memberships(user.pk)
        companies = [membership.company for membership in found]  # loaded with the row: no query
    assert len(queries) == 1
    assert [m.pk for m in found] == [m.pk for m in expected] and len(found) == 3
    for mine, theirs in zip(found, expected, strict=True):
        assert _fields(mine) == _fields(theirs)
        assert _fields(mine.company) == _fields(theirs.company)
        assert mine.can("view") == theirs.can("view") and mine.get_role_display() == theirs.get_role_display()
    assert [company.name for company in companies] == [m.company.name for m in expected]
    assert active_memberships(UserFactory().pk) == []
