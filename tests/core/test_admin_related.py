"""Every admin change page links its related objects both ways (``core.templatetags.admin_related``)."""

import pytest
from django.urls import reverse

import tests.factories  # noqa: F401 - registers every app's factories before dcim's (they import each other)
from tests.accounts.factories import staff_member
from tests.dcim.factories import make_device, make_interface, make_rack
from tests.tickets.factories import make_ticket

pytestmark = pytest.mark.django_db


def _related_section(page: str) -> str:
    start = page.index('class="related-objects')
    return page[start : page.index("</section>", start)]


def test_server_change_page_links_its_rack_and_what_points_to_it(superuser, acme, client_for):
    rack = make_rack(acme, name="B04")
    server = make_device(acme, name="web-01", rack=rack, position=10)
    make_interface(server, "eth0")
    make_interface(server, "eth1")
    ticket = make_ticket(acme, subject="Disk", device=server)
    client = client_for(superuser)
    page = client.get(reverse("admin:dcim_device_change", args=[server.pk])).content.decode()
    assert "Related objects" in page
    page = _related_section(page)
    assert reverse("admin:dcim_rack_change", args=[rack.pk]) in page
    assert reverse("admin:accounts_company_change", args=[acme.pk]) in page
    interfaces = f"{reverse('admin:dcim_interface_changelist')}?device__exact={server.pk}"
    tickets = f"{reverse('admin:tickets_ticket_changelist')}?device__exact={server.pk}"
    assert interfaces in page and ">2 interfaces<" in page
    assert tickets in page and ">1 ticket<" in page
    # The filtered lists open and hold exactly those objects; the ticket's page links back to the server.
    listing = client.get(tickets)
    assert listing.status_code == 200 and ticket.number in listing.content.decode()
    back = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    assert reverse("admin:dcim_device_change", args=[server.pk]) in back
    # And from the rack to its devices.
    rack_page = client.get(reverse("admin:dcim_rack_change", args=[rack.pk])).content.decode()
    assert f"{reverse('admin:dcim_device_changelist')}?rack__exact={rack.pk}" in rack_page


def test_related_links_respect_view_permissions(acme, client_for):
    from django.contrib.auth.models import Permission

    server = make_device(acme, name="web-01")
    make_ticket(acme, subject="Disk", device=server)
    make_interface(server, "eth0")
    viewer = staff_member(email="viewer@serverstock.test")
    viewer.user_permissions.set(
        Permission.objects.filter(content_type__app_label="dcim", codename__in=["view_device", "view_interface"])
    )
    page = client_for(viewer).get(reverse("admin:dcim_device_change", args=[server.pk])).content.decode()
    related = _related_section(page)
    assert f"{reverse('admin:dcim_interface_changelist')}?device__exact={server.pk}" in related
    assert "/admin/tickets/ticket/" not in related and "/admin/accounts/company/" not in related
