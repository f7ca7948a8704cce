"""Generic suite over every portal URL: anonymous users are sent to sign in, members get their page, and a
URL naming another company's object answers 404."""

import pytest
from django.urls import URLPattern, URLResolver, reverse

from accounts.choices import CompanyRole
from accounts.models import Invitation
from accounts.services import api_token_create, invitation_create
from portal.urls import urlpatterns
from tests.accounts.factories import MembershipFactory
from tests.factories import FOREIGN_PORTAL_OBJECTS, register_foreign_portal_object

# Views that are not for signed-in members (the invitation link is opened before signing in).
PUBLIC = {"invitation_accept"}


@register_foreign_portal_object("member_change_role", "member_remove")
def _globex_membership(globex, bob):
    return [MembershipFactory(company=globex, role=CompanyRole.TECHNICAL).pk]


@register_foreign_portal_object("invitation_revoke")
def _globex_invitation(globex, bob):
    return [invitation_create(company=globex, email="new@globex.test", role=CompanyRole.TECHNICAL, actor=bob).pk]


@register_foreign_portal_object("token_revoke")
def _bob_token(globex, bob):
    return [api_token_create(user=bob, name="bob's")[0].pk]


def _flatten(patterns):
    """Every URLPattern of the portal, including those of included per-domain url modules."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _flatten(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


PATTERNS = list(_flatten(urlpatterns))
PLAIN = [pytest.param(p.name, id=p.name) for p in PATTERNS if not p.pattern.converters and p.name not in PUBLIC]
WITH_OBJECT = [pytest.param(p.name, id=p.name) for p in PATTERNS if p.pattern.converters and p.name not in PUBLIC]


# Pages that summarise several apps at once. The main page reads balance, services, tickets, bandwidth and
# each notices provider (portal/notices.py): 15 with billing's provider; a provider adds one or two.
# The dashboard: its own 15 queries and one or two per notice provider (overdue, incidents, abuse, overage, bandwidth).
QUERY_BUDGETS = {"dashboard": 22}


def test_every_object_url_is_covered():
    names = {p.name for p in PATTERNS if p.pattern.converters and p.name not in PUBLIC}
    assert names == set(FOREIGN_PORTAL_OBJECTS), "register them with @register_foreign_portal_object"


@pytest.mark.django_db
@pytest.mark.parametrize("name", PLAIN)
def test_anonymous_is_sent_to_sign_in(name, client):
    response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", PLAIN)
def test_member_gets_the_page(name, alice, client_for, django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(QUERY_BUDGETS.get(name, 12)):
        response = client.get(reverse(f"portal:{name}"))
    assert response.status_code in (200, 405)  # 405: a form target that only takes POST


@pytest.mark.django_db
@pytest.mark.parametrize("name", WITH_OBJECT)
def test_other_companys_object_is_not_found(name, alice, globex, bob, client_for):
    args = FOREIGN_PORTAL_OBJECTS[name](globex, bob)
    client = client_for(alice)
    url = reverse(f"portal:{name}", args=args)
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, {"role": "owner"}).status_code == 404
    assert Invitation.objects.filter(revoked_at__isnull=False, company=globex).count() == 0


@pytest.mark.django_db
def test_user_without_company_is_told_so(client_for, superuser):
    response = client_for(superuser).get(reverse("portal:dashboard"))
    assert response.status_code == 403
    assert b"not linked to a company" in response.content
