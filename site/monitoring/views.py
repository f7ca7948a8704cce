"""The permission-checked interface graphs (staff and the owning company); the NOC board is in noc_views."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.tenancy import for_user
from dcim.models import Interface
from monitoring import graphs

GRAPH_CACHE_SECONDS = 60


@login_required
def interface_graph(request, pk: int, period: str, fmt: str):
    """An interface's graph (png/svg) or data (json) for day/week/month/year; 404 unless the user may see it."""
    if period not in graphs.PERIODS or fmt not in graphs.FORMATS:
        raise Http404
    interface = get_object_or_404(for_user(Interface, request.user).select_related("device"), pk=pk)
    path = graphs.interface_rrd(interface)
    if not path.exists():
        raise Http404("No traffic has been recorded for this interface yet.")
    minute = int(timezone.now().timestamp()) // GRAPH_CACHE_SECONDS
    key = f"monitoring:graph:{interface.pk}:{period}:{fmt}:{minute}"
    body = cache.get(key)
    if body is None:
        if fmt == "json":
            body = graphs.export_json(path, period=period)
        else:
            title = f"{interface.device.name} {interface.name} ({period})"
            body = graphs.render_graph(path, title=title, period=period, image_format=fmt)
        cache.set(key, body, GRAPH_CACHE_SECONDS)
    response = HttpResponse(body, content_type=graphs.FORMATS[fmt])
    response["Cache-Control"] = f"private, max-age={GRAPH_CACHE_SECONDS}"
    return response
