"""Every page carries the Content-Security-Policy; scripts never get 'unsafe-inline' outside Wagtail's editor,
and a page's inline scripts carry that response's nonce."""

import re

import pytest

from tests.catalog.factories import plan

pytestmark = pytest.mark.django_db


def _script_src(response) -> list[str]:
    policy = response["Content-Security-Policy"]
    directive = next(part.strip() for part in policy.split(";") if part.strip().startswith("script-src"))
    return directive.split()[1:]


def test_portal_pages_allow_only_nonce_carrying_inline_scripts(alice, client_for):
    plan(monthly="10.00")
    client = client_for(alice)
    for path in ("/portal/", "/portal/services/order/", "/accounts/login/", "/api/docs/"):
        response = client.get(path, follow=True)
        sources = _script_src(response)
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, path
        # Django names the nonce in the header only when the page used it (an inline script).
        nonces = [source for source in sources if source.startswith("'nonce-")]
        assert len(nonces) <= 1, path
        for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode()):
            if "application/json" in tag or "application/ld+json" in tag:
                continue
            assert nonces and f'nonce="{nonces[0][7:-1]}"' in tag, (path, tag)


def test_staff_areas_widen_script_src_only_as_documented(superuser, client_for):
    client = client_for(superuser)
    admin_sources = _script_src(client.get("/admin/"))
    assert "'unsafe-eval'" in admin_sources and "'unsafe-inline'" not in admin_sources
    noc_sources = _script_src(client.get("/noc/"))
    assert "'unsafe-eval'" not in noc_sources and "'unsafe-inline'" not in noc_sources
    cms_sources = _script_src(client.get("/cms/"))
    assert "'unsafe-inline'" in cms_sources and not any(source.startswith("'nonce-") for source in cms_sources)
