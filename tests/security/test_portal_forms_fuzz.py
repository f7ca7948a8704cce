"""Every portal form, found by walking the portal's pages, posted with oversized, negative, non-numeric and
unicode-digit values in each field in turn: every answer is a page or a form error, never a 5xx."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import OBJECT_FACTORIES
from tests.security import REPORT
from tests.security.forms import forms_of

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BAD_VALUES = [
    "9" * 25,  # a 25-digit number: beyond every integer column
    "-1",
    "-99999999999999999999.99",
    "not a number",
    "²",  # str.isdigit() is true, int() fails
    "١٢٣",  # Arabic-Indic digits: int() takes them
    "１２",  # full-width digits
    "1e999999",
    "NaN",
    "x" * 5000,  # oversized text
    "\x00",
]
SKIPPED_FIELDS = {"csrfmiddlewaretoken"}


def _portal_pages(company) -> list[str]:
    """The portal's URLs: those without parameters, and those with an id of one of the company's objects."""
    resolver = get_resolver()
    portal = next(
        entry for entry in resolver.url_patterns if isinstance(entry, URLResolver) and "portal" in str(entry.pattern)
    )
    names = []

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                names.append((namespace, entry.name))

    walk(portal.url_patterns, portal.namespace)
    own = {model._meta.model_name: factory(company).pk for model, factory in OBJECT_FACTORIES.items()}
    pages = []
    for namespace, name in names:
        try:
            pages.append(reverse(f"{namespace}:{name}"))
            continue
        except Exception:  # noqa: BLE001 - the URL takes parameters
            pass
        for object_id in {own.get(name.split("_")[0]), *own.values()}:
            if object_id is None:
                continue
            try:
                pages.append(reverse(f"{namespace}:{name}", args=[object_id]))
                break
            except Exception:  # noqa: BLE001
                continue
    return sorted(set(pages))


def test_portal_forms_answer_bad_values_without_a_5xx(acme, alice, client_for):
    client: Client = client_for(alice)
    client.raise_request_exception = False
    failures, forms_posted = [], 0
    for page in _portal_pages(acme):
        response = client.get(page)
        REPORT["portal_requests"] += 1
        assert response.status_code < 500, page
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(response.content.decode(errors="replace")):
            if form.method != "post" or "logout" in form.action:
                continue
            target = form.action or page
            if target.startswith(("http", "//")):
                continue
            forms_posted += 1
            base = form.data()
            for field in form.fields:
                if field.name in SKIPPED_FIELDS or field.kind in ("submit", "button", "file", "hidden"):
                    continue
                for value in BAD_VALUES:
                    data = {**base, field.name: value}
                    answer = client.post(target, data)
                    REPORT["portal_requests"] += 1
                    if answer.status_code >= 500:
                        failures.append(f"{target} {field.name}={value[:30]!r}: {answer.status_code}")
    REPORT["portal_forms"] += forms_posted
    assert forms_posted >= 10
    assert failures == []
