"""Demo users and companies: staff admin/billing/support/noc, Alice at Acme Hosting, Bob at Globex."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from accounts import services
from accounts.choices import CompanyRole, StaffRole
from accounts.models import Company
from core.demo import demo_step

DEMO_PASSWORD = "demo"
STAFF = [
    ("admin", "admin@serverstock.example", "Ada Administrator", [StaffRole.ADMINISTRATOR], True),
    ("billing", "billing@serverstock.example", "Bill Ledger", [StaffRole.BILLING], False),
    ("support", "support@serverstock.example", "Sam Support", [StaffRole.SUPPORT], False),
    ("noc", "noc@serverstock.example", "Nora Operations", [StaffRole.NOC], False),
]
CUSTOMERS = [
    ("alice@acme.example", "Alice Anders", "Acme Hosting", "Acme Hosting LLC", "US"),
    ("bob@globex.example", "Bob Barker", "Globex", "Globex Corporation", "US"),
]


def _ensure_user(email: str, **fields):
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, **fields)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


@demo_step("Staff and customers", order=10)
def load_accounts() -> str:
    """Staff in their groups, and one owner per demo company."""
    services.staff_groups_sync()
    User = get_user_model()
    for username, email, name, roles, superuser in STAFF:
        if not User.objects.filter(email=email).exists():
            user = services.staff_user_create(
                email=email,
                password=DEMO_PASSWORD,
                roles=roles,
                username=username,
                full_name=name,
                check_password_strength=False,
            )
            if superuser:
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
        _ensure_user(email)
    for email, name, company_name, legal_name, country in CUSTOMERS:
        company = Company.objects.filter(name=company_name).first() or services.company_create(
            name=company_name,
            legal_name=legal_name,
            country=country,
            email=f"billing@{email.split('@')[1]}",
            city="Ashburn",
            region="VA",
            address_line1="21 Datacenter Way",
            postal_code="20147",
        )
        user = _ensure_user(email, full_name=name)
        if not company.memberships.filter(user=user).exists():
            services.membership_add(company=company, user=user, role=CompanyRole.OWNER)
    return f"{len(STAFF)} staff, {len(CUSTOMERS)} customers (password '{DEMO_PASSWORD}')"
