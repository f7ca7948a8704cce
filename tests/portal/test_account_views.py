"""The portal's account pages: company switcher, users and invitations, API tokens."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.choices import CompanyRole
from accounts.models import ApiToken, Invitation, Membership
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_switcher_changes_the_company_and_refuses_others(alice, acme, globex, client_for):
    MembershipFactory(user=alice, company=globex, role=CompanyRole.READ_ONLY)
    client = client_for(alice)
    assert b"Acme Hosting</h1>" in client.get("/portal/").content
    response = client.post(reverse("portal:switch_company"), {"company": globex.pk, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:dashboard")
    assert b"Globex</h1>" in client.get("/portal/").content

    other = MembershipFactory(role=CompanyRole.OWNER).company
    assert client.post(reverse("portal:switch_company"), {"company": other.pk}).status_code == 404


def test_owner_invites_and_the_invitee_joins(alice, acme, client_for, client, django_capture_on_commit_callbacks):
    owner = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(reverse("portal:company_users"), {"email": "dan@acme.test", "role": "billing"})
    assert response.status_code == 302
    link = next(line for line in mail.outbox[0].body.splitlines() if "/portal/invitations/" in line)
    path = link[link.index("/portal/") :]

    page = client.get(path)
    assert page.status_code == 200 and b"Join Acme Hosting" in page.content
    response = client.post(
        path, {"full_name": "Dan", "password1": "a very long phrase 9", "password2": "a very long phrase 9"}
    )
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200  # signed in
    assert Membership.objects.get(user__email="dan@acme.test").role == CompanyRole.BILLING
    assert client.get(path).status_code == 400  # single use


def test_mismatched_passwords_are_explained(alice, acme):
    invitation = services.invitation_create(company=acme, email="e@acme.test", role="technical", actor=alice)
    from django.test import Client

    response = Client().post(
        reverse("portal:invitation_accept", args=[services.invitation_token(invitation)]),
        {"full_name": "E", "password1": "a very long phrase 9", "password2": "another phrase 9"},
    )
    assert response.status_code == 200
    assert b"The two passwords differ" in response.content
    assert Invitation.objects.get(pk=invitation.pk).is_pending


def test_non_owners_cannot_manage_users(acme, alice, client_for):
    technical = MembershipFactory(company=acme, role=CompanyRole.TECHNICAL).user
    client = client_for(technical)
    page = client.get(reverse("portal:company_users"))
    assert page.status_code == 200 and b"Invite someone" not in page.content
    assert client.post(reverse("portal:company_users"), {"email": "x@acme.test", "role": "owner"}).status_code == 403
    owner = Membership.objects.get(company=acme, role=CompanyRole.OWNER)
    assert client.post(reverse("portal:member_remove", args=[owner.pk])).status_code == 403


def test_owner_changes_roles_but_keeps_an_owner(alice, acme, client_for):
    client = client_for(alice)
    colleague = MembershipFactory(company=acme, role=CompanyRole.TECHNICAL)
    client.post(reverse("portal:member_change_role", args=[colleague.pk]), {"role": "billing"})
    colleague.refresh_from_db()
    assert colleague.role == CompanyRole.BILLING
    own = Membership.objects.get(user=alice)
    response = client.post(reverse("portal:member_change_role", args=[own.pk]), {"role": "read_only"}, follow=True)
    assert b"must keep at least one owner" in response.content
    own.refresh_from_db()
    assert own.role == CompanyRole.OWNER


def test_a_new_token_is_shown_once_and_never_stored_in_clear(alice, client_for):
    client = client_for(alice)
    response = client.post(reverse("portal:token_create"), {"name": "monitoring"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=alice)
    plain = response.context["new_token"]
    assert plain.startswith(f"ss_{token.prefix}_") and plain.encode() in response.content
    assert plain.split("_", 2)[2] not in token.secret_hash
    assert plain.encode() not in client.get(reverse("portal:account")).content
    client.post(reverse("portal:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
