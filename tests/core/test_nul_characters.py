"""A NUL character in the query string or path is a 400, never a 500 (PostgreSQL text cannot hold it)."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/api/ipam/search/?q=10.0.0.1%00", "/api/ipam/search/?x%00=1", "/portal/?q=%00", "/no-such-page%00/"],
)
def test_nul_characters_are_refused_with_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert b"NUL" in response.content


@pytest.mark.django_db
def test_ordinary_query_strings_pass(client):
    assert client.get("/healthz?q=10.0.0.1").status_code == 200
