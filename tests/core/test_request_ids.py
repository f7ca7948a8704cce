"""Request ids: every response carries one (the proxy's when well-formed), and log lines of the request name it."""

import logging

import pytest

from core.logs import RequestIdFilter, current_request_id


@pytest.mark.django_db
def test_a_request_id_is_made_or_taken_from_the_proxy(client):
    made = client.get("/healthz")
    assert len(made["X-Request-ID"]) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123.x")["X-Request-ID"] == "abc-123.x"
    # Anything else (a log-injection attempt, an overlong value) is replaced, never echoed.
    for bad in ("a b\nFORGED line", "x" * 65):
        assert client.get("/healthz", HTTP_X_REQUEST_ID=bad)["X-Request-ID"] != bad
    assert current_request_id() == "-"


def test_log_records_carry_the_request_id_outside_a_request_too():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "text", (), None)
    assert RequestIdFilter().filter(record) and record.request_id == "-"
