import pytest

from accounts.choices import StaffRole
from tests.accounts.factories import staff_member
from tickets.choices import TicketPriority
from tickets.models import BusinessCalendar, SLAPolicy


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def tech(db):
    return staff_member(roles=[StaffRole.SUPPORT], email="tess@serverstock.test", full_name="Tess Tech")


@pytest.fixture
def round_the_clock_policy(acme):
    """Acme's contract: normal priority, 1 h first response, 4 h resolution, 24×7 (deterministic in tests)."""
    return SLAPolicy.objects.create(
        name="Acme 24x7",
        priority=TicketPriority.NORMAL,
        company=acme,
        calendar=BusinessCalendar.objects.get(name="Round the clock"),
        first_response_minutes=60,
        resolution_minutes=240,
    )
