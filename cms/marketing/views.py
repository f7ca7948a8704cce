"""robots.txt: crawlers may read the public site, not the staff areas, the portal or the API."""

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

PRIVATE_PATHS = ("/admin/", "/cms/", "/portal/", "/accounts/", "/api/", "/noc/", "/documents/")


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS), ""]
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
