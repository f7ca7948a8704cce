"""The write contract: the generated admin and API write only through the services a spec names, show a
service's ValidationError as a 400 / form error, and are read-only for a spec that names no service."""

import dataclasses

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIRequestFactory, force_authenticate

from accounts.services import api_token_create
from core import writes
from core.admin import SpecModelAdmin
from core.registry import get_spec, resolved
from tests.testapp.models import Widget
from tests.testapp.services import KEPT_NAME, REFUSED_NAME

pytestmark = pytest.mark.django_db

API = "/api/testapp/widgets/"


@pytest.fixture
def api(superuser):
    from rest_framework.test import APIClient

    _token, plain = api_token_create(user=superuser, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def admin_url(view, *args):
    return reverse(f"admin:testapp_widget_{view}", args=args)


# --- calling services ------------------------------------------------------------------------------------


def test_call_service_passes_actor_only_when_named_and_only_the_fields_it_takes():
    seen = {}

    def closed(*, name, actor):
        seen.update(name=name, actor=actor)

    def open_ended(**fields):
        seen.update(open=fields)

    writes.call_service(closed, actor="me", name="n", description="ignored")
    assert seen == {"name": "n", "actor": "me"}
    writes.call_service(open_ended, actor="me", name="n")
    assert seen["open"] == {"name": "n"}  # **fields does not count as naming actor


def test_instance_argument_is_the_model_name_unless_the_spec_says_otherwise():
    spec = get_spec(Widget)
    assert writes.instance_arg(spec) == "widget"
    assert writes.instance_arg(dataclasses.replace(spec, instance_arg="thing")) == "thing"


def test_error_messages_keep_fields_and_put_the_rest_under_non_field_errors():
    assert writes.error_messages(ValidationError({"name": "bad"})) == {"name": ["bad"]}
    assert writes.error_messages(ValidationError("all bad")) == {"__all__": ["all bad"]}


# --- API -------------------------------------------------------------------------------------------------


def test_api_create_goes_through_the_service_with_the_actor(api, acme, superuser):
    response = api.post(API, {"company": acme.pk, "name": "made"}, format="json")
    assert response.status_code == 201, response.content
    widget = Widget.objects.get(pk=response.json()["id"])
    assert widget.description == f"created by {superuser}"
    assert response.json()["description"] == widget.description


def test_api_update_passes_the_changed_fields_and_refusals_are_400(api, acme, superuser):
    widget = Widget.objects.create(company=acme, name="before")
    response = api.patch(f"{API}{widget.pk}/", {"name": "after"}, format="json")
    assert response.status_code == 200, response.content
    widget.refresh_from_db()
    assert (widget.name, widget.description) == ("after", f"updated by {superuser}")

    refused = api.patch(f"{API}{widget.pk}/", {"name": REFUSED_NAME}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"name": ["That name is refused."]}
    widget.refresh_from_db()
    assert widget.name == "after"


def test_api_delete_goes_through_the_service(api, acme):
    gone = Widget.objects.create(company=acme, name="gone")
    kept = Widget.objects.create(company=acme, name=KEPT_NAME)
    assert api.delete(f"{API}{gone.pk}/").status_code == 204
    assert not Widget.objects.filter(pk=gone.pk).exists()
    refused = api.delete(f"{API}{kept.pk}/")
    assert refused.status_code == 400
    assert refused.json() == {"detail": ["This widget is kept."]}
    assert Widget.objects.filter(pk=kept.pk).exists()


def test_api_create_refusal_is_400_and_writes_nothing(api, acme):
    response = api.post(API, {"company": acme.pk, "name": REFUSED_NAME}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["That name is refused."]}
    assert not Widget.objects.exists()


def read_only_viewset():
    spec = dataclasses.replace(get_spec(Widget), create=None, update=None, delete=None)
    base = resolved(Widget, "viewset")
    return type("ReadOnlyWidgetViewSet", (base,), {"spec": spec})


@pytest.mark.parametrize(
    ("method", "action", "detail"),
    [
        ("post", "create", False),
        ("patch", "partial_update", True),
        ("put", "update", True),
        ("delete", "destroy", True),
    ],
)
def test_api_of_a_spec_without_services_is_read_only(method, action, detail, acme, superuser):
    widget = Widget.objects.create(company=acme, name="w")
    viewset = read_only_viewset()
    view = viewset.as_view({method: action, "get": "retrieve" if detail else "list"})
    request = getattr(APIRequestFactory(), method)(API, {"name": "x", "company": acme.pk}, format="json")
    force_authenticate(request, user=superuser)
    response = view(request, pk=widget.pk) if detail else view(request)
    assert response.status_code == 405
    widget.refresh_from_db()
    assert widget.name == "w"
    assert Widget.objects.count() == 1
    get = APIRequestFactory().get(API)
    force_authenticate(get, user=superuser)
    assert (view(get, pk=widget.pk) if detail else view(get)).status_code == 200


def test_a_hand_written_write_stands_in_for_a_missing_service():
    class HandWritten(read_only_viewset()):
        def perform_create(self, serializer):
            raise AssertionError("not called here")

    assert HandWritten.writes_allowed("create")
    assert not HandWritten.writes_allowed("update")
    assert not read_only_viewset().writes_allowed("create")


# --- admin -----------------------------------------------------------------------------------------------


def test_admin_add_goes_through_the_service(superuser, client_for, acme):
    client = client_for(superuser)
    response = client.post(admin_url("add"), {"company": acme.pk, "name": "from admin", "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    widget = Widget.objects.get(name="from admin")
    assert widget.description == f"created by {superuser}"


def test_admin_add_refusal_is_a_form_error_and_writes_nothing(superuser, client_for, acme):
    response = client_for(superuser).post(admin_url("add"), {"company": acme.pk, "name": REFUSED_NAME})
    assert response.status_code == 200
    assert "That name is refused." in response.content.decode()
    assert response.context["adminform"].form.errors["name"] == ["That name is refused."]
    assert not Widget.objects.exists()


def test_admin_change_passes_changed_fields_and_shows_refusals(superuser, client_for, acme):
    widget = Widget.objects.create(company=acme, name="before", comments="keep me")
    client = client_for(superuser)
    data = {"company": acme.pk, "name": "after", "comments": "keep me", "description": ""}
    assert client.post(admin_url("change", widget.pk), data).status_code == 302
    widget.refresh_from_db()
    assert (widget.name, widget.description, widget.comments) == ("after", f"updated by {superuser}", "keep me")

    response = client.post(admin_url("change", widget.pk), {**data, "name": REFUSED_NAME})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == ["That name is refused."]
    widget.refresh_from_db()
    assert widget.name == "after"


def test_admin_delete_goes_through_the_service_and_refusals_are_messages(superuser, client_for, acme):
    gone = Widget.objects.create(company=acme, name="gone")
    kept = Widget.objects.create(company=acme, name=KEPT_NAME)
    client = client_for(superuser)
    assert client.post(admin_url("delete", gone.pk), {"post": "yes"}).status_code == 302
    assert not Widget.objects.filter(pk=gone.pk).exists()
    response = client.post(admin_url("delete", kept.pk), {"post": "yes"}, follow=True)
    assert "This widget is kept." in response.content.decode()
    assert Widget.objects.filter(pk=kept.pk).exists()


def test_admin_bulk_delete_is_all_or_nothing_through_the_service(superuser, client_for, acme):
    rows = [Widget.objects.create(company=acme, name=name) for name in ("a", KEPT_NAME, "b")]
    response = client_for(superuser).post(
        admin_url("changelist"),
        {"action": "delete_selected", "_selected_action": [w.pk for w in rows], "post": "yes"},
        follow=True,
    )
    assert "This widget is kept." in response.content.decode()
    assert Widget.objects.count() == 3


def test_admin_of_a_spec_without_services_is_read_only(superuser, acme):
    spec = dataclasses.replace(get_spec(Widget), create=None, update=None, delete=None)
    model_admin = type("ReadOnlyWidgetAdmin", (SpecModelAdmin,), {"spec": spec})(Widget, admin.site)
    request = RequestFactory().get("/")
    request.user = superuser
    widget = Widget.objects.create(company=acme, name="w")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, widget)
    form = model_admin.get_form(request, widget, change=True)(instance=widget)
    assert all(field.disabled for field in form.fields.values())
