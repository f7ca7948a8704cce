"""The NOC board (NOC and Administrator roles), its refill and acknowledge endpoints, and check graphs."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.choices import StaffRole
from core.tenancy import for_user
from monitoring import check_graphs, check_selectors, graphs, incidents
from monitoring.check_models import Check, Incident
from monitoring.models import MonitoringEvent

BOARD_ROLES = (StaffRole.NOC, StaffRole.ADMINISTRATOR)
GRAPH_CACHE_SECONDS = 60
RECENT_EVENTS = 50


def may_use_board(user) -> bool:
    """NOC and Administrator staff (and superusers) only."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name__in=[str(role) for role in BOARD_ROLES]).exists()


def board_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="/admin/login/")
        if not may_use_board(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _recent_events() -> list[dict]:
    """The latest SNMP events and check incidents (opened, closed), newest first, in two queries."""
    rows = [
        {"at": event.occurred_at.isoformat(), "severity": event.severity, "message": event.message}
        for event in MonitoringEvent.objects.select_related("device", "interface")[:RECENT_EVENTS]
    ]
    for incident in Incident.objects.select_related("service_check", "company")[:RECENT_EVENTS]:
        name = f"{incident.service_check.name} ({incident.company.name})"
        rows.append(
            {
                "at": incident.opened_at.isoformat(),
                "severity": "critical",
                "message": f"{name} is down: {incident.cause}",
            }
        )
        if incident.closed_at:
            rows.append({"at": incident.closed_at.isoformat(), "severity": "info", "message": f"{name} is up again"})
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows[:RECENT_EVENTS]


@board_required
def noc_board(request):
    """The operations screen; the page's script refills it from ``noc_state`` and follows ``/ws/noc/``."""
    state = check_selectors.noc_problems()
    context = {**state, "events": _recent_events()}
    return render(request, "monitoring/noc.html", context)


@board_required
def noc_state(request):
    """What the board shows, as JSON: on load and after every reconnect."""
    return JsonResponse({**check_selectors.noc_problems(), "events": _recent_events()})


@board_required
@require_POST
def incident_acknowledge(request, pk: int):
    incident = get_object_or_404(Incident, pk=pk)
    try:
        incidents.incident_acknowledge(incident=incident, actor=request.user)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse(
        {"id": incident.pk, "acknowledged_by": str(request.user), "acknowledged_at": incident.acknowledged_at}
    )


def check_graph(request, pk: int, period: str, fmt: str):
    """A check's response-time graph (png/svg) for day/week/month/year; 404 unless the user may see it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if period not in graphs.PERIODS or fmt not in ("png", "svg"):
        raise Http404
    check = get_object_or_404(for_user(Check, request.user), pk=pk)
    path = check_graphs.check_rrd(check)
    if not path.exists():
        raise Http404("No results have been recorded for this check yet.")
    minute = int(timezone.now().timestamp()) // GRAPH_CACHE_SECONDS
    key = f"monitoring:check-graph:{check.pk}:{period}:{fmt}:{minute}"
    body = cache.get(key)
    if body is None:
        body = check_graphs.render_check_graph(path, title=f"{check.name} ({period})", period=period, image_format=fmt)
        cache.set(key, body, GRAPH_CACHE_SECONDS)
    response = HttpResponse(body, content_type=graphs.FORMATS[fmt])
    response["Cache-Control"] = f"private, max-age={GRAPH_CACHE_SECONDS}"
    return response
