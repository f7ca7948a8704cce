"""The NOC board (staff) and the permission-checked interface graphs (staff and the owning company)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core.tenancy import for_user
from dcim.models import Interface
from monitoring import graphs
from monitoring.models import DeviceHealth, InterfaceState, MonitoringEvent

GRAPH_CACHE_SECONDS = 60


@staff_member_required
def noc_board(request):
    """Live board: what is down now, the latest events, and a WebSocket feed that alarms on new downs."""
    down_interfaces = (
        InterfaceState.objects.filter(oper_status__in=["down", "lowerLayerDown"], interface__enabled=True)
        .select_related("interface__device")
        .order_by("-status_changed_at")[:200]
    )
    context = {
        "down_interfaces": down_interfaces,
        "unreachable": DeviceHealth.objects.filter(reachable=False).select_related("device")[:200],
        "events": MonitoringEvent.objects.select_related("device", "interface")[:50],
    }
    return render(request, "monitoring/noc.html", context)


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
