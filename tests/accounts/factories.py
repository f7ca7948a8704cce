import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts import services
from accounts.choices import CompanyRole
from accounts.models import Company, Membership, User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} LLC")
    country = "US"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.company_create(**kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = CompanyRole.OWNER


def enable_mfa(user) -> str:
    """Give ``user`` a real TOTP authenticator; returns the secret (to compute codes)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def sign_in(client, user):
    """Sign ``client`` in as ``user`` as allauth would: for a user with TOTP, the session also passed MFA.

    ``force_login`` alone makes a session that never gave a code, which staff areas refuse.
    """
    from allauth.mfa.models import Authenticator

    from accounts.mfa import mark_session_mfa_passed

    client.force_login(user)
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        session = client.session
        mark_session_mfa_passed(session, user)
        session.save()
    return client


def staff_member(*, roles=(), superuser: bool = False, mfa: bool = True, **fields) -> User:
    """A staff user in the given staff groups, with MFA set up unless told otherwise."""
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True, is_superuser=superuser, **fields)
    user.groups.set(Group.objects.filter(name__in=roles))
    if mfa:
        enable_mfa(user)
    return user
