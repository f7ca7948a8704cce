"""core.probes.exists_each: several "is there any?" questions in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Company, Membership
from core.probes import exists_each

pytestmark = pytest.mark.django_db


def test_each_question_is_answered_in_one_query(acme, globex, alice):
    probes = {
        "acme by name": Company.objects.filter(name="Acme Hosting"),
        "nobody": Company.objects.filter(name__startswith="Nobody"),
        "alice at acme": Membership.objects.filter(user=alice, company=acme, is_active=True),
        "alice at globex": Membership.objects.filter(user=alice, company=globex),
        # Ordering, slicing and joins of the probe do not matter: only whether it finds a row.
        "ordered join": Membership.objects.filter(company__name="Acme Hosting").order_by("-company__name"),
        "empty": Company.objects.none(),
    }
    with CaptureQueriesContext(connection) as queries:
        found = exists_each(probes)
    assert len(queries) == 1
    assert found == {
        "acme by name": True,
        "nobody": False,
        "alice at acme": True,
        "alice at globex": False,
        "ordered join": True,
        "empty": False,
    }


def test_no_question_no_query():
    with CaptureQueriesContext(connection) as queries:
        assert exists_each({}) == {}
    assert len(queries) == 0


def test_probes_that_cannot_find_anything_are_not_asked():
    with CaptureQueriesContext(connection) as queries:
        assert exists_each({"none": Company.objects.none(), "in nothing": Company.objects.filter(pk__in=[])}) == {
            "none": False,
            "in nothing": False,
        }
    assert len(queries) == 0
