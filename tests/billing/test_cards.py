"""Card on file: validation, and the number and security code never stored, logged or echoed."""

import logging
import re
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.urls import reverse

from billing.cards import card_brand, luhn_valid, validate_card
from billing.models import StoredCard

NUMBER = "4111111111111111"
CVC = "737"


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4111111111111111", "visa"),
        ("5555555555554444", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
    ],
)
def test_luhn_and_brand(number, brand):
    assert luhn_valid(number) and card_brand(number) == brand


def test_bad_cards_are_refused_without_repeating_the_number():
    with pytest.raises(ValidationError) as caught:
        validate_card(number="4111111111111112", exp_month=1, exp_year=2099, cvc="123")
    assert "4111" not in str(caught.value)
    with pytest.raises(ValidationError, match="expired"):
        validate_card(number=NUMBER, exp_month=1, exp_year=2020, cvc="123")
    with pytest.raises(ValidationError, match="security code"):
        validate_card(number=NUMBER, exp_month=1, exp_year=2099, cvc="12")


def _text_columns():
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        # Local fields only: an inherited field's column lives in the parent's table (scanned on its own).
        for field in model._meta.local_concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                yield model, field


@pytest.mark.django_db(transaction=False)
def test_card_through_the_portal_is_never_stored_or_logged(alice, acme, client_for, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(alice)
    year = date.today().year + 3
    bad = client.post(
        reverse("portal:billing_card"), {"number": "4111 1111 1111 1112", "exp_month": 5, "exp_year": year, "cvc": CVC}
    )
    assert bad.status_code == 400 and b"not valid" in bad.content
    assert b"4111 1111 1111 1112" not in bad.content and CVC.encode() not in bad.content
    response = client.post(
        reverse("portal:billing_card"),
        {"number": "4111 1111 1111 1111", "exp_month": 5, "exp_year": year, "cvc": CVC, "holder_name": "Alice A"},
    )
    assert response.status_code == 302
    card = StoredCard.objects.get(company=acme)
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "1111", 5, year)
    page = client.get(reverse("portal:billing_card")).content.decode()
    assert "•••• 1111" in page and NUMBER not in page

    found = []
    with connection.cursor() as cursor:
        for model, field in _text_columns():
            table, column = model._meta.db_table, field.column
            for needle in (NUMBER, "4111 1111 1111 1111", f"%{CVC}%"):
                like = needle if needle.startswith("%") else f"%{needle}%"
                if needle.startswith("%") and (model is not StoredCard or field.name == "token"):
                    # A 3-digit code may occur by chance elsewhere, and in the gateway's random hex token.
                    continue
                cursor.execute(
                    f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "
                    f"WHERE CAST({connection.ops.quote_name(column)} AS TEXT) LIKE %s",
                    [like],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}")
    assert not found, found
    # The history rows' text fields (not their timestamps, whose microseconds may hold any 3 digits, nor the
    # random token) never hold the code as a number of its own.
    code = re.compile(rf"(?<!\d){CVC}(?!\d)")
    for history in StoredCard.history.model.objects.all():
        for f in history._meta.concrete_fields:
            if isinstance(f, models.CharField | models.TextField) and f.name != "token":
                assert not code.search(str(getattr(history, f.attname) or "")), f.name
    logged = "\n".join(record.getMessage() + repr(record.args) for record in caplog.records)
    assert NUMBER not in logged and "4111 1111 1111 1111" not in logged and CVC not in logged


def test_card_numbers_are_masked_in_error_reports(alice, client_for):
    from django.views.debug import SafeExceptionReporterFilter

    year = date.today().year + 3
    response = client_for(alice).post(
        reverse("portal:billing_card"), {"number": "4111 1111 1111 1112", "exp_month": 5, "exp_year": year, "cvc": CVC}
    )
    request = response.wsgi_request
    assert set(request.sensitive_post_parameters) == {"number", "cvc"}
    reported = SafeExceptionReporterFilter().get_post_parameters(request)
    assert "4111" not in reported["number"] and reported["cvc"] != CVC
