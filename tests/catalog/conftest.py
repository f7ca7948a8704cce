import pytest

from accounts.choices import StaffRole
from tests.accounts.factories import staff_member


@pytest.fixture
def support(db):
    """A support technician: may add and change services and orders."""
    return staff_member(roles=[StaffRole.SUPPORT], email="support@serverstock.test")


@pytest.fixture(autouse=True)
def provisioning_queue(db):
    """The seeded provisioning queue (created by a tickets migration; made here too for --nomigrations runs)."""
    from tickets.models import Queue

    return Queue.objects.get_or_create(
        slug="provisioning", defaults={"name": "Provisioning", "email": "provisioning@serverstock.example"}
    )[0]
