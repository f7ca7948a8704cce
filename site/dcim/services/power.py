"""Power: connected watts and budgets per circuit and rack, device power ports and outlets, circuit allocation."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from dcim.models import (
    Device,
    PowerCircuit,
    PowerOutlet,
    PowerPort,
    Rack,
)
from dcim.selectors import (
    _kw,
    power_connection_problems,
    power_draw_problems,
)

# --- power -----------------------------------------------------------------------------------------------


def _locked_circuit_of(outlet: PowerOutlet) -> None:
    """Lock the circuit and rack an outlet draws from, so two connections cannot both take the last watts."""
    circuit_id = outlet.pdu.power_circuit_id
    if circuit_id is not None:
        circuit = PowerCircuit.objects.select_for_update(of=("self",)).select_related("rack").get(pk=circuit_id)
        if circuit.rack_id is not None:
            Rack.objects.select_for_update().filter(pk=circuit.rack_id).first()
        outlet.pdu.power_circuit = circuit


def _locked_power_port(power_port: PowerPort) -> PowerPort:
    return PowerPort.objects.select_for_update(of=("self",)).select_related("device__company").get(pk=power_port.pk)


@transaction.atomic
def power_port_create(
    *,
    device: Device,
    name: str,
    type: str = "",  # noqa: A002 - the field's name
    maximum_draw_w: int | None = None,
    allocated_draw_w: int = 0,
) -> PowerPort:
    """Add a power port (a PSU inlet) to ``device``."""
    port = PowerPort(
        device=device,
        name=name.strip(),
        type=type,
        maximum_draw_w=maximum_draw_w,
        allocated_draw_w=allocated_draw_w,
    )
    port.full_clean()
    port.save()
    return port


@transaction.atomic
def power_port_update(*, power_port: PowerPort, **fields) -> PowerPort:
    """Change a power port; a plugged-in port's new allocated draw must fit its circuit, contract and rack."""
    power_port = _locked_power_port(power_port)
    for name, value in fields.items():
        setattr(power_port, name, value)
    power_port.full_clean()
    outlet = (
        PowerOutlet.objects.filter(power_port=power_port)
        .select_related("pdu__power_circuit__rack", "pdu__power_circuit__company")
        .first()
    )
    if outlet is not None:
        _locked_circuit_of(outlet)
        problems = power_draw_problems(power_port=power_port, outlet=outlet)
        if problems:
            raise ValidationError(problems)
    power_port.save()
    return power_port


@transaction.atomic
def power_port_connect(*, power_port: PowerPort, outlet: PowerOutlet) -> PowerOutlet:
    """Plug ``power_port`` into a PDU ``outlet``.

    Refused when the outlet powers another port, the port is plugged in elsewhere, or the draw would exceed
    the circuit's usable capacity, the customer's contracted kW on it, or the rack's power budget.
    """
    outlet = (
        PowerOutlet.objects.select_for_update(of=("self",))
        .select_related("pdu__power_circuit__rack", "pdu__power_circuit__company", "power_port__device")
        .get(pk=outlet.pk)
    )
    power_port = _locked_power_port(power_port)
    if outlet.power_port_id == power_port.pk:
        return outlet
    _locked_circuit_of(outlet)
    problems = power_connection_problems(power_port=power_port, outlet=outlet)
    if problems:
        raise ValidationError(problems)
    outlet.power_port = power_port
    outlet.full_clean()
    outlet.save()
    return outlet


@transaction.atomic
def power_port_disconnect(*, power_port: PowerPort) -> None:
    """Unplug ``power_port`` from its outlet (nothing happens when it is not plugged in)."""
    for outlet in PowerOutlet.objects.select_for_update().filter(power_port=power_port):
        outlet.power_port = None
        outlet.save()


@transaction.atomic
def power_circuit_allocate(*, circuit: PowerCircuit, company, kw: Decimal, rack: Rack | None = None) -> PowerCircuit:
    """Contract ``kw`` of ``circuit`` to ``company`` (feeding ``rack``).

    Refused when the circuit's usable capacity (80% of the breaker by default) or the rack's power budget
    would be exceeded, when the circuit already serves another customer, when less than the draw of the power
    ports already connected to it is asked for, or when another party's equipment draws from it.
    """
    circuit = (
        PowerCircuit.objects.select_for_update(of=("self",))
        .select_related("panel", "company", "rack")
        .get(pk=circuit.pk)
    )
    kw = Decimal(kw).quantize(Decimal("0.01"))
    rack = rack or circuit.rack
    if kw <= 0:
        raise ValidationError(_("Allocate a positive number of kW."))
    if circuit.company_id and circuit.company_id != company.pk:
        raise ValidationError(
            _("Circuit %(circuit)s is allocated to %(company)s; release it first.")
            % {"circuit": circuit, "company": circuit.company}
        )
    if kw > circuit.capacity_kw:
        raise ValidationError(
            _(
                "Circuit %(circuit)s can carry %(capacity)s kW (%(amps)s A usable of a %(breaker)d A breaker); "
                "%(kw)s kW is too much."
            )
            % {
                "circuit": circuit,
                "capacity": circuit.capacity_kw,
                "amps": circuit.usable_amps,
                "breaker": circuit.amperage,
                "kw": kw,
            }
        )
    connected = PowerPort.objects.filter(outlet__pdu__power_circuit=circuit)
    connected_kw = _kw(connected.aggregate(total=Sum("allocated_draw_w"))["total"])
    if kw < connected_kw:
        raise ValidationError(
            _("%(connected)s kW is connected to circuit %(circuit)s already; allocate at least that, not %(kw)s kW.")
            % {"connected": connected_kw, "circuit": circuit, "kw": kw}
        )
    foreign = connected.exclude(device__company=company).select_related("device__company").first()
    if foreign is not None:
        raise ValidationError(
            _("%(port)s of %(owner)s draws from circuit %(circuit)s; unplug it before allocating to %(company)s.")
            % {
                "port": foreign,
                "owner": foreign.device.company or _("the datacenter"),
                "circuit": circuit,
                "company": company,
            }
        )
    if rack is not None:
        rack = Rack.objects.select_for_update().get(pk=rack.pk)
        if rack.company_id and rack.company_id != company.pk:
            raise ValidationError(
                _("Rack %(rack)s belongs to %(owner)s, not %(company)s.")
                % {"rack": rack, "owner": rack.company, "company": company}
            )
        if rack.power_budget_kw is not None:
            others = PowerCircuit.objects.filter(rack=rack).exclude(pk=circuit.pk).aggregate(total=Sum("allocated_kw"))[
                "total"
            ] or Decimal("0")
            others = Decimal(others).quantize(Decimal("0.01"))
            if others + kw > rack.power_budget_kw:
                raise ValidationError(
                    _(
                        "Rack %(rack)s has a power budget of %(budget)s kW and %(others)s kW is allocated already: "
                        "%(kw)s kW more does not fit."
                    )
                    % {"rack": rack, "budget": rack.power_budget_kw, "others": others, "kw": kw}
                )
    circuit.company = company
    circuit.rack = rack
    circuit.allocated_kw = kw
    circuit.full_clean()
    circuit.save()
    return circuit


@transaction.atomic
def power_circuit_release(*, circuit: PowerCircuit) -> PowerCircuit:
    """Take a circuit's allocation back (the circuit stays wired to its rack)."""
    circuit.company = None
    circuit.allocated_kw = Decimal("0")
    circuit.full_clean()
    circuit.save()
    return circuit
