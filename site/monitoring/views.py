"""The permission-checked interface graphs (staff and the owning company); the NOC board is in noc_views."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core.tenancy import for_user
from dcim.models import Interface
from monitoring import graphs

GRAPH_CACHE_SECONDS = 60


def _graph_response(key: str, build) -> HttpResponse:
    minute = int(timezone.now().timestamp()) // GRAPH_CACHE_SECONDS
    key = f"{key}:{minute}"
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, GRAPH_CACHE_SECONDS)
    return body


@login_required
def service_graph(request, pk: int, period: str, fmt: str):
    """A bandwidth service's graph (its ports added up, with the commit); 404 unless the user may see it."""
    from catalog.models import Service
    from monitoring.overage import service_rrd_paths

    if period not in graphs.PERIODS or fmt not in ("png", "svg"):
        raise Http404
    service = get_object_or_404(for_user(Service, request.user).select_related("plan__product"), pk=pk)
    paths = [path for path in service_rrd_paths([service.pk]).get(service.pk, []) if path.exists()]
    if not paths:
        raise Http404("No traffic has been recorded for this service yet.")
    product = service.plan.product
    commit = int(product.commit_mbps * (service.quantity or 1)) if product.commit_mbps else None
    body = _graph_response(
        f"monitoring:service-graph:{service.pk}:{period}:{fmt}",
        lambda: graphs.render_graph(
            paths, title=f"{service} ({period})", period=period, image_format=fmt, commit_mbps=commit
        ),
    )
    response = HttpResponse(body, content_type=graphs.FORMATS[fmt])
    response["Cache-Control"] = f"private, max-age={GRAPH_CACHE_SECONDS}"
    return response


@staff_member_required
def bandwidth_report_csv(request, period: str):
    """The month-end overage report of ``period`` (YYYY-MM) as CSV, for billing and NOC staff."""
    from datetime import date

    from monitoring.overage import report_csv

    if not (
        request.user.has_perm("monitoring.view_bandwidthusage")
        or request.user.has_perm("monitoring.view_bandwidthreport")
    ):
        raise Http404
    try:
        year, month = (int(part) for part in period.split("-"))
        period_start = date(year, month, 1)
    except ValueError as error:
        raise Http404("Give the month as YYYY-MM.") from error
    response = HttpResponse(report_csv(period_start=period_start), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bandwidth-overage-{period_start:%Y-%m}.csv"'
    return response


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


@staff_member_required
def staff_bandwidth(request, kind: str, pk: int):
    """Staff: the traffic of a device (its ports and the switch ports cabled to it), a port, or a service (its
    ports added up), with every period's graph and the service's billing periods: what the customer sees."""
    from django.contrib import admin
    from django.urls import reverse

    from catalog.models import Service
    from dcim.models import Device
    from monitoring.models import BandwidthUsage

    if not request.user.has_perm("monitoring.view_interfacestate"):
        raise Http404
    title, ports, service_graphs, usages = "", [], [], []
    if kind == "device":
        device = get_object_or_404(Device, pk=pk)
        title = str(device)
        peers = Interface.objects.filter(cable_as_a__b_interface__device=device) | Interface.objects.filter(
            cable_as_b__a_interface__device=device
        )
        ports = list(
            (Interface.objects.filter(device=device) | peers)
            .select_related("device")
            .distinct()
            .order_by("device__name", "name")
        )
    elif kind == "interface":
        interface = get_object_or_404(Interface.objects.select_related("device"), pk=pk)
        title, ports = str(interface), [interface]
    elif kind == "service":
        service = get_object_or_404(Service.objects.select_related("plan__product", "company"), pk=pk)
        title = f"{service} · {service.company}"
        ports = list(service.interfaces.select_related("device").order_by("device__name", "name"))
        service_graphs = [
            reverse("monitoring:service_graph", args=[service.pk, period, "png"]) for period in graphs.PERIODS
        ]
        usages = list(BandwidthUsage.objects.filter(service=service).order_by("-period_start")[:12])
    else:
        raise Http404
    rows = []
    for port in ports:
        if graphs.interface_rrd(port).exists():
            rows.append(
                {
                    "interface": port,
                    "graphs": [
                        reverse("monitoring:interface_graph", args=[port.pk, period, "png"])
                        for period in graphs.PERIODS
                    ],
                }
            )
    context = {
        **admin.site.each_context(request),
        "title": title,
        "rows": rows,
        "ports": ports,
        "service_graphs": service_graphs,
        "usages": usages,
    }
    return render(request, "monitoring/bandwidth_staff.html", context)
