"""Top-level URLs (ARCHITECTURE.md, "Interfaces that others rely on")."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from accounts.views import allauth_sign_in
from core.views import healthz

# Every sign-in form a library mounts leads to allauth's (rate limited, with its MFA stage): Wagtail's editor login
# and its front-end login for private pages. The admin site's own login redirects the same way (core.admin).
SIGN_IN_REDIRECTS = [
    path("cms/login/", allauth_sign_in, {"default_next": "/cms/"}, name="wagtailadmin_login"),
    path("_util/login/", allauth_sign_in, name="wagtailcore_login"),
]

urlpatterns = [
    *SIGN_IN_REDIRECTS,
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("core.api.urls")),
    path("portal/", include("portal.urls")),
    path("noc/", include("monitoring.urls")),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("", include("cms.marketing.urls")),  # robots.txt
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The Wagtail site serves everything else, so it comes last.
urlpatterns.append(path("", include(wagtail_urls)))
