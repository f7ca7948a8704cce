"""Every write of the DCIM app: placement, reservations, cables, power allocation, secrets, resale.

Each function is keyword-only and atomic; it locks the rows whose invariants it checks, so two people
placing into the same units cannot both succeed. Errors name what collides with what, in the user's terms.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dcim.choices import CUSTOMER_REVEALABLE_SECRETS, DeviceStatus, Ownership, RackFace, SecretField
from dcim.models import (
    Cable,
    Device,
    DeviceType,
    Interface,
    PowerCircuit,
    PowerOutlet,
    Rack,
    RackReservation,
    SecretReveal,
    ServerWelcome,
    unit_range_text,
)

SECRET_REVEAL_PERMISSION = "dcim.reveal_device_secret"


def _units_text(units) -> str:
    units = sorted(units)
    return unit_range_text(units[0], units[-1])


# --- devices ---------------------------------------------------------------------------------------------


@transaction.atomic
def device_create(
    *,
    name: str,
    device_type: DeviceType,
    company=None,
    ownership: str | None = None,
    role: str | None = None,
    status: str = DeviceStatus.INVENTORY,
    create_interfaces: bool = True,
    **fields,
) -> Device:
    """Create a device (unracked) with the interfaces of its type's template."""
    device = Device(
        name=name.strip(),
        device_type=device_type,
        company=company,
        ownership=ownership or (Ownership.CUSTOMER if company is not None else Ownership.DATACENTER),
        role=role or device_type.default_role,
        status=status,
        **fields,
    )
    device.full_clean()
    device.save()
    if create_interfaces:
        for item in device_type.interface_template:
            interface = Interface(
                device=device,
                name=item["name"],
                type=item.get("type") or Interface._meta.get_field("type").default,
                speed=item.get("speed"),
                mgmt_only=bool(item.get("mgmt_only", False)),
            )
            interface.full_clean()
            interface.save()
    return device


def _placement_conflicts(*, device: Device, rack: Rack, position: int, face: str) -> list[str]:
    """What stands in the way of ``device`` at ``position``: devices and other customers' reservations."""
    problems = []
    height = max(device.device_type.u_height, 1)
    wanted = set(range(position, position + height))
    wanted_faces = {RackFace.FRONT, RackFace.REAR} if device.device_type.is_full_depth else {face}
    if device.device_type.u_height == 0:
        return problems
    others = (
        rack.devices.filter(position__isnull=False)
        .exclude(pk=device.pk)
        .select_related("device_type", "company")
        .order_by("position")
    )
    for other in others:
        overlap = wanted & set(other.units)
        if overlap and wanted_faces & other.faces:
            problems.append(
                _("%(units)s of rack %(rack)s are taken by %(other)s (%(other_units)s, %(owner)s).")
                % {
                    "units": _units_text(overlap),
                    "rack": rack,
                    "other": other,
                    "other_units": other.unit_range,
                    "owner": other.owner_display,
                }
            )
    reservations = rack.reservations.filter(first_u__lte=max(wanted), last_u__gte=min(wanted)).select_related("company")
    for reservation in reservations:
        if device.company_id is not None and reservation.company_id == device.company_id:
            continue
        overlap = wanted & set(reservation.units)
        problems.append(
            _("%(units)s of rack %(rack)s are reserved for %(company)s.")
            % {"units": _units_text(overlap), "rack": rack, "company": reservation.company}
        )
    return problems


def device_placement_problems(*, device: Device, rack: Rack, position: int, face: str = RackFace.FRONT) -> list[str]:
    """Why ``device`` cannot go to ``position`` of ``rack`` (empty when it can); forms show these before saving."""
    height = max(device.device_type.u_height, 1)
    top = position + height - 1
    if position < 1 or top > rack.u_height:
        return [
            _("%(units)s is outside rack %(rack)s, which has units 1–%(height)d.")
            % {"units": unit_range_text(position, top), "rack": rack, "height": rack.u_height}
        ]
    if rack.company_id and rack.company_id != device.company_id:
        return [
            _("Rack %(rack)s belongs to %(owner)s; %(device)s is %(device_owner)s's.")
            % {
                "rack": rack,
                "owner": rack.company,
                "device": device,
                "device_owner": device.company or _("the datacenter"),
            }
        ]
    return _placement_conflicts(device=device, rack=rack, position=position, face=face)


@transaction.atomic
def device_place(*, device: Device, rack: Rack, position: int, face: str = RackFace.FRONT) -> Device:
    """Put ``device`` into ``rack`` with its lowest unit at ``position``.

    Refused when the units are outside the rack, occupied on the same face (full-depth devices take both
    faces), reserved for another customer, or the rack belongs to another customer.
    """
    rack = Rack.objects.select_for_update(of=("self",)).select_related("company").get(pk=rack.pk)
    # The rack's row lock serialises placements into it; the caller's device (with any unsaved edits from a
    # form) is what gets placed.
    problems = device_placement_problems(device=device, rack=rack, position=position, face=face)
    if problems:
        raise ValidationError(problems)
    device.rack = rack
    device.site = rack.site
    device.position = position
    device.face = face
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def device_unrack(*, device: Device) -> Device:
    """Take a device out of its rack (it stays at the site)."""
    device.rack = None
    device.position = None
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def device_assign(*, device: Device, company) -> Device:
    """Hand a datacenter-owned server to a customer (a rental): it leaves the stock count."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.company_id and device.company_id != company.pk:
        raise ValidationError(
            _("%(device)s is assigned to %(company)s; return it to stock first.")
            % {"device": device, "company": device.company}
        )
    if device.status in (DeviceStatus.FAULTY, DeviceStatus.DECOMMISSIONED):
        raise ValidationError(
            _("%(device)s is %(status)s and cannot be assigned.")
            % {"device": device, "status": device.get_status_display().lower()}
        )
    device.company = company
    if device.status == DeviceStatus.INVENTORY:
        device.status = DeviceStatus.STAGED
    device.full_clean()
    device.save()
    return device


WIPE_CHECKLIST = {
    "disks_wiped": _("Disks securely wiped"),
    "bios_reset": _("BIOS and BMC settings reset"),
    "ipmi_password_rotated": _("IPMI password changed"),
    "customer_ips_removed": _("Customer IP addresses removed"),
}


@transaction.atomic
def server_return_to_stock(*, device: Device, checklist: dict[str, bool], new_ipmi_password: str = "") -> Device:
    """Resale: after a customer cancels, a rented server comes back into inventory once wiped.

    Every item of ``WIPE_CHECKLIST`` must be ticked. The root password is cleared; the history keeps who
    had the server and when.
    """
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.ownership != Ownership.DATACENTER:
        raise ValidationError(
            _("%(device)s belongs to its customer; only our own servers go back to stock.") % {"device": device}
        )
    missing = [str(label) for key, label in WIPE_CHECKLIST.items() if not checklist.get(key)]
    if missing:
        raise ValidationError(
            _("Before %(device)s goes back to stock: %(steps)s.")
            % {
                "device": device,
                "steps": ", ".join(missing),
            }
        )
    device.company = None
    device.status = DeviceStatus.INVENTORY
    device.root_password = ""
    device.welcome_email_sent_at = None
    if new_ipmi_password:
        device.ipmi_password = new_ipmi_password
    device._change_reason = "returned to stock after wipe"
    device.full_clean()
    device.save()
    return device


# --- reservations ----------------------------------------------------------------------------------------


@transaction.atomic
def rack_reserve(
    *, rack: Rack, company, first_u: int, last_u: int, reason: str = "", expires_on=None
) -> RackReservation:
    """Hold units ``first_u``..``last_u`` of ``rack`` for ``company``.

    Refused when the units overlap another reservation or hold another customer's (or the datacenter's)
    devices.
    """
    rack = Rack.objects.select_for_update().get(pk=rack.pk)
    if first_u < 1 or last_u > rack.u_height or last_u < first_u:
        raise ValidationError(
            _("%(units)s is outside rack %(rack)s, which has units 1–%(height)d.")
            % {"units": unit_range_text(first_u, last_u), "rack": rack, "height": rack.u_height}
        )
    wanted = set(range(first_u, last_u + 1))
    problems = []
    overlapping = rack.reservations.filter(first_u__lte=last_u, last_u__gte=first_u).select_related("company")
    for other in overlapping:
        problems.append(
            _("%(units)s of rack %(rack)s are already reserved for %(company)s.")
            % {"units": _units_text(wanted & set(other.units)), "rack": rack, "company": other.company}
        )
    for device in rack.devices.filter(position__isnull=False).select_related("device_type", "company"):
        overlap = wanted & set(device.units)
        if overlap and device.company_id != company.pk:
            problems.append(
                _("%(units)s of rack %(rack)s hold %(device)s (%(owner)s).")
                % {"units": _units_text(overlap), "rack": rack, "device": device, "owner": device.owner_display}
            )
    if problems:
        raise ValidationError(problems)
    reservation = RackReservation(
        rack=rack, company=company, first_u=first_u, last_u=last_u, reason=reason.strip(), expires_on=expires_on
    )
    reservation.full_clean()
    reservation.save()
    return reservation


@transaction.atomic
def rack_reservation_release(*, reservation: RackReservation) -> None:
    """Give reserved units back."""
    reservation.delete()


# --- cables ----------------------------------------------------------------------------------------------


def _existing_cable(interface: Interface) -> Cable | None:
    return (
        Cable.objects.filter(Q(a_interface=interface) | Q(b_interface=interface))
        .select_related("a_interface__device", "b_interface__device")
        .first()
    )


@transaction.atomic
def cable_connect(*, a: Interface, b: Interface, label: str = "", **fields) -> Cable:
    """Connect two interfaces; each end takes one cable, so a booked interface is refused with its peer."""
    a, b = (
        Interface.objects.select_for_update(of=("self",)).select_related("device").get(pk=pk) for pk in (a.pk, b.pk)
    )
    if a.pk == b.pk:
        raise ValidationError(_("A cable needs two different ends; both are %(interface)s.") % {"interface": a})
    problems = []
    for end in (a, b):
        cable = _existing_cable(end)
        if cable is not None:
            peer = cable.b_interface if cable.a_interface_id == end.pk else cable.a_interface
            problems.append(
                _("%(interface)s is already connected to %(peer)s (cable %(cable)s).")
                % {"interface": end, "peer": peer, "cable": cable}
            )
    if problems:
        raise ValidationError(problems)
    cable = Cable(a_interface=a, b_interface=b, label=label.strip(), **fields)
    cable.full_clean()
    cable.save()
    return cable


@transaction.atomic
def cable_disconnect(*, cable: Cable) -> None:
    """Remove a cable; both interfaces become free."""
    cable.delete()


# --- power -----------------------------------------------------------------------------------------------


@transaction.atomic
def power_circuit_allocate(*, circuit: PowerCircuit, company, kw: Decimal, rack: Rack | None = None) -> PowerCircuit:
    """Contract ``kw`` of ``circuit`` to ``company`` (feeding ``rack``).

    Refused when the circuit's usable capacity (80% of the breaker by default) or the rack's power budget
    would be exceeded, or when the circuit already serves another customer.
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


def circuit_connected_watts(circuit: PowerCircuit) -> int:
    """The typical draw of every device plugged into a PDU fed by ``circuit``."""
    return (
        PowerOutlet.objects.filter(pdu__power_circuit=circuit, device__isnull=False).aggregate(
            total=Sum("device__device_type__power_draw_watts")
        )["total"]
        or 0
    )


@transaction.atomic
def power_outlet_connect(*, outlet: PowerOutlet, device: Device) -> PowerOutlet:
    """Plug ``device`` into a PDU outlet; refused when the outlet is taken or the circuit would be overloaded."""
    outlet = (
        PowerOutlet.objects.select_for_update(of=("self",))
        .select_related("pdu__power_circuit", "device")
        .get(pk=outlet.pk)
    )
    if outlet.device_id and outlet.device_id != device.pk:
        raise ValidationError(
            _("Outlet %(outlet)s already powers %(device)s.") % {"outlet": outlet, "device": outlet.device}
        )
    circuit = outlet.pdu.power_circuit
    if circuit is not None:
        circuit = PowerCircuit.objects.select_for_update().get(pk=circuit.pk)
        watts = circuit_connected_watts(circuit) + device.device_type.power_draw_watts
        if Decimal(watts) / 1000 > circuit.capacity_kw:
            raise ValidationError(
                _("Circuit %(circuit)s can carry %(capacity)s kW; with %(device)s it would draw %(kw)s kW.")
                % {
                    "circuit": circuit,
                    "capacity": circuit.capacity_kw,
                    "device": device,
                    "kw": (Decimal(watts) / 1000).quantize(Decimal("0.01")),
                }
            )
    outlet.device = device
    outlet.full_clean()
    outlet.save()
    return outlet


# --- secrets ---------------------------------------------------------------------------------------------


def may_reveal_secret(*, device: Device, field: str, user) -> bool:
    """Permitted staff may reveal any secret; the owning customer's technical members root and IPMI passwords."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff:
        return user.has_perm(SECRET_REVEAL_PERMISSION)
    if field not in CUSTOMER_REVEALABLE_SECRETS or device.company_id is None:
        return False
    from accounts.services import membership_for

    membership = membership_for(user=user, company=device.company_id)
    return membership is not None and membership.can("technical")


@transaction.atomic
def device_secret_reveal(*, device: Device, field: str, user, ip_address: str | None = None) -> str:
    """The plain text of one of ``device``'s secrets, for a permitted user; every reveal is written to the audit.

    The audit is :class:`dcim.models.SecretReveal` (who, which secret, when, from where, as staff or customer),
    shown read-only in the admin.
    """
    if field not in SecretField.values:
        raise ValidationError(_("%(field)s is not a device secret.") % {"field": field})
    if not may_reveal_secret(device=device, field=field, user=user):
        raise PermissionDenied(
            _("You may not see the %(secret)s of %(device)s.")
            % {"secret": SecretField(field).label.lower(), "device": device}
        )
    SecretReveal.objects.create(
        device=device, field=field, user=user, ip_address=ip_address or None, as_customer=not user.is_staff
    )
    return getattr(device, field)


@transaction.atomic
def device_secret_set(*, device: Device, field: str, value: str) -> Device:
    """Store a new secret (encrypted at rest)."""
    if field not in SecretField.values:
        raise ValidationError(_("%(field)s is not a device secret.") % {"field": field})
    device = Device.objects.select_for_update().get(pk=device.pk)
    setattr(device, field, value)
    device._change_reason = f"{field} changed"
    device.save(update_fields=[field, "last_updated"])
    return device


# --- welcome e-mail --------------------------------------------------------------------------------------

WELCOME_ROLES = ("owner", "technical")


def server_welcome_recipients(*, device: Device) -> list[str]:
    """The e-mail addresses of the owning company's active owner and technical members, sorted."""
    from accounts.models import Membership

    if device.company_id is None:
        return []
    emails = (
        Membership.objects.active()
        .filter(company_id=device.company_id, role__in=WELCOME_ROLES, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


@transaction.atomic
def server_welcome_send(*, device: Device, actor, to: list[str] | None = None, base_url: str = "") -> ServerWelcome:
    """Send the welcome e-mail of a rented server (again, if asked) and keep a copy of what was sent.

    The e-mail goes after commit to ``to`` or, by default, to the owning company's owner and technical members.
    It carries the server's details and a link to the portal page where the passwords are revealed (audited):
    the passwords themselves are never put in an e-mail.
    """
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.company_id is None:
        raise ValidationError(
            _("%(device)s is assigned to no customer; assign it before sending the welcome e-mail.")
            % {"device": device}
        )
    recipients = sorted({address.strip() for address in to if address.strip()}) if to else []
    recipients = recipients or server_welcome_recipients(device=device)
    if not recipients:
        raise ValidationError(
            _("%(company)s has no owner or technical member with an e-mail address to welcome.")
            % {"company": device.company}
        )
    portal_link = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/") + reverse(
        "portal:device_detail", args=[device.pk]
    )
    context = {
        "device": device,
        "company": device.company,
        "interfaces": device.interfaces.filter(enabled=True).order_by("name"),
        "portal_link": portal_link,
    }
    body = render_to_string("dcim/email/server_welcome.txt", context)
    subject = _("Your server %(device)s is ready") % {"device": device}
    welcome = ServerWelcome.objects.create(
        device=device, sent_at=timezone.now(), sent_by=actor, recipients=recipients, body=body
    )
    device.welcome_email_sent_at = welcome.sent_at
    device._change_reason = "welcome e-mail sent"
    device.save(update_fields=["welcome_email_sent_at", "last_updated"])
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
    return welcome
