"""Shared fixtures: companies, customers and staff members (with real TOTP authenticators)."""

import pytest
from django.test import Client

from accounts.choices import CompanyRole, StaffRole
from tests.accounts.factories import CompanyFactory, MembershipFactory, UserFactory, staff_member


@pytest.fixture
def acme(db):
    return CompanyFactory(name="Acme Hosting")


@pytest.fixture
def globex(db):
    return CompanyFactory(name="Globex")


@pytest.fixture
def alice(acme):
    """Owner at Acme."""
    return MembershipFactory(company=acme, user=UserFactory(email="alice@acme.test"), role=CompanyRole.OWNER).user


@pytest.fixture
def bob(globex):
    """Owner at Globex."""
    return MembershipFactory(company=globex, user=UserFactory(email="bob@globex.test"), role=CompanyRole.OWNER).user


@pytest.fixture
def superuser(db):
    return staff_member(superuser=True, email="root@serverstock.test")


@pytest.fixture
def noc_user(db):
    return staff_member(roles=[StaffRole.NOC], email="noc@serverstock.test")


@pytest.fixture
def client_for():
    """A test client signed in as the given user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
