"""Permission sets of the staff groups (documented in README.md, "Staff roles").

Each group maps an app label to the actions it may take on every model of that app ("*" means all,
including the custom permissions later apps declare). Groups are created by a data migration and their
permissions are brought up to date after every ``migrate``, so models added by later apps are covered.
"""

from accounts.choices import StaffRole

ALL = ("add", "change", "delete", "view")
READ = ("view",)
WORK = ("add", "change", "view")

STAFF_ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...] | str]] = {
    StaffRole.ADMINISTRATOR: {"*": "*"},
    StaffRole.BILLING: {
        "accounts": WORK,
        "billing": "*",
        "catalog": WORK,
        "tickets": WORK,
        "dcim": READ,
        "ipam": READ,
        "monitoring": READ,
        "django_q": READ,
    },
    StaffRole.SUPPORT: {
        "accounts": READ,
        "catalog": WORK,
        "tickets": "*",
        "dcim": WORK,
        "ipam": WORK,
        "monitoring": WORK,
        "remote": "*",
        "billing": READ,
    },
    StaffRole.NOC: {
        "accounts": READ,
        "catalog": READ,
        "tickets": WORK,
        "dcim": "*",
        "ipam": "*",
        "monitoring": "*",
        "remote": "*",
        "django_q": READ,
    },
}

# Wagtail's editor is for marketers and administrators; staff groups above do not include it.
WAGTAIL_ADMIN_ROLES = {StaffRole.ADMINISTRATOR}


def permission_allowed(role: str, app_label: str, codename: str) -> bool:
    """Whether staff ``role`` holds the permission ``app_label.codename``."""
    rules = STAFF_ROLE_PERMISSIONS[role]
    actions = rules.get(app_label, rules.get("*"))
    if actions is None:
        return False
    if actions == "*":
        return True
    return codename.split("_", 1)[0] in actions
