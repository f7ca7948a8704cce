"""Generic suite over every registered admin: pages render for permitted staff, are refused to others,
and changelists keep a constant number of queries."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from core.registry import all_specs, get_spec
from tests.accounts.factories import CompanyFactory, staff_member
from tests.factories import OBJECT_FACTORIES

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MODEL_ADMINS = [pytest.param(model, id=model._meta.label_lower) for model, _admin in REGISTERED]


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def make_object(model):
    """An instance to open the change page of: every declared model has a factory; a third-party admin
    (allauth, django-q2, taggit…) gets its first existing row, if any."""
    if get_spec(model) is not None:
        return OBJECT_FACTORIES[model](CompanyFactory())
    return model._default_manager.first()


def staff_with_model_permissions(model):
    opts = model._meta
    user = staff_member(email=f"staff-{opts.model_name}@serverstock.test")
    codenames = [f"{action}_{opts.model_name}" for action in ("view", "add", "change")]
    user.user_permissions.set(Permission.objects.filter(content_type__app_label=opts.app_label, codename__in=codenames))
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODEL_ADMINS)
def test_admin_pages_render_for_permitted_staff(model, client_for):
    user = staff_with_model_permissions(model)
    client = client_for(user)
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200, response.content[:500]
    request = RequestFactory().get("/admin/")
    request.user = user
    addable = admin.site._registry[model].has_add_permission(request)
    assert client.get(admin_url(model, "add")).status_code == (200 if addable else 403)
    instance = make_object(model)
    if instance is None:
        assert get_spec(model) is None, "declared models always have an instance to open"
        return
    response = client.get(admin_url(model, "change", instance.pk))
    assert response.status_code == 200
    assert escape(str(instance)) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODEL_ADMINS)
def test_admin_refuses_customers_and_unpermitted_staff(model, alice, client_for):
    url = admin_url(model, "changelist")
    response = client_for(alice).get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    bare_staff = staff_member(email="bare@serverstock.test")
    assert client_for(bare_staff).get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("model", [pytest.param(s.model, id=s.label) for s in all_specs()])
def test_changelist_queries_do_not_grow_with_rows(model, superuser, client_for):
    client = client_for(superuser)
    url = admin_url(model, "changelist")
    make_object(model)
    client.get(url)  # warm caches (content types, sessions) before counting
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(4):
        make_object(model)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_every_spec_is_registered_in_the_admin():
    missing = [spec.label for spec in all_specs() if not admin.site.is_registered(spec.model)]
    assert not missing
