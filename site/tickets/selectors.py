"""Reads of the tickets app that span models: threads, billable work for billing, the SLA report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from tickets.choices import TicketStatus
from tickets.models import Attachment, Message, PartUsed, Ticket, TimeEntry


def ticket_thread(ticket: Ticket, *, include_internal: bool):
    """The ticket's messages in order with authors and attachments; internal notes only when asked (staff)."""
    messages = Message.objects.filter(ticket=ticket).select_related("author")
    if not include_internal:
        messages = messages.public()
    return messages.prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))).order_by(
        "created", "pk"
    )


def _period_bounds(period: tuple[date, date]) -> tuple[date, date]:
    start, end = period
    if end < start:
        raise ValueError("A period ends on or after its start.")
    return start, end


def unbilled_time_entries(company, period: tuple[date, date]):
    """Billable time on ``company``'s tickets worked from ``period[0]`` to ``period[1]`` (inclusive), not billed."""
    start, end = _period_bounds(period)
    return (
        TimeEntry.objects.filter(
            ticket__company=company, billable=True, billed_at__isnull=True, work_date__range=(start, end)
        )
        .select_related("ticket", "technician")
        .order_by("work_date", "pk")
    )


def unbilled_parts(company, period: tuple[date, date]):
    """Billable parts fitted on ``company``'s tickets in ``period`` (by the day they were recorded), not billed."""
    start, end = _period_bounds(period)
    tz = timezone.get_current_timezone()
    return (
        PartUsed.objects.filter(
            ticket__company=company,
            billable=True,
            billed_at__isnull=True,
            created__gte=datetime.combine(start, time.min, tz),
            created__lt=datetime.combine(end + timedelta(days=1), time.min, tz),
        )
        .select_related("ticket")
        .order_by("created", "pk")
    )


@dataclass(frozen=True)
class SlaReport:
    """How tickets opened in a period fared against their SLA targets."""

    start: date
    end: date
    opened: int
    with_sla: int
    first_response_met: int
    first_response_breached: int
    resolution_met: int
    resolution_breached: int
    still_open: int
    median_first_response_minutes: float | None
    by_priority: list[dict]

    @property
    def met_percent(self) -> float | None:
        decided = self.resolution_met + self.resolution_breached
        return round(100 * self.resolution_met / decided, 1) if decided else None


def sla_report(*, start: date, end: date, queue=None) -> SlaReport:
    """The SLA report for tickets opened from ``start`` to ``end`` inclusive (optionally one queue).

    First response is met when staff answered before it fell due; resolution is met when the ticket was
    resolved in time; the median first response is in business minutes (pauses excluded).
    """
    tz = timezone.get_current_timezone()
    tickets = Ticket.objects.filter(
        created__gte=datetime.combine(start, time.min, tz),
        created__lt=datetime.combine(end + timedelta(days=1), time.min, tz),
    )
    if queue is not None:
        tickets = tickets.filter(queue=queue)
    done = Q(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
    totals = tickets.aggregate(
        opened=Count("pk"),
        with_sla=Count("pk", filter=Q(sla_policy__isnull=False)),
        first_response_met=Count("pk", filter=Q(first_responded_at__isnull=False, first_response_breached=False)),
        first_response_breached=Count("pk", filter=Q(first_response_breached=True)),
        resolution_met=Count("pk", filter=done & Q(resolution_breached=False)),
        resolution_breached=Count("pk", filter=Q(resolution_breached=True)),
        still_open=Count("pk", filter=~done),
    )
    seconds = list(
        tickets.filter(first_response_seconds__isnull=False).values_list("first_response_seconds", flat=True)
    )
    by_priority = list(
        tickets.values("priority")
        .annotate(
            opened=Count("pk"),
            breached=Count("pk", filter=Q(first_response_breached=True) | Q(resolution_breached=True)),
        )
        .order_by("priority")
    )
    return SlaReport(
        start=start,
        end=end,
        median_first_response_minutes=round(median(seconds) / 60, 1) if seconds else None,
        by_priority=by_priority,
        **totals,
    )


def dashboard_cards(request) -> list[dict]:
    """Admin dashboard figures: open tickets, unassigned, breached."""
    from django.urls import reverse

    if not request.user.has_perm("tickets.view_ticket"):
        return []
    counts = Ticket.objects.open().aggregate(
        open=Count("pk"),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        breached=Count("pk", filter=Q(first_response_breached=True) | Q(resolution_breached=True)),
        mine=Count("pk", filter=Q(assignee=request.user)),
    )
    return [
        {
            "title": "Open tickets",
            "value": counts["open"],
            "link": reverse("admin:tickets_ticket_changelist") + "?view=open",
            "footer": f"{counts['unassigned']} unassigned · {counts['breached']} breached · {counts['mine']} yours",
        }
    ]
