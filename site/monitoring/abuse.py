"""Abuse reports: staff record a complaint against a company, one of its IP addresses or a service; the customer
sees it on the dashboard, acknowledges it and answers in a linked ticket.

Write services follow the spec contract (``create=abuse_report_create``, ``update=abuse_report_update``,
``delete=abuse_report_delete``); the customer's steps are :func:`abuse_report_acknowledge` and
:func:`abuse_report_answer`.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.bandwidth import deliver
from monitoring.choices import AbuseKind, AbuseStatus
from monitoring.models import AbuseReport

EDITABLE = ("kind", "summary", "details", "respond_by", "ip_address", "service", "status", "description", "comments")


def _company_of_address(address: str, when: datetime):
    from ipam.selectors import address_holder_at

    assignment = address_holder_at(address, when)
    return assignment.company if assignment is not None and assignment.company_id else None


def _customer_emails(company) -> list[str]:
    from accounts.choices import CompanyRole
    from accounts.models import Membership

    return list(
        Membership.objects.filter(
            company=company, is_active=True, role__in=[CompanyRole.OWNER, CompanyRole.TECHNICAL]
        ).values_list("user__email", flat=True)
    )


def abuse_report_company(*, company=None, service=None, ip_address: str | None = None, when: datetime | None = None):
    """Whom a report is against: ``company``, else the service's, else who held ``ip_address`` at ``when``.
    Raises ValidationError when nothing says, or when the service or address is another customer's."""
    when = when or timezone.now()
    if company is None and service is not None:
        company = service.company
    if company is None and ip_address:
        company = _company_of_address(ip_address, when)
        if company is None:
            message = _("No customer held %(ip)s then; choose the company.") % {"ip": ip_address}
            raise ValidationError({"ip_address": message})
    if company is None:
        raise ValidationError({"company": _("Say whom the report is against: a company, a service or an IP address.")})
    if service is not None and service.company_id != company.pk:
        raise ValidationError({"service": _("%(service)s belongs to another customer.") % {"service": service}})
    if ip_address:
        holder = _company_of_address(ip_address, when)
        if holder is not None and holder.pk != company.pk:
            raise ValidationError({"ip_address": _("%(ip)s is held by another customer.") % {"ip": ip_address}})
    return company


@transaction.atomic
def abuse_report_create(
    *,
    summary: str,
    company=None,
    service=None,
    ip_address: str | None = None,
    kind: str = AbuseKind.OTHER,
    details: str = "",
    reported_at: datetime | None = None,
    respond_by: date | None = None,
    actor=None,
    **extra,
) -> AbuseReport:
    """Record an abuse report. The company is the one given, else the service's, else whoever holds
    ``ip_address`` at ``reported_at`` (IPAM); a service or address of another company is refused."""
    reported_at = reported_at or timezone.now()
    company = abuse_report_company(company=company, service=service, ip_address=ip_address, when=reported_at)
    report = AbuseReport(
        company=company,
        service=service,
        ip_address=ip_address or None,
        kind=kind,
        summary=(summary or "").strip(),
        details=(details or "").strip(),
        reported_at=reported_at,
        respond_by=respond_by,
        created_by=actor if getattr(actor, "pk", None) else None,
        **{name: value for name, value in extra.items() if name in ("description", "comments")},
    )
    report.full_clean()
    report.save()
    recipients = _customer_emails(company)
    if recipients:
        subject = _("[ServerStock] Abuse report: %(summary)s") % {"summary": report.summary}
        body = _(
            "We received an abuse report about your services:\n\n%(summary)s\n%(details)s\n\n"
            "Please acknowledge it and answer in the portal (Dashboard)%(by)s."
        ) % {
            "summary": report.summary,
            "details": report.details,
            "by": _(" by %(day)s") % {"day": respond_by} if respond_by else "",
        }
        transaction.on_commit(lambda: deliver(EmailMessage(subject[:300], body, None, recipients)))
    return report


@transaction.atomic
def abuse_report_update(*, abusereport: AbuseReport, actor=None, **fields) -> AbuseReport:
    """Change what staff may change of a report (kind, text, answer-by date, service, IP, status)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    report = AbuseReport.objects.select_for_update().get(pk=abusereport.pk)
    for name, value in fields.items():
        setattr(report, name, value)
    if report.service_id and report.service.company_id != report.company_id:
        raise ValidationError({"service": _("The service belongs to another customer.")})
    if fields.get("status") == AbuseStatus.RESOLVED and report.resolved_at is None:
        report.resolved_at = timezone.now()
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def abuse_report_delete(*, abusereport: AbuseReport) -> None:
    """Remove a report recorded by mistake (its ticket stays)."""
    abusereport.delete()


def _require_member(user, report: AbuseReport) -> None:
    from accounts.models import Membership

    membership = Membership.objects.filter(user=user, company_id=report.company_id, is_active=True).first()
    if membership is None or not membership.can("technical"):
        raise PermissionDenied(_("Only the company's owners and technical members answer abuse reports."))


@transaction.atomic
def abuse_report_acknowledge(*, abuse_report: AbuseReport, user) -> AbuseReport:
    """The customer says they have seen the report and are on it."""
    _require_member(user, abuse_report)
    report = AbuseReport.objects.select_for_update().get(pk=abuse_report.pk)
    if report.status == AbuseStatus.RESOLVED:
        raise ValidationError(_("This report is resolved already."))
    if report.acknowledged_at is None:
        report.acknowledged_at = timezone.now()
        report.acknowledged_by = user
        report.status = AbuseStatus.ACKNOWLEDGED
        report.save(update_fields=["acknowledged_at", "acknowledged_by", "status", "last_updated"])
    return report


@transaction.atomic
def abuse_report_answer(*, abuse_report: AbuseReport, user, body: str):
    """The customer's answer: opens the report's ticket (abuse queue, linked) or replies in it; acknowledges."""
    from tickets.choices import TicketCategory
    from tickets.services import ticket_open, ticket_reply

    _require_member(user, abuse_report)
    if not (body or "").strip():
        raise ValidationError({"body": _("Write your answer first: what you found and what you did.")})
    report = abuse_report_acknowledge(abuse_report=abuse_report, user=user)
    if report.ticket_id:
        ticket_reply(ticket=report.ticket, author=user, body=body)
        return report.ticket
    ticket = ticket_open(
        company=report.company,
        requester=user,
        subject=(_("Abuse report: %(summary)s") % {"summary": report.summary})[:200],
        body=body,
        category=TicketCategory.ABUSE,
        service=report.service,
    )
    report.ticket = ticket
    report.save(update_fields=["ticket", "last_updated"])
    return ticket
