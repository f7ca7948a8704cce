import pytest
from django.contrib.auth.models import Permission

from accounts.choices import CompanyStatus
from accounts.models import Company, Membership
from core.tenancy import for_user
from tests.accounts.factories import MembershipFactory, staff_member
from tests.testapp.models import Widget

pytestmark = pytest.mark.django_db


@pytest.fixture
def widgets(acme, globex):
    return (
        Widget.objects.create(company=acme, name="acme-1"),
        Widget.objects.create(company=globex, name="globex-1"),
    )


def test_anonymous_sees_nothing(widgets):
    from django.contrib.auth.models import AnonymousUser

    assert not for_user(Widget, AnonymousUser()).exists()


def test_customer_sees_only_their_companies(widgets, alice, acme, globex):
    assert list(for_user(Widget, alice).values_list("name", flat=True)) == ["acme-1"]
    assert list(for_user(Company, alice)) == [acme]
    assert not for_user(Widget, alice, company=globex).exists()


def test_member_of_two_companies_narrows_to_the_chosen_one(widgets, alice, acme, globex):
    MembershipFactory(user=alice, company=globex)
    assert for_user(Widget, alice).count() == 2
    assert list(for_user(Widget, alice, company=globex).values_list("name", flat=True)) == ["globex-1"]


def test_closed_companies_and_ended_memberships_are_invisible(widgets, alice, acme):
    Company.objects.filter(pk=acme.pk).update(status=CompanyStatus.CLOSED)
    assert not for_user(Widget, alice).exists()
    Company.objects.filter(pk=acme.pk).update(status=CompanyStatus.ACTIVE)
    Membership.objects.filter(user=alice).update(is_active=False)
    alice = type(alice).objects.get(pk=alice.pk)  # drop the cached company ids
    assert not for_user(Widget, alice).exists()


def test_staff_see_what_their_permissions_allow(widgets):
    staff = staff_member(email="s@serverstock.test")
    assert not for_user(Widget, staff).exists()
    staff.user_permissions.add(Permission.objects.get(codename="view_widget"))
    staff = type(staff).objects.get(pk=staff.pk)
    assert for_user(Widget, staff).count() == 2
    # In the portal staff act for a company like anyone else.
    assert not for_user(Widget, staff, staff_scope=False).exists()


def test_undeclared_models_are_never_shown_to_customers(alice):
    from django.contrib.auth.models import Group

    assert not for_user(Group, alice).exists()
