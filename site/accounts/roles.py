"""Permission sets of the staff groups (documented in README.md, "Staff roles").

Each group maps an app label to the actions it may take on every model of that app ("*" means all,
including the custom permissions later apps declare); a key ``"app_label.model"`` narrows a rule to one
model (its permissions are those whose codename ends in ``_<model>``, e.g. ``publish_page``) and wins over
the app's. Groups are created by a data migration and their permissions are brought up to date after every
``migrate``, so models added by later apps are covered.
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
    # The website: Wagtail pages, snippets, images, documents and the leads; nothing of the operations side.
    StaffRole.MARKETING: {
        "wagtailadmin": "*",  # access_admin
        "wagtailcore.page": "*",
        "wagtailimages": "*",
        "wagtaildocs": "*",
        "wagtailforms": "*",
        "taggit": "*",
        "home": "*",
        "marketing": "*",
        "announcements": "*",
        "leads": "*",
    },
}

# Wagtail's editor is for marketers and administrators; the other staff groups do not include it.
WAGTAIL_ADMIN_ROLES = {StaffRole.ADMINISTRATOR, StaffRole.MARKETING}
# Wagtail's page and collection permissions (per page tree / collection, not per model) for these groups.
WAGTAIL_PAGE_ACTIONS = ("add", "change", "publish", "lock", "unlock", "delete", "bulk_delete")
WAGTAIL_COLLECTION_ACTIONS = ("add", "change", "delete", "choose")


def permission_allowed(role: str, app_label: str, codename: str) -> bool:
    """Whether staff ``role`` holds the permission ``app_label.codename``."""
    rules = STAFF_ROLE_PERMISSIONS[role]
    for key, actions in rules.items():
        app, _dot, model = key.partition(".")
        if model and app == app_label and codename.endswith(f"_{model}"):
            return actions == "*" or codename.split("_", 1)[0] in actions
    actions = rules.get(app_label, rules.get("*"))
    if actions is None:
        return False
    if actions == "*":
        return True
    return codename.split("_", 1)[0] in actions
