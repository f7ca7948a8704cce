"""Writes of service monitoring's configuration: checks, maintenance windows and monitoring contacts.

Keyword-only, atomic, ``full_clean``ed; the spec-named services of the contract in coord/NOTES.md
(``check_create(**fields)``, ``check_update(check=..., **fields)``, ``check_delete(check=...)`` and the same
for contacts and windows). A customer (``actor`` who is not staff) may only aim checks at what the company
holds and only as many as its monitoring services allow (``check_limit``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from monitoring.check_models import Check, MaintenanceWindow, MonitoringContact
from monitoring.choices import CheckState

# What a check is made of, in the order forms and the API show it; CHECK_FIELDS for membership tests.
CHECK_EDITABLE = (
    "name",
    "kind",
    "device",
    "ip_address",
    "host",
    "port",
    "path",
    "expected_status",
    "keyword",
    "verify_tls",
    "cert_warning_days",
    "dns_name",
    "dns_record_type",
    "dns_expected",
    "interval_seconds",
    "timeout_seconds",
    "retries",
    "down_after",
    "paused",
)
CHECK_FIELDS = frozenset(CHECK_EDITABLE)
CONTACT_FIELDS = {
    "name",
    "email",
    "phone",
    "notify_down",
    "notify_up",
    "notify_bandwidth",
    "notify_maintenance",
    "quiet_hours_start",
    "quiet_hours_end",
    "time_zone",
    "is_active",
}
# Customers may not check more often than this (staff may, down to the model's 10 s).
CUSTOMER_MIN_INTERVAL = 30


def _is_customer(actor) -> bool:
    return actor is not None and not getattr(actor, "is_staff", False)


def check_limit(*, company) -> int:
    """How many checks ``company`` may have: those included with every account plus those its monitoring
    services in force add (``MONITORING_CHECKS_INCLUDED`` + ``MONITORING_CHECKS_PER_SERVICE`` per unit of a
    managed monitoring service)."""
    from django.apps import apps

    from monitoring.selectors import COMMITTING_STATUSES

    service_model = apps.get_model("catalog", "Service")
    units = 0
    for quantity in service_model.objects.filter(
        company=company,
        status__in=COMMITTING_STATUSES,
        plan__product__kind="managed_service",
        plan__product__managed_service_kind="monitoring",
    ).values_list("quantity", flat=True):
        units += int(quantity or 1)
    return settings.MONITORING_CHECKS_INCLUDED + units * settings.MONITORING_CHECKS_PER_SERVICE


def _host_held(*, company, host: str) -> bool:
    """Whether ``host`` is something the company holds: the address or DNS name of one of its IP addresses,
    or the management address of one of its devices."""
    from dcim.models import Device
    from ipam.models import IPAddress

    host = host.strip().lower().rstrip(".")
    if IPAddress.objects.filter(company=company).filter(address=host).exists():
        return True
    if IPAddress.objects.filter(company=company, dns_name__iexact=host).exists():
        return True
    return Device.objects.filter(company=company, management_ip=host).exists() if _looks_like_ip(host) else False


def _looks_like_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _validate_for_actor(check: Check, *, actor, creating: bool, host_changed: bool = True) -> None:
    if not _is_customer(actor):
        return
    errors = {}
    if check.host and host_changed and not _host_held(company=check.company, host=check.host):
        errors["host"] = gettext(
            "%(host)s is not one of your addresses: use the IP address or DNS name of something you hold."
        ) % {"host": check.host}
    if check.interval_seconds is not None and check.interval_seconds < CUSTOMER_MIN_INTERVAL:
        errors["interval_seconds"] = gettext("Check at most every %(seconds)s seconds.") % {
            "seconds": CUSTOMER_MIN_INTERVAL
        }
    if creating:
        limit = check_limit(company=check.company)
        if Check.objects.filter(company=check.company).count() >= limit:
            errors["__all__"] = gettext(
                "%(company)s may have %(limit)s checks; remove one or order more monitoring to add another."
            ) % {"company": check.company, "limit": limit}
    if errors:
        raise ValidationError(errors)


def _unknown_fields(fields: dict, allowed: set[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError(gettext("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})


@transaction.atomic
def check_create(*, company, actor=None, **fields) -> Check:
    """Create a check on ``company``'s device, IP address or host; paused checks start ``paused``."""
    _unknown_fields(fields, CHECK_FIELDS)
    check = Check(company=company, **fields)
    check.state = CheckState.PAUSED if check.paused else CheckState.UNKNOWN
    check.state_changed_at = timezone.now()
    check.full_clean()
    _validate_for_actor(check, actor=actor, creating=True)
    check.save()
    return check


@transaction.atomic
def check_update(*, check: Check, actor=None, **fields) -> Check:
    """Change a check's settings; pausing (or resuming) changes its state at once, closing no incident.

    A changed target or kind starts the check afresh (state unknown, failures forgotten).
    """
    _unknown_fields(fields, CHECK_FIELDS | {"company"})
    if "company" in fields and fields["company"] != check.company and _is_customer(actor):
        raise ValidationError(gettext("A check cannot move to another company."))
    before = {name: getattr(check, name) for name in ("kind", "device_id", "ip_address_id", "host", "port", "paused")}
    for name, value in fields.items():
        setattr(check, name, value)
    check.full_clean()
    _validate_for_actor(check, actor=actor, creating=False, host_changed=before["host"] != check.host)
    now = timezone.now()
    retargeted = any(before[name] != getattr(check, name) for name in ("kind", "device_id", "ip_address_id", "host"))
    if check.paused and check.state != CheckState.PAUSED:
        check.state, check.state_changed_at = CheckState.PAUSED, now
    elif (not check.paused and before["paused"]) or retargeted or before["port"] != check.port:
        check.state, check.state_changed_at = CheckState.UNKNOWN, now
        check.consecutive_failures = 0
    check.save()
    if check.state != CheckState.DOWN:
        from monitoring.incidents import incident_close_for

        incident_close_for(service_check=check, reason=gettext("the check was changed"))
    return check


@transaction.atomic
def check_pause(*, check: Check, paused: bool = True, actor=None) -> Check:
    """Pause or resume a check."""
    return check_update(check=check, paused=paused, actor=actor)


@transaction.atomic
def check_delete(*, check: Check, actor=None) -> None:
    """Remove a check with its history (incidents, windows)."""
    check.delete()


# Maintenance windows --------------------------------------------------------------------------------


@transaction.atomic
def maintenance_window_create(
    *, service_check: Check, starts_at, ends_at, reason: str = "", actor=None
) -> MaintenanceWindow:
    """Plan a maintenance window; contacts who want maintenance notices are told after the commit."""
    window = MaintenanceWindow(
        service_check=service_check,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    window.full_clean()
    window.save()
    from monitoring.alerts import maintenance_notify

    transaction.on_commit(lambda: maintenance_notify(window_id=window.pk))
    return window


@transaction.atomic
def maintenance_window_update(*, maintenancewindow: MaintenanceWindow, actor=None, **fields) -> MaintenanceWindow:
    """Move or re-word a maintenance window."""
    _unknown_fields(fields, {"starts_at", "ends_at", "reason", "service_check"})
    for name, value in fields.items():
        setattr(maintenancewindow, name, value)
    maintenancewindow.full_clean()
    maintenancewindow.save()
    return maintenancewindow


@transaction.atomic
def maintenance_window_delete(*, maintenancewindow: MaintenanceWindow, actor=None) -> None:
    """Cancel a maintenance window."""
    maintenancewindow.delete()


# Contacts -------------------------------------------------------------------------------------------


@transaction.atomic
def contact_create(*, company, actor=None, **fields) -> MonitoringContact:
    """Add a monitoring contact to ``company``."""
    _unknown_fields(fields, CONTACT_FIELDS)
    contact = MonitoringContact(company=company, **fields)
    contact.email = (contact.email or "").strip().lower()
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, monitoringcontact: MonitoringContact, actor=None, **fields) -> MonitoringContact:
    """Change a contact (its company stays)."""
    _unknown_fields(fields, CONTACT_FIELDS)
    for name, value in fields.items():
        setattr(monitoringcontact, name, value)
    monitoringcontact.email = (monitoringcontact.email or "").strip().lower()
    monitoringcontact.full_clean()
    monitoringcontact.save()
    return monitoringcontact


@transaction.atomic
def contact_delete(*, monitoringcontact: MonitoringContact, actor=None) -> None:
    """Remove a contact."""
    monitoringcontact.delete()
