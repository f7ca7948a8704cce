"""An OpenAPI-driven fuzz of the whole API: schemathesis generates requests from ``/api/schema/`` for every
operation, valid and invalid, sent as a customer's token and as a staff token; no answer may be a 5xx.

Bounded for ``make test``: ``SECURITY_FUZZ_EXAMPLES`` examples per operation and generation mode (default 3);
raise it for a longer hunt (``SECURITY_FUZZ_EXAMPLES=50 pytest tests/security/test_api_fuzz.py``).
"""

import json
import os
from urllib.parse import urlencode

import pytest
import schemathesis
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from accounts.services import api_token_create
from tests.factories import OBJECT_FACTORIES
from tests.security import REPORT

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = int(os.environ.get("SECURITY_FUZZ_EXAMPLES", "3"))


def _request(client: Client, case, token: str):
    query = urlencode(case.query or {}, doseq=True)
    path = case.formatted_path + (f"?{query}" if query else "")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = case.body
    method = case.method.upper()
    if body is None or body.__class__.__name__ == "NotSet" or method in ("GET", "HEAD", "DELETE"):
        return client.generic(method, path, **headers)
    if case.media_type and "multipart" in case.media_type and isinstance(body, dict):
        return client.generic(method, path, data=urlencode(body, doseq=True),
                              content_type="application/x-www-form-urlencoded", **headers)  # fmt: skip
    return client.generic(method, path, data=json.dumps(body, default=str), content_type="application/json", **headers)


def _fuzz(token: str, failures: list):
    client = Client(raise_request_exception=False)
    schema_doc = client.get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    schema = schemathesis.openapi.from_dict(schema_doc)
    operations = [result.ok() for result in schema.get_all_operations()]
    REPORT["api_operations"] += len(operations)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def send(case):
                with transaction.atomic():  # one failed request must not abort the test's transaction
                    response = _request(client, case, token)
                REPORT["api_fuzz_cases"] += 1
                if response.status_code >= 500:
                    failures.append(f"{case.method.upper()} {case.formatted_path} {case.query} {case.body!r:.300}")

            try:
                send()
            except Exception as error:  # noqa: BLE001 - schemathesis may not generate for an odd operation
                if "Unsatisfiable" not in type(error).__name__ and "generation" not in str(error).lower():
                    raise
                REPORT["api_operations_not_generated"] += 1


def _with_data(company):
    for factory in OBJECT_FACTORIES.values():
        factory(company)


def test_the_api_answers_no_5xx_to_a_customer_token(acme, alice):
    _with_data(acme)
    _token, raw = api_token_create(user=alice, name="fuzz")
    failures = []
    _fuzz(raw, failures)
    assert failures == []


def test_the_api_answers_no_5xx_to_a_staff_token(acme, superuser):
    _with_data(acme)
    _token, raw = api_token_create(user=superuser, name="fuzz")
    failures = []
    _fuzz(raw, failures)
    assert failures == []
