"""Generic suite over every portal URL: anonymous users are sent to sign in, members get their page, and a
URL naming another company's object answers 404."""

import pytest
from django.urls import URLPattern, reverse

from accounts.choices import CompanyRole
from accounts.models import Invitation
from accounts.services import invitation_create
from portal.urls import urlpatterns
from tests.accounts.factories import MembershipFactory

# Views that are not for signed-in members (the invitation link is opened before signing in).
PUBLIC = {"invitation_accept"}
POST_ONLY = {
    "switch_company",
    "token_create",
    "token_revoke",
    "member_change_role",
    "member_remove",
    "invitation_revoke",
}


def _globex_membership(globex, bob):
    return MembershipFactory(company=globex, role=CompanyRole.TECHNICAL).pk


def _globex_invitation(globex, bob):
    return invitation_create(company=globex, email="new@globex.test", role=CompanyRole.TECHNICAL, actor=bob).pk


def _bob_token(globex, bob):
    from accounts.services import api_token_create

    return api_token_create(user=bob, name="bob's")[0].pk


# url name -> how to make another company's object that the URL names
FOREIGN_OBJECTS = {
    "member_change_role": _globex_membership,
    "member_remove": _globex_membership,
    "invitation_revoke": _globex_invitation,
    "token_revoke": _bob_token,
}

PATTERNS = [p for p in urlpatterns if isinstance(p, URLPattern)]
PLAIN = [pytest.param(p.name, id=p.name) for p in PATTERNS if not p.pattern.converters and p.name not in PUBLIC]
WITH_OBJECT = [pytest.param(p.name, id=p.name) for p in PATTERNS if "pk" in p.pattern.converters]


def test_every_object_url_is_covered():
    assert {p.name for p in PATTERNS if "pk" in p.pattern.converters} == set(FOREIGN_OBJECTS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PLAIN)
def test_anonymous_is_sent_to_sign_in(name, client):
    url = reverse(f"portal:{name}")
    response = client.post(url) if name in POST_ONLY else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", [p for p in PLAIN if p.values[0] not in POST_ONLY])
def test_member_gets_the_page(name, alice, client_for, django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", WITH_OBJECT)
def test_other_companys_object_is_not_found(name, alice, globex, bob, client_for):
    pk = FOREIGN_OBJECTS[name](globex, bob)
    response = client_for(alice).post(reverse(f"portal:{name}", args=[pk]), {"role": "owner"})
    assert response.status_code == 404
    assert Invitation.objects.filter(revoked_at__isnull=False, company=globex).count() == 0


@pytest.mark.django_db
def test_user_without_company_is_told_so(client_for, superuser):
    response = client_for(superuser).get(reverse("portal:dashboard"))
    assert response.status_code == 403
    assert b"not linked to a company" in response.content
