"""Portal views of the customer's datacenter footprint: thin, company-scoped through ``for_user``."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core.probes import exists_each
from core.tenancy import for_user
from dcim import selectors, services
from dcim.choices import CUSTOMER_REVEALABLE_SECRETS, RackFace, SecretField
from dcim.elevation import rack_elevation_svg
from dcim.models import CrossConnect, Device, PowerCircuit, Rack
from portal.views import member_required
from tickets.services import customer_may_write

# What the overview's power table shows of a circuit (other columns load on access, a query each).
CIRCUIT_COLUMNS = (
    "panel__name",
    "name",
    "feed",
    "rack__name",
    "amperage",
    "voltage",
    "phase",
    "allocated_kw",
    "usable_fraction",
)


def _scoped(model, request, membership):
    return for_user(model, request.user, company=membership.company, staff_scope=False)


@member_required("technical")
def network(request, membership):
    racks = _scoped(Rack, request, membership)
    cross_connects = _scoped(CrossConnect, request, membership)
    circuits = _scoped(PowerCircuit, request, membership)
    # Most customers have no racks, cross-connects or circuits of their own: one probe says which to read.
    found = exists_each({"racks": racks, "cross_connects": cross_connects, "circuits": circuits})
    context = {
        "racks": selectors.rack_table(racks) if found["racks"] else [],
        "devices": selectors.device_table(_scoped(Device, request, membership)),
        "cross_connects": selectors.cross_connect_table(cross_connects) if found["cross_connects"] else [],
        "circuits": (
            selectors.with_connected_draw(circuits.select_related("panel", "rack").only(*CIRCUIT_COLUMNS))
            if found["circuits"]
            else []
        ),
    }
    return render(request, "portal/network/overview.html", context)


@member_required("technical")
def rack_detail(request, pk, membership):
    rack = _scoped(Rack, request, membership).select_related("site", "room", "row", "company").filter(pk=pk).first()
    if rack is None:
        raise Http404
    devices = _scoped(Device, request, membership)
    visible_ids = set(devices.filter(rack=rack).values_list("pk", flat=True))

    def link(device):
        return reverse("portal:device_detail", args=[device.pk])

    context = {
        "rack": rack,
        "front": mark_safe(rack_elevation_svg(rack, face=RackFace.FRONT, visible_ids=visible_ids, link=link)),  # noqa: S308
        "rear": mark_safe(rack_elevation_svg(rack, face=RackFace.REAR, visible_ids=visible_ids, link=link)),  # noqa: S308
        "devices": devices.filter(rack=rack).select_related("device_type").order_by("-position"),
        "circuits": _scoped(PowerCircuit, request, membership)
        .filter(rack=rack)
        .select_related("panel")
        .with_connected_draw(),
    }
    return render(request, "portal/network/rack_detail.html", context)


def _device(request, membership, pk) -> Device:
    device = (
        _scoped(Device, request, membership)
        .select_related("device_type__manufacturer", "company", "rack", "site")
        .filter(pk=pk)
        .first()
    )
    if device is None:
        raise Http404
    return device


def _device_context(device, request, membership) -> dict:
    from portal.network.server import server_page_slots, server_related

    interfaces = list(device.interfaces.select_related("monitoring_state").order_by("name"))
    connections = selectors.interface_connections(interfaces=interfaces, company_id=membership.company_id)
    return {
        **server_related(user=request.user, company=membership.company, device=device, interfaces=interfaces),
        "slots": server_page_slots(),
        "can_open_ticket": customer_may_write(membership),
        "device": device,
        "interfaces": [(interface, connections[interface.pk]) for interface in interfaces],
        "power_ports": selectors.device_power_connections(device=device, company_id=membership.company_id),
        "revealable": [
            (value, label)
            for value, label in SecretField.choices
            if value in CUSTOMER_REVEALABLE_SECRETS and getattr(device, value)
        ],
    }


@member_required("technical")
def device_detail(request, pk, membership):
    device = _device(request, membership, pk)
    return render(request, "portal/network/device_detail.html", _device_context(device, request, membership))


@member_required("technical")
@require_POST
def device_reveal(request, pk, membership):
    device = _device(request, membership, pk)
    field = request.POST.get("field", "")
    if field not in CUSTOMER_REVEALABLE_SECRETS:
        raise Http404
    # A member without the technical capability never gets here; the service checks again and audits.
    value = services.device_secret_reveal(
        device=device, field=field, user=request.user, ip_address=request.META.get("REMOTE_ADDR")
    )
    context = {
        **_device_context(device, request, membership),
        "revealed": {"label": SecretField(field).label, "value": value},
    }
    return render(request, "portal/network/device_detail.html", context)
