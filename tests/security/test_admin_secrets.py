"""For each staff group, every admin page of every model with a secret-bearing object: changelist, change page,
history and each history record, and the export, show no secret value; only the audited reveal does, and only
for those with the reveal permission."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from accounts import services as account_services
from accounts.choices import StaffRole
from core.fields import encrypted_fields
from dcim import services as dcim_services
from dcim.models import Device, SecretReveal
from tests.accounts.factories import CompanyFactory, sign_in, staff_member
from tests.factories import OBJECT_FACTORIES
from tests.security import REPORT
from tests.security.forms import forms_of

pytestmark = pytest.mark.django_db

GROUPS = [*StaffRole.values, "superuser"]


def _secret_models():
    return [model for model, _names in encrypted_fields() if model in admin.site._registry]


def _object_with_secrets(model, names: list[str]):
    """A saved object whose every secret has held two values (so history has had secrets to copy)."""
    from tests.dcim.factories import make_device  # after tests.factories (its import order avoids a cycle)

    company = CompanyFactory()
    if model is Device:
        instance = make_device(company, name="sec-web01")
        for generation in ("old", "new"):
            for name in names:
                dcim_services.device_secret_set(device=instance, field=name, value=f"{generation}-{name}-Zq9")
        return instance, [f"{generation}-{name}-Zq9" for generation in ("old", "new") for name in names]
    instance = OBJECT_FACTORIES[model](company)
    values = []
    for generation in ("old", "new"):
        for name in names:
            setattr(instance, name, f"{generation}-{name}-Zq9")
            values.append(f"{generation}-{name}-Zq9")
        instance.save()
    return instance, values


def _staff(group: str):
    account_services.staff_groups_sync()
    if group == "superuser":
        return staff_member(superuser=True, email="sec-super@serverstock.test")
    user = staff_member(email=f"sec-{group.lower().replace(' ', '-')}@serverstock.test")
    user.groups.set([Group.objects.get(name=group)])
    return user


def _admin_pages(model, instance) -> list[str]:
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    pages = [reverse(f"{name}_changelist"), reverse(f"{name}_change", args=[instance.pk])]
    try:
        pages.append(reverse(f"{name}_history", args=[instance.pk]))
    except NoReverseMatch:
        pass
    for record in instance.history.all():
        pages.append(reverse(f"{name}_simple_history", args=[instance.pk, record.history_id]))
    return pages


def _export(client, model) -> list[bytes]:
    """Every format the admin's export offers, as the export form would post it."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
    page = client.get(url)
    if page.status_code != 200:
        return []
    forms = [form for form in forms_of(page.content.decode()) if "format" in form.field_names()]
    outputs = []
    for form in forms[:1]:
        formats = next(field for field in form.fields if field.name == "format").options
        for file_format in [value for value in formats if value]:
            data = form.data()
            data["format"] = file_format
            for field in form.fields:  # every field of the resource ticked
                if field.kind == "checkbox":
                    data[field.name] = field.value or "on"
            response = client.post(url, data)
            REPORT["admin_secret_requests"] += 1
            assert response.status_code in (200, 302), (url, file_format, response.status_code)
            outputs.append(response.content)
    return outputs


@pytest.mark.parametrize("group", GROUPS)
def test_no_admin_page_or_export_shows_a_secret(group, client):
    user = _staff(group)
    sign_in(client, user)
    checked = 0
    for model, names in [(m, n) for m, n in encrypted_fields() if m in _secret_models()]:
        instance, values = _object_with_secrets(model, names)
        for url in _admin_pages(model, instance):
            response = client.get(url)
            REPORT["admin_secret_requests"] += 1
            assert response.status_code in (200, 302, 403), (url, response.status_code)
            body = response.content.decode(errors="replace")
            leaked = [value for value in values if value in body]
            assert leaked == [], f"{group} sees {leaked} on {url}"
            checked += 1
        for output in _export(client, model):
            assert not any(value.encode() in output for value in values), f"{group}: export of {model} has secrets"
    assert checked >= 4


@pytest.mark.parametrize("group", GROUPS)
def test_only_the_reveal_shows_a_secret_and_only_with_the_permission(group, client):
    user = _staff(group)
    sign_in(client, user)
    device, _values = _object_with_secrets(Device, ["root_password"])
    url = reverse("admin:dcim_device_reveal_secret", args=[device.pk])
    response = client.post(url, {"field": "root_password"})
    REPORT["admin_secret_requests"] += 1
    permitted = user.has_perm(dcim_services.SECRET_REVEAL_PERMISSION)
    assert ("new-root_password-Zq9" in response.content.decode(errors="replace")) is permitted, group
    assert SecretReveal.objects.filter(device=device, user=user).exists() is permitted
