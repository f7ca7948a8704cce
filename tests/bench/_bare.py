"""The load benchmark's reference: a bare Django view (no middleware, no session, no template inheritance) that
renders the same table as the portal's invoice list (a company's invoices, newest first, 25 a page, counted for
the paginator), served by the same WSGI server from the same database.

``granian --interface wsgi tests.bench._bare:application`` with DJANGO_SETTINGS_MODULE=tests.bench._bare.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for _path in (str(ROOT / "site"), str(ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

if os.environ.get("DJANGO_SETTINGS_MODULE") == __name__:
    from serverstock.settings import *  # noqa: F403 - the product's settings, then no middleware

    # allauth refuses to start without its middleware (it does nothing for this view); nothing else.
    MIDDLEWARE = ["allauth.account.middleware.AccountMiddleware"]
    ROOT_URLCONF = __name__

    from django.core.paginator import Paginator
    from django.http import HttpResponse
    from django.urls import path

    TABLE = (
        "<table>{% for invoice in page %}<tr><td>{{ invoice.number }}</td><td>{{ invoice.issue_date }}</td>"
        "<td>{{ invoice.due_date }}</td><td>{{ invoice.get_status_display }}</td>"
        "<td>{{ invoice.total }} {{ invoice.currency }}</td></tr>{% endfor %}</table>"
        "<p>{{ page.number }} / {{ page.paginator.num_pages }}</p>"
    )

    def invoices(request):
        from django.template import engines

        from billing.models import Invoice

        company = int(request.GET["company"])
        page = Paginator(Invoice.objects.filter(company_id=company).order_by("-issue_date", "-pk"), 25).get_page(1)
        return HttpResponse(engines["django"].from_string(TABLE).render({"page": page}))

    urlpatterns = [path("invoices/", invoices)]

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
