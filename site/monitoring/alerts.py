"""E-mail alerts of service monitoring: to the company's chosen contacts and to the NOC.

Called after the transaction that opened or closed an incident commits (``incidents``). A company without
any monitoring contact is told through its owners and technical members, so nobody is left unaware.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.utils import timezone
from django.utils.timesince import timesince

from monitoring.check_models import Incident, MaintenanceWindow, MonitoringContact

log = logging.getLogger(__name__)


def contact_emails(*, company_id: int, alert_kind: str, at=None) -> list[str]:
    """The addresses of ``company_id`` that get an alert of ``alert_kind`` (down/up/bandwidth/maintenance)
    now: the contacts who chose it and are not in their quiet hours; without contacts, the owners and
    technical members. For the bandwidth alerts too."""
    contacts = list(MonitoringContact.objects.filter(company_id=company_id))
    if contacts:
        return sorted({contact.email for contact in contacts if contact.wants(alert_kind, at)})
    from accounts.choices import CompanyRole
    from accounts.models import Membership

    return sorted(
        set(
            Membership.objects.filter(
                company_id=company_id, is_active=True, role__in=[CompanyRole.OWNER, CompanyRole.TECHNICAL]
            ).values_list("user__email", flat=True)
        )
    )


def _site_url(path: str) -> str:
    return f"{getattr(settings, 'WAGTAILADMIN_BASE_URL', '').rstrip('/')}{path}"


def _incident_text(incident: Incident, alert_kind: str, *, for_staff: bool) -> tuple[str, str]:
    check = incident.service_check
    company = incident.company
    if alert_kind == "down":
        subject = f"[ServerStock] DOWN: {check.name} ({check.target_label})"
        lines = [
            f"{check.name} ({check.get_kind_display()} {check.target_label}) is down.",
            f"Cause: {incident.cause}",
            f"Since: {incident.opened_at:%Y-%m-%d %H:%M:%S} UTC",
        ]
    else:
        subject = f"[ServerStock] UP: {check.name} ({check.target_label})"
        lines = [
            f"{check.name} ({check.get_kind_display()} {check.target_label}) is up again.",
            f"It was down from {incident.opened_at:%Y-%m-%d %H:%M:%S} to {incident.closed_at:%H:%M:%S} UTC "
            f"({timesince(incident.opened_at, incident.closed_at)}).",
        ]
        if incident.flapping:
            lines.append("It went up and down several times; the alerts in between were held back.")
    if for_staff:
        subject += f" — {company.name}"
        lines += ["", f"Customer: {company.name} ({company.account_number})", f"Board: {_site_url('/noc/')}"]
    else:
        lines += ["", f"Your checks: {_site_url('/portal/monitoring/')}"]
    return subject, "\n".join(lines) + "\n"


def incident_notify(*, incident_id: int, alert_kind: str) -> int:
    """E-mail the down or recovery alert of an incident; returns how many messages were sent."""
    incident = (
        Incident.objects.select_related("service_check__device", "service_check__ip_address", "company")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        return 0
    messages = []
    subject, body = _incident_text(incident, alert_kind, for_staff=False)
    for address in contact_emails(company_id=incident.company_id, alert_kind=alert_kind):
        messages.append(EmailMessage(subject=subject, body=body, to=[address]))
    if settings.MONITORING_NOC_EMAIL:
        staff_subject, staff_body = _incident_text(incident, alert_kind, for_staff=True)
        messages.append(EmailMessage(subject=staff_subject, body=staff_body, to=[settings.MONITORING_NOC_EMAIL]))
    return _send(messages)


def maintenance_notify(*, window_id: int) -> int:
    """Tell the contacts who want maintenance notices about a planned window."""
    window = MaintenanceWindow.objects.select_related("service_check__company").filter(pk=window_id).first()
    if window is None or window.ends_at <= timezone.now():
        return 0
    check = window.service_check
    subject = f"[ServerStock] Maintenance: {check.name} {window.starts_at:%Y-%m-%d %H:%M} UTC"
    body = (
        f"Maintenance is planned for {check.name} ({check.target_label})\n"
        f"from {window.starts_at:%Y-%m-%d %H:%M} to {window.ends_at:%Y-%m-%d %H:%M} UTC.\n"
        + (f"Reason: {window.reason}\n" if window.reason else "")
        + "Failures during the window raise no alert.\n"
    )
    contacts = MonitoringContact.objects.filter(company_id=check.company_id)
    messages = [
        EmailMessage(subject=subject, body=body, to=[contact.email])
        for contact in contacts
        if contact.wants("maintenance")
    ]
    return _send(messages)


def _send(messages: list[EmailMessage]) -> int:
    if not messages:
        return 0
    try:
        return mailers.default.send_messages(messages) or 0
    except OSError:  # the mail server is away: the incident stands, the board still shows it
        log.exception("monitoring alert e-mail failed")
        return 0
