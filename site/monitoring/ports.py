"""Which network ports are a customer's: the one tenancy path of interfaces for the portal, API, graphs, notices.

A company sees the traffic of every interface that carries its services:

* the ports of its own devices (``Interface.device.company``);
* the provider's switch ports its current services are delivered on (``catalog.Service.interfaces``, for
  services not cancelled or terminated);
* the provider's switch ports cabled to its devices (a connected ``dcim.Cable`` whose other end is on one of
  the company's devices, and whose own end is on a datacenter device, i.e. one without a customer).

Another customer's port is never in the set: a switch port reaches a company only through one of those links.
:func:`register_scopes` hands these rules to ``core.tenancy`` so ``for_user(Interface, ...)`` (and the
interface states and events that hang off a port) apply them everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db.models import Q

# A service still delivered on its ports (cancelled and terminated ones hand the port back).
DELIVERED_STATUSES = ("pending", "provisioning", "active", "suspended", "cancellation_requested")


def _ids(company_ids: Iterable[int]) -> list[int]:
    return [int(getattr(company, "pk", company)) for company in company_ids]


def service_port_ids(company_ids: Iterable[int]):
    """Subquery: interface ids the companies' current services are delivered on."""
    service_model = apps.get_model("catalog", "Service")
    return service_model.interfaces.through.objects.filter(
        service__company_id__in=_ids(company_ids), service__status__in=DELIVERED_STATUSES
    ).values("interface_id")


def cabled_port_ids(company_ids: Iterable[int]) -> tuple:
    """Two subqueries: provider ports at the A end and at the B end of cables to the companies' devices."""
    cable_model = apps.get_model("dcim", "Cable")
    ids = _ids(company_ids)
    connected = cable_model.objects.filter(status="connected")
    a_ends = connected.filter(b_interface__device__company_id__in=ids, a_interface__device__company__isnull=True)
    b_ends = connected.filter(a_interface__device__company_id__in=ids, b_interface__device__company__isnull=True)
    return a_ends.values("a_interface_id"), b_ends.values("b_interface_id")


def customer_interface_q(company_ids: Iterable[int], *, prefix: str = "") -> Q:
    """A ``Q`` on Interface (or on a model reaching it through ``prefix``, e.g. ``"interface__"``) that keeps
    exactly the ports the companies may see (see the module)."""
    ids = _ids(company_ids)
    a_ends, b_ends = cabled_port_ids(ids)
    pk = f"{prefix}pk" if prefix else "pk"
    return (
        Q(**{f"{prefix}device__company_id__in": ids})
        | Q(**{f"{pk}__in": service_port_ids(ids)})
        | Q(**{f"{pk}__in": a_ends})
        | Q(**{f"{pk}__in": b_ends})
    )


def company_interfaces(company):
    """The interfaces ``company`` may see (a queryset, no duplicates), ordered by device and name."""
    interface_model = apps.get_model("dcim", "Interface")
    return interface_model.objects.filter(customer_interface_q([company])).order_by("device__name", "name")


def _event_q(company_ids: list[int]) -> Q:
    """Events of the companies' devices, and those of ports they may see."""
    return Q(device__company_id__in=company_ids) | (
        Q(interface__isnull=False) & customer_interface_q(company_ids, prefix="interface__")
    )


def register_scopes() -> None:
    """Make ``core.tenancy.for_user`` follow these rules for interfaces, their states and their events."""
    from core.tenancy import register_tenancy_scope
    from dcim.models import Interface
    from monitoring.models import InterfaceState, MonitoringEvent

    register_tenancy_scope(Interface, customer_interface_q)
    register_tenancy_scope(InterfaceState, lambda ids: customer_interface_q(ids, prefix="interface__"))
    register_tenancy_scope(MonitoringEvent, _event_q)


def port_companies(interface_ids: Iterable[int]) -> dict[int, int]:
    """The company each port is for: its device's customer, else the customer whose device is cabled to it
    (provider ports only). Ports with neither are absent. Three queries."""
    interface_model = apps.get_model("dcim", "Interface")
    cable_model = apps.get_model("dcim", "Cable")
    ids = [int(pk) for pk in interface_ids]
    companies = {
        pk: company_id
        for pk, company_id in interface_model.objects.filter(pk__in=ids, device__company__isnull=False).values_list(
            "pk", "device__company_id"
        )
    }
    connected = cable_model.objects.filter(status="connected")
    a_ends = connected.filter(a_interface_id__in=ids, a_interface__device__company__isnull=True).values_list(
        "a_interface_id", "b_interface__device__company_id"
    )
    b_ends = connected.filter(b_interface_id__in=ids, b_interface__device__company__isnull=True).values_list(
        "b_interface_id", "a_interface__device__company_id"
    )
    for port, company_id in [*a_ends, *b_ends]:
        if company_id and port not in companies:
            companies[port] = company_id
    return companies
