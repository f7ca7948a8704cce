"""The demo website's landing pages name the datacenter work offered where it applies."""

import pytest

from cms.marketing.demo import CAPABILITIES, load_website
from tests.cms.factories import home_page

pytestmark = pytest.mark.django_db

# Page → the capabilities it must name. Smart Hands, Remote Hands (as bigger jobs), plans and home name all;
# dedicated servers name what applies to a server we own (no fiber work on it).
EXPECTED = {
    "/": set(CAPABILITIES),
    "/smart-hands/": set(CAPABILITIES),
    "/remote-hands/": set(CAPABILITIES),
    "/plans/": set(CAPABILITIES),
    "/dedicated-servers/": {"rack_and_stack", "hardware", "cross_connects", "projects"},
}


def test_landing_pages_name_the_capabilities_they_offer(client):
    home_page()
    load_website()
    for path, keys in EXPECTED.items():
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        missing = [CAPABILITIES[key] for key in keys if CAPABILITIES[key] not in page]
        assert not missing, f"{path} does not name {missing}"
    assert CAPABILITIES["fiber"] not in client.get("/dedicated-servers/").content.decode()
