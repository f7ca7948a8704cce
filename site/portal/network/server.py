"""What the customer's server page shows beside the hardware: its IP addresses, services, open tickets and
graphs, each in one or two queries; and the places other apps fill (power/console controls, sensor graphs).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse

from core.tenancy import for_user

# Templates other apps provide for the server page, included when they exist (context: ``device``,
# ``membership``, ``request``). The remote app (IPMI) adds power and console controls and sensor graphs.
SERVER_PAGE_SLOTS = {
    "controls": "remote/_server_controls.html",
    "sensors": "remote/_server_sensors.html",
}


def server_page_slots() -> dict[str, str]:
    """Slot name → template name, for the slots whose template exists."""
    found = {}
    for slot, name in SERVER_PAGE_SLOTS.items():
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        found[slot] = name
    return found


def server_related(*, user, company, device, interfaces) -> dict:
    """The server's services, the IP assignments on its ports or its services, its open tickets and the
    graphs of its monitored ports (``interfaces`` are the device's, already loaded)."""
    from catalog.models import Service
    from ipam.models import Assignment
    from monitoring import graphs
    from tickets.models import Ticket

    services = list(
        for_user(Service, user, company=company, staff_scope=False)
        .filter(devices=device)
        .select_related("plan__product")
        .order_by("pk")
    )
    service_ids = [service.pk for service in services]
    on_services = Q(service_type=ContentType.objects.get_for_model(Service), service_id__in=service_ids)
    assignments = list(
        for_user(Assignment, user, company=company, staff_scope=False)
        .current()
        .filter(Q(interface__device=device) | on_services if service_ids else Q(interface__device=device))
        .select_related("interface", "address", "prefix")
        .order_by("family", "start")
    )
    service_names = {service.pk: service for service in services}
    for assignment in assignments:
        assignment.held_for = service_names.get(assignment.service_id) if assignment.service_type_id else None
    tickets = list(
        for_user(Ticket, user, company=company, staff_scope=False)
        .open()
        .filter(Q(device=device) | Q(service_id__in=service_ids))
        .select_related("assignee")
        .order_by("-last_message_at", "-pk")[:20]
    )
    graph_rows = []
    for interface in interfaces:
        state = getattr(interface, "monitoring_state", None)
        if state is None:
            continue
        has_data = graphs.interface_rrd(interface).exists()
        graph_rows.append(
            {
                "interface": interface,
                "state": state,
                "graph_url": reverse("monitoring:interface_graph", args=[interface.pk, "day", "png"])
                if has_data
                else "",
            }
        )
    return {"services": services, "assignments": assignments, "tickets": tickets, "graphs": graph_rows}
