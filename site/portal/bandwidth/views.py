"""Portal Bandwidth pages: the customer's ports (``monitoring.ports``: own devices, switch ports cabled to them,
switch ports its services are delivered on), each service's ports added up, graphs with the 95th percentile and
the billing period's usage. Graphs are served by ``/noc/graphs/`` (same tenancy); ``bandwidth-refresh.js``
reloads graphs and current rates every minute (``bandwidth_rates`` JSON)."""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from catalog.models import Service
from core.tenancy import for_user
from core.units import bitrate
from dcim.models import Interface
from monitoring import graphs
from monitoring.models import BandwidthUsage, InterfaceState
from monitoring.overage import service_rrd_paths
from monitoring.selectors import interface_commits_mbps
from monitoring.usage import month_period
from portal.views import member_required


def _interfaces(request, membership):
    """The company's ports (the one tenancy path), with their latest state when the collectors report them."""
    return (
        for_user(Interface, request.user, company=membership.company, staff_scope=False)
        .select_related("device", "monitoring_state")
        .order_by("device__name", "name")
    )


def _services(request, membership):
    """The company's bandwidth services in force."""
    return (
        for_user(Service, request.user, company=membership.company, staff_scope=False)
        .filter(plan__product__kind="bandwidth")
        .exclude(status__in=["cancelled", "terminated"])
        .select_related("plan__product")
        .order_by("pk")
    )


def _graph_url(interface, period: str) -> str:
    return reverse("monitoring:interface_graph", args=[interface.pk, period, "png"])


def _state(interface):
    try:
        return interface.monitoring_state
    except InterfaceState.DoesNotExist:
        return None


@member_required()
def bandwidth(request, membership):
    interfaces = list(_interfaces(request, membership))
    ports = []
    for interface in interfaces:
        state = _state(interface)
        has_data = graphs.interface_rrd(interface).exists()
        if state is None and not has_data:
            continue  # a port nobody polls (a server NIC on an unmonitored device)
        ports.append(
            {"interface": interface, "state": state, "graph_url": _graph_url(interface, "day") if has_data else ""}
        )
    services = list(_services(request, membership))
    period_start, _period_end = month_period(timezone.localdate())
    usages = {
        usage.service_id: usage
        for usage in BandwidthUsage.objects.filter(service__in=services, period_start=period_start)
    }
    service_rows = [{"service": service, "usage": usages.get(service.pk)} for service in services]
    context = {"rows": ports, "services": service_rows, "period_start": period_start}
    return render(request, "portal/bandwidth/list.html", context)


@member_required()
def bandwidth_rates(request, membership):
    """Current in/out of the company's ports, for the page's refresh script."""
    rates = {}
    for interface in _interfaces(request, membership):
        state = _state(interface)
        if state is not None:
            rates[interface.pk] = {
                "in": bitrate(state.in_bps),
                "out": bitrate(state.out_bps),
                "link": state.oper_status or "—",
                "at": timezone.localtime(state.rates_at).strftime("%H:%M") if state.rates_at else "—",
            }
    return JsonResponse({"interfaces": rates})


@member_required()
def interface_detail(request, pk, membership):
    interface = _interfaces(request, membership).filter(pk=pk).first()
    if interface is None:
        raise Http404
    path = graphs.interface_rrd(interface)
    has_data = path.exists()
    periods = []
    for period in graphs.PERIODS:
        p95 = graphs.percentile_95(path, period=period) if has_data else None
        periods.append(
            {"period": period, "graph_url": _graph_url(interface, period) if has_data else "", "p95_bps": p95}
        )
    state = _state(interface)
    commits = interface_commits_mbps(interface_ids=[interface.pk])
    services = [service for service in _services(request, membership).filter(interfaces=interface)]
    context = {
        "interface": interface,
        "state": state,
        "commit_mbps": state.commit_with(commits) if state else commits.get(interface.pk),
        "has_data": has_data,
        "periods": periods,
        "services": services,
    }
    return render(request, "portal/bandwidth/interface_detail.html", context)


@member_required()
def service_detail(request, pk, membership):
    service = _services(request, membership).filter(pk=pk).first()
    if service is None:
        raise Http404
    ports = list(_interfaces(request, membership).filter(pk__in=service.interfaces.values("pk")))
    has_data = any(path.exists() for path in service_rrd_paths([service.pk]).get(service.pk, []))
    usages = list(BandwidthUsage.objects.filter(service=service).order_by("-period_start")[:12])
    product = service.plan.product
    context = {
        "service": service,
        "product": product,
        "commit_mbps": int(product.commit_mbps * (service.quantity or 1)) if product.commit_mbps else None,
        "ports": [{"interface": port, "state": _state(port)} for port in ports],
        "has_data": has_data,
        "graphs": [
            {"period": period, "url": reverse("monitoring:service_graph", args=[service.pk, period, "png"])}
            for period in graphs.PERIODS
        ]
        if has_data
        else [],
        "current": usages[0] if usages and usages[0].period_start == month_period(timezone.localdate())[0] else None,
        "usages": usages,
    }
    return render(request, "portal/bandwidth/service_detail.html", context)
