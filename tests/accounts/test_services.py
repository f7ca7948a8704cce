from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import services
from accounts.choices import CompanyRole, CompanyStatus
from accounts.models import ApiToken, Invitation, Membership, User
from tests.accounts.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_companies_get_increasing_unique_account_numbers():
    first = services.company_create(name="First")
    second = services.company_create(name="Second")
    assert first.account_number.isdigit()
    assert int(second.account_number) == int(first.account_number) + 1


def test_company_names_are_unique_regardless_of_case():
    services.company_create(name="Acme")
    with pytest.raises(ValidationError):
        services.company_create(name="ACME")


def test_every_change_to_a_company_is_in_its_history(superuser):
    company = services.company_create(name="Initech")
    services.company_update(company=company, legal_name="Initech Inc.")
    services.company_set_status(company=company, status=CompanyStatus.SUSPENDED)
    history = list(company.history.order_by("history_date"))
    assert [record.history_type for record in history] == ["+", "~", "~"]
    assert history[-1].status == CompanyStatus.SUSPENDED
    assert history[1].legal_name == "Initech Inc."


def test_unknown_status_is_refused():
    company = CompanyFactory()
    with pytest.raises(ValidationError, match="Unknown status"):
        services.company_set_status(company=company, status="gone")


def test_company_keeps_an_owner(acme, alice):
    owner = Membership.objects.get(user=alice, company=acme)
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_change_role(membership=owner, role=CompanyRole.TECHNICAL, actor=alice)
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_remove(membership=owner, actor=alice)
    second = MembershipFactory(company=acme, role=CompanyRole.OWNER)
    services.membership_change_role(membership=owner, role=CompanyRole.TECHNICAL, actor=second.user)
    owner.refresh_from_db()
    assert owner.role == CompanyRole.TECHNICAL


def test_only_owners_manage_users(acme, alice):
    technical = MembershipFactory(company=acme, role=CompanyRole.TECHNICAL)
    with pytest.raises(PermissionDenied):
        services.invitation_create(company=acme, email="x@acme.test", role=CompanyRole.OWNER, actor=technical.user)
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=Membership.objects.get(user=alice), actor=technical.user)


def test_owner_of_another_company_cannot_manage(acme, bob):
    with pytest.raises(PermissionDenied):
        services.invitation_create(company=acme, email="x@acme.test", role=CompanyRole.OWNER, actor=bob)


def _invite(company, actor, email="new@acme.test", role=CompanyRole.BILLING):
    invitation = services.invitation_create(company=company, email=email, role=role, actor=actor)
    return invitation, services.invitation_token(invitation)


def test_invitation_is_mailed_after_commit_and_accepted_once(acme, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(acme, alice)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@acme.test"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/portal/invitations/" in line)
    token = link.rstrip("/").rsplit("/", 1)[1]

    membership = services.invitation_accept(token=token, password="a long pass phrase 42", full_name="Nina New")
    assert membership.company == acme and membership.role == CompanyRole.BILLING
    assert membership.user.check_password("a long pass phrase 42")
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(token=token, password="another long phrase 42")
    assert User.objects.filter(email="new@acme.test").count() == 1


def test_invitation_refuses_weak_password_and_loses_nothing(acme, alice):
    _invitation, token = _invite(acme, alice)
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, password="123")
    assert not User.objects.filter(email="new@acme.test").exists()
    assert services.invitation_from_token(token).is_pending


def test_expired_forged_and_withdrawn_invitations_are_refused(acme, alice):
    invitation, token = _invite(acme, alice)
    with pytest.raises(ValidationError, match="not valid"):
        services.invitation_from_token(token[:-2] + "xx")
    forged = signing.dumps({"invitation": invitation.pk, "email": invitation.email}, salt="another salt")
    with pytest.raises(ValidationError, match="not valid"):
        services.invitation_from_token(forged)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_from_token(token)
    invitation, token = _invite(acme, alice, email="other@acme.test")
    services.invitation_revoke(invitation=invitation, actor=alice)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.invitation_from_token(token)


def test_existing_user_joins_a_second_company_and_can_switch(acme, globex, alice, bob):
    _invitation, token = _invite(globex, bob, email=alice.email)
    with pytest.raises(ValidationError, match="sign in"):
        services.invitation_accept(token=token, password="whatever long 42")
    membership = services.invitation_accept(token=token, user=alice)
    assert membership.company == globex
    assert set(Membership.objects.filter(user=alice).values_list("company__name", flat=True)) == {
        "Acme Hosting",
        "Globex",
    }


def test_invitation_for_someone_else_is_refused(acme, alice, bob):
    _invitation, token = _invite(acme, alice, email="carol@acme.test")
    with pytest.raises(ValidationError, match="carol@acme.test"):
        services.invitation_accept(token=token, user=bob)


def test_inviting_a_member_again_is_refused(acme, alice):
    with pytest.raises(ValidationError, match="already a member"):
        services.invitation_create(company=acme, email=alice.email.upper(), role=CompanyRole.OWNER, actor=alice)


def test_api_tokens_are_hashed_revocable_and_expire(alice):
    token, plain = services.api_token_create(user=alice, name="script")
    assert plain.startswith(f"ss_{token.prefix}_")
    assert plain.split("_", 2)[2] not in token.secret_hash
    assert services.api_token_authenticate(plain) == alice
    assert services.api_token_authenticate(plain[:-1] + ("A" if plain[-1] != "A" else "B")) is None
    assert services.api_token_authenticate("garbage") is None
    services.api_token_revoke(token=token, actor=alice)
    assert services.api_token_authenticate(plain) is None

    expired, plain = services.api_token_create(user=alice, name="old", expires_at=timezone.now() - timedelta(days=1))
    assert services.api_token_authenticate(plain) is None
    assert ApiToken.objects.usable().count() == 0


def test_a_token_is_read_in_one_statement_as_the_orm_reads_it(alice, django_assert_num_queries):
    """The hand-written lookup behind every API request: one statement, the same user as the ORM gives, a token
    that expires later still works, an inactive user's does not."""
    from django.contrib.auth import get_user_model

    _token, plain = services.api_token_create(user=alice, name="later", expires_at=timezone.now() + timedelta(days=1))
    assert services.api_token_authenticate(plain) == alice  # records its first use
    with django_assert_num_queries(1):
        user = services.api_token_authenticate(plain)
    expected = get_user_model().objects.get(pk=alice.pk)
    for field in expected._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected, field.attname), field.name
    assert user.last_login == expected.last_login and (user.date_joined.tzinfo is not None)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert services.api_token_authenticate(plain) is None


def test_a_token_brings_the_memberships_tenancy_would_read(alice, acme, globex, django_assert_num_queries):
    """The token statement also reads the user's active memberships (``Membership.objects.active()``: inactive
    memberships and closed companies left out), so an API request's tenancy asks nothing more."""
    from accounts.apps import _member_company_ids
    from core.tenancy import member_company_ids

    suspended, closed, left = (CompanyFactory(name=name) for name in ("Suspended", "Closed", "Left"))
    MembershipFactory(user=alice, company=globex)
    MembershipFactory(user=alice, company=suspended)
    MembershipFactory(user=alice, company=closed)
    services.company_set_status(company=suspended, status=CompanyStatus.SUSPENDED)
    services.company_set_status(company=closed, status=CompanyStatus.CLOSED)
    services.membership_remove(membership=MembershipFactory(user=alice, company=left, role=CompanyRole.TECHNICAL))
    outsider = UserFactory(email="nobody@example.test")

    for user, expected in ((alice, {acme.pk, globex.pk, suspended.pk}), (outsider, set())):
        _token, plain = services.api_token_create(user=user, name="t")
        services.api_token_authenticate(plain)  # records its first use
        with django_assert_num_queries(1):
            authenticated = services.api_token_authenticate(plain)
            assert set(member_company_ids(authenticated)) == expected
        assert sorted(member_company_ids(authenticated)) == sorted(_member_company_ids(user))


def test_someone_else_cannot_revoke_my_token(alice, bob):
    token, _plain = services.api_token_create(user=alice, name="script")
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(token=token, actor=bob)


def test_migrate_gives_the_staff_groups_their_permissions():
    """The test database was made by ``migrate``: its groups hold their roles' permissions without a manual sync."""
    from django.contrib.auth.models import Group

    noc = Group.objects.get(name="NOC")
    assert noc.permissions.filter(content_type__app_label="monitoring", codename="view_monitoringevent").exists()
    assert Group.objects.get(name="Marketing").permissions.exists()


def test_the_groups_sync_waits_for_the_last_app_migrate_signals_not_the_last_installed():
    """On PostgreSQL django.contrib.postgres is installed last and has no models, so migrate never signals it;
    the sync waited for it, and a PostgreSQL install's staff groups had no permission at all."""
    from django.apps import AppConfig, apps

    from accounts.apps import last_app_signalled_by_migrate

    installed = [*apps.get_app_configs(), AppConfig.create("django.contrib.postgres")]
    assert installed[-1].models_module is None
    assert last_app_signalled_by_migrate(installed) == list(apps.get_app_configs())[-1].label != "postgres"


def test_staff_groups_follow_their_roles():
    from django.contrib.auth.models import Group

    counts = services.staff_groups_sync()
    assert set(counts) == {"Administrator", "Billing", "Support technician", "NOC", "Marketing"}
    billing = Group.objects.get(name="Billing")
    codes = set(billing.permissions.values_list("content_type__app_label", "codename"))
    assert ("accounts", "change_company") in codes
    assert ("accounts", "delete_company") not in codes
    assert ("auth", "change_group") not in codes
    administrator = Group.objects.get(name="Administrator")
    assert administrator.permissions.filter(codename="access_admin", content_type__app_label="wagtailadmin").exists()
    noc = Group.objects.get(name="NOC")
    assert not noc.permissions.filter(content_type__app_label="wagtailadmin").exists()


def test_user_email_is_normalised():
    user = UserFactory(email="Mixed@Example.TEST")
    user.full_clean()
    assert user.email == "mixed@example.test"
