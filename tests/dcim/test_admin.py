"""The DCIM admin: elevation pages, write-only secrets, placement errors in the form, reveal, power report."""

import pytest
from django.urls import reverse

from dcim import services
from dcim.models import Device, SecretReveal
from tests.dcim.factories import device_type, make_circuit, make_device, make_rack

pytestmark = pytest.mark.django_db


def test_rack_change_form_and_elevation_page_draw_both_faces(acme, globex, superuser, client_for):
    rack = make_rack(name="B04")
    services.device_place(device=make_device(acme, name="web01"), rack=rack, position=3)
    services.rack_reserve(rack=rack, company=globex, first_u=12, last_u=13)
    client = client_for(superuser)
    page = client.get(reverse("admin:dcim_rack_change", args=[rack.pk])).content.decode()
    assert page.count("<svg") >= 2 and "web01" in page
    response = client.get(reverse("admin:dcim_rack_elevation_page", args=[rack.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Reserved for Globex" in content and "Acme Hosting" in content


def test_device_form_never_shows_secrets_and_keeps_them(acme, superuser, client_for):
    device = make_device(acme, name="web01", root_password="hunter2-root")
    client = client_for(superuser)
    url = reverse("admin:dcim_device_change", args=[device.pk])
    assert "hunter2-root" not in client.get(url).content.decode()


def test_device_form_refuses_reserved_units(acme, globex, superuser, client_for):
    from django.contrib import admin
    from django.test import RequestFactory

    rack = make_rack(name="B04")
    services.rack_reserve(rack=rack, company=globex, first_u=12, last_u=13)
    device = make_device(acme, name="web01", dtype=device_type("2U", u_height=2), root_password="keep-me")
    request = RequestFactory().get("/")
    request.user = superuser
    model_admin = admin.site._registry[Device]
    form_class = model_admin.get_form(request, device)
    data = {
        field: value
        for field, value in form_class(instance=device).initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(rack=rack.pk, position=12, face="front", tags="")
    form = form_class(data=data, instance=device)
    assert not form.is_valid()
    assert "U 12–13 of rack B04 are reserved for Globex" in " ".join(form.errors["position"])
    data.update(position=20)
    form = form_class(data=data, instance=Device.objects.get(pk=device.pk))
    assert form.is_valid(), form.errors
    saved = form.save()
    assert Device.objects.get(pk=saved.pk).root_password == "keep-me"


def test_reveal_page_shows_and_audits(acme, noc_user, client_for):
    device = make_device(acme, root_password="hunter2-root")
    client = client_for(noc_user)
    url = reverse("admin:dcim_device_reveal_secret", args=[device.pk])
    assert "hunter2-root" not in client.get(url).content.decode()
    response = client.post(url, {"field": "root_password"})
    assert "hunter2-root" in response.content.decode()
    assert SecretReveal.objects.filter(user=noc_user, device=device).count() == 1


def test_reveal_page_refused_without_permission(acme, client_for):
    from tests.accounts.factories import staff_member

    support = staff_member(roles=["Support technician"], email="support@serverstock.test")
    device = make_device(acme, root_password="hunter2-root")
    response = client_for(support).post(
        reverse("admin:dcim_device_reveal_secret", args=[device.pk]), {"field": "root_password"}
    )
    assert response.status_code in (302, 403)
    assert "hunter2-root" not in response.content.decode()
    assert not SecretReveal.objects.exists()


def test_power_report(acme, superuser, client_for):
    services.power_circuit_allocate(circuit=make_circuit(), company=acme, kw="1.5")
    response = client_for(superuser).get(reverse("admin:dcim_powercircuit_power_report"))
    assert response.status_code == 200
    assert "Acme Hosting" in response.content.decode()


# --- bulk actions on the changelists ---------------------------------------------------------------------


def _run_action(client, url, action, objects, **fields):
    from django.contrib.admin import helpers

    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], "index": 0, **fields}
    return client.post(url, data, follow=True)


def test_device_bulk_actions_run_through_the_services(acme, superuser, client_for):
    from dcim.choices import DeviceStatus

    client = client_for(superuser)
    url = reverse("admin:dcim_device_changelist")
    page = client.get(url).content.decode()
    assert "bulk_decommission" in page and 'name="tag"' in page and 'name="rack"' in page
    first, second = make_device(acme, name="web01"), make_device(acme, name="web02")
    response = _run_action(client, url, "bulk_set_status", [first, second], status=DeviceStatus.FAULTY)
    assert "2 changed." in response.content.decode()
    assert set(Device.objects.values_list("status", flat=True)) == {DeviceStatus.FAULTY}
    rack = make_rack(acme, name="C07")
    response = _run_action(client, url, "bulk_move", [first], rack=rack.pk)
    assert Device.objects.get(pk=first.pk).rack == rack
    response = _run_action(client, url, "bulk_add_tag", [first, second], tag="web")
    assert Device.objects.filter(tags__name="web").count() == 2
    response = _run_action(client, url, "bulk_set_status", [first])
    assert "Choose the status to set beside the action." in response.content.decode()


def test_device_bulk_refusal_names_the_collision_and_saves_nothing(acme, globex, superuser, client_for):
    client = client_for(superuser)
    rack = make_rack(acme, name="C01")
    mine, theirs = make_device(acme, name="web01"), make_device(globex, name="globex1")
    response = _run_action(client, reverse("admin:dcim_device_changelist"), "bulk_move", [mine, theirs], rack=rack.pk)
    content = response.content.decode()
    assert (
        "Rack C01 belongs to Acme Hosting; globex1 is Globex&#x27;s." in content and "Nothing was changed." in content
    )
    assert not Device.objects.filter(rack=rack).exists()


def test_decommission_action_is_refused_to_read_only_staff(acme, client_for):
    from tests.accounts.factories import staff_member

    reader = staff_member(roles=["Billing"], email="billing@serverstock.test")
    device = make_device(acme, name="web01")
    response = _run_action(client_for(reader), reverse("admin:dcim_device_changelist"), "bulk_decommission", [device])
    assert response.status_code in (200, 403)
    assert Device.objects.get(pk=device.pk).status != "decommissioned"


def test_interface_bulk_enable_disable(acme, superuser, client_for):
    from dcim.models import Interface
    from tests.dcim.factories import make_interface

    server = make_device(acme, name="web01")
    interfaces = [make_interface(server, "eth0"), make_interface(server, "eth1")]
    url = reverse("admin:dcim_interface_changelist")
    client = client_for(superuser)
    assert "2 changed." in _run_action(client, url, "bulk_disable", interfaces).content.decode()
    assert not Interface.objects.filter(enabled=True).exists()
    _run_action(client, url, "bulk_enable", interfaces[:1])
    assert list(Interface.objects.filter(enabled=True)) == interfaces[:1]
