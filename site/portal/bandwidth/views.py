"""Portal views of the customer's interface traffic: latest rates and the graphs served by ``/noc/graphs/``."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from core.tenancy import for_user
from dcim.models import Interface
from monitoring import graphs
from monitoring.selectors import interface_commits_mbps
from portal.views import member_required


def _interfaces(request, membership):
    """The company's interfaces the collectors report on (those with a monitoring state)."""
    return (
        for_user(Interface, request.user, company=membership.company, staff_scope=False)
        .filter(monitoring_state__isnull=False)
        .select_related("device", "monitoring_state")
        .order_by("device__name", "name")
    )


def _graph_url(interface, period: str) -> str:
    return reverse("monitoring:interface_graph", args=[interface.pk, period, "png"])


@member_required()
def bandwidth(request, membership):
    rows = []
    for interface in _interfaces(request, membership):
        has_data = graphs.interface_rrd(interface).exists()
        rows.append(
            {
                "interface": interface,
                "state": interface.monitoring_state,
                "graph_url": _graph_url(interface, "day") if has_data else "",
            }
        )
    return render(request, "portal/bandwidth/list.html", {"rows": rows})


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
            {
                "period": period,
                "graph_url": _graph_url(interface, period) if has_data else "",
                "p95_mbps": None if p95 is None else round(p95 / 1e6, 2),
            }
        )
    state = interface.monitoring_state
    context = {
        "interface": interface,
        "state": state,
        "commit_mbps": state.commit_with(interface_commits_mbps(interface_ids=[interface.pk])),
        "has_data": has_data,
        "periods": periods,
    }
    return render(request, "portal/bandwidth/interface_detail.html", context)
