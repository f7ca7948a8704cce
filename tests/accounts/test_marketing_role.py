"""The Marketing staff group edits the website (pages, snippets, images, documents, leads) and nothing else."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page

from accounts import services
from accounts.choices import StaffRole
from tests.accounts.factories import staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(db):
    services.staff_groups_sync()
    return staff_member(roles=[StaffRole.MARKETING], email="mia@serverstock.test")


def test_marketing_holds_the_website_permissions_only(marketer):
    codes = set(Group.objects.get(name="Marketing").permissions.values_list("content_type__app_label", "codename"))
    assert ("wagtailadmin", "access_admin") in codes
    assert {("wagtailimages", "add_image"), ("wagtaildocs", "add_document"), ("wagtailcore", "publish_page")} <= codes
    assert {app for app, _code in codes} <= {
        "wagtailadmin", "wagtailcore", "wagtailimages", "wagtaildocs", "wagtailforms", "taggit",
        "home", "marketing", "announcements", "leads",
    }  # fmt: skip
    assert not any(app == "wagtailcore" and not code.endswith("_page") for app, code in codes)
    assert not {("wagtailusers", "change_userprofile"), ("auth", "change_user")} & codes


def test_a_marketer_edits_pages_images_and_leads_but_no_operations_page(marketer, client_for):
    client = client_for(marketer)
    home = Page.objects.filter(depth=2).first()
    assert client.get("/cms/").status_code == 200
    assert client.get(f"/cms/pages/{home.pk}/edit/").status_code == 200
    assert client.get(f"/cms/pages/{home.pk}/add_subpage/").status_code == 200
    assert client.get("/cms/images/multiple/add/").status_code == 200
    assert client.get("/cms/documents/multiple/add/").status_code == 200
    assert client.get("/admin/leads/lead/").status_code == 200
    for refused in ("/admin/accounts/company/", "/admin/dcim/device/", "/admin/billing/invoice/", "/cms/users/"):
        assert client.get(refused).status_code in (302, 403), refused
