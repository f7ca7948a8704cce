"""Support tickets: queues, SLA policies and business calendars, tickets, messages, attachments, billable work.

Links: ``Ticket.device`` and ``Ticket.service`` point at the ``dcim.Device`` and ``catalog.Service``
concerned; both must belong to the ticket's company (checked in ``services.ticket_open``/``ticket_update``).
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Company
from core.models import Model, PrimaryModel, TimestampedModel
from tickets import sla
from tickets.choices import (
    DONE_STATUSES,
    PAUSED_STATUSES,
    MessageSource,
    SlaState,
    TicketCategory,
    TicketPriority,
    TicketStatus,
)
from tickets.querysets import MessageQuerySet, TicketQuerySet


class Queue(PrimaryModel):
    """A team's inbox (support, billing, provisioning, NOC): where new tickets land and SLA warnings go."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    email = models.EmailField(
        _("team e-mail"), blank=True, help_text=_("Receives new-ticket notices and SLA warnings for this queue.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BusinessCalendar(PrimaryModel):
    """Working hours and holidays that SLA targets are counted in.

    ``site_code`` optionally ties a calendar to one datacenter site (its holidays); a foreign key to
    ``dcim.Site`` replaces it once DCIM lands.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    site_code = models.CharField(_("site"), max_length=40, blank=True, help_text=_("Optional: the site it applies to."))
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used by SLA policies that name no calendar.")
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        from zoneinfo import available_timezones

        if self.time_zone not in available_timezones():
            raise ValidationError({"time_zone": _("Unknown time zone; use a name such as Europe/Berlin.")})

    def as_calendar(self) -> sla.Calendar:
        """The pure calendar the SLA arithmetic works with (reads the hours and holidays)."""
        hours = [(row.weekday, row.start, row.end) for row in self.working_hours.all()]
        return sla.Calendar.build(
            time_zone=self.time_zone, hours=hours, holidays=[row.date for row in self.holidays.all()]
        )


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(Model):
    """One working interval of a weekday in the calendar's time zone; an end of 00:00 means midnight."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start = models.TimeField(_("from"), default=time(9))
    end = models.TimeField(_("until"), default=time(17))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["calendar", "weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        super().clean()
        if self.end != time(0) and self.end <= self.start:
            raise ValidationError({"end": _("Working hours must end after they start (00:00 means midnight).")})


class Holiday(Model):
    """A date without working hours in one calendar."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="tickets_holiday_unique_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class SLAPolicy(PrimaryModel):
    """Targets for one priority, counted in business hours; a policy naming a company is that contract's."""

    name = models.CharField(_("name"), max_length=80)
    priority = models.CharField(_("priority"), max_length=20, choices=TicketPriority)
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        help_text=_("Leave empty for the standard policy; set for a company's contract."),
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        help_text=_("Empty: the default calendar."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response (business minutes)"), validators=[MinValueValidator(1)]
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (business minutes)"), validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["company__name", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "company"], name="tickets_slapolicy_unique_company_priority"),
            models.UniqueConstraint(
                fields=["priority"], condition=models.Q(company=None), name="tickets_slapolicy_unique_standard"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Ticket(PrimaryModel):
    """A customer's request, worked by staff in a queue, with its SLA clock.

    The SLA state is stored denormalised so lists and the scheduled check need no calendar arithmetic:
    due times are recomputed by the services whenever the clock pauses or resumes.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="tickets")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        verbose_name=_("requester"),
    )
    cc_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="cc_tickets",
        verbose_name=_("CC"),
        help_text=_("Other contacts of the company who receive the replies."),
    )
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="tickets")
    category = models.CharField(_("category"), max_length=20, choices=TicketCategory, default=TicketCategory.TECHNICAL)
    priority = models.CharField(_("priority"), max_length=20, choices=TicketPriority, default=TicketPriority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus, default=TicketStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        limit_choices_to={"is_staff": True},
        verbose_name=_("assignee"),
    )
    device = models.ForeignKey(
        "dcim.Device",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("device"),
        help_text=_("The server or device the ticket is about, if any."),
    )
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("service"),
        help_text=_("The service the ticket is about, if any."),
    )
    # SLA
    sla_policy = models.ForeignKey(
        SLAPolicy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("SLA policy"),
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True, editable=False)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True, editable=False)
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True, editable=False)
    first_response_seconds = models.PositiveIntegerField(
        _("first response time (business seconds)"), null=True, blank=True, editable=False
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    sla_paused_since = models.DateTimeField(_("SLA paused since"), null=True, blank=True, editable=False)
    sla_paused_seconds = models.PositiveIntegerField(_("SLA paused (business seconds)"), default=0, editable=False)
    first_response_breached = models.BooleanField(_("first response breached"), default=False, editable=False)
    resolution_breached = models.BooleanField(_("resolution breached"), default=False, editable=False)
    first_response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True, editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["status", "queue"], name="tickets_status_queue_idx"),
            models.Index(fields=["company", "status"], name="tickets_company_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status in PAUSED_STATUSES

    @property
    def is_breached(self) -> bool:
        return self.first_response_breached or self.resolution_breached

    def sla_calendar(self) -> sla.Calendar:
        """The calendar this ticket's targets are counted in (24×7 without a policy or a calendar)."""
        calendar = self.sla_policy.calendar if self.sla_policy else None
        if calendar is None:
            calendar = BusinessCalendar.objects.filter(is_default=True).first()
        return calendar.as_calendar() if calendar else sla.Calendar.always_open()

    def sla_state(self, now=None) -> SlaState:
        """How the ticket stands: met, breached, paused, at risk (within the warning window) or on track."""
        now = now or timezone.now()
        if self.sla_policy_id is None or self.resolution_due is None:
            return SlaState.NONE
        if self.is_breached:
            return SlaState.BREACHED
        if self.is_done:
            return SlaState.MET
        if self.sla_paused_since:
            return SlaState.PAUSED
        due = self.resolution_due if self.first_responded_at else min(self.resolution_due, self.first_response_due)
        if due <= now:
            return SlaState.BREACHED
        window = timezone.timedelta(minutes=settings.TICKET_SLA_WARNING_MINUTES)
        return SlaState.AT_RISK if due - now <= window else SlaState.ON_TRACK

    def sla_time_left(self, now=None) -> dict:
        """Business time left to each open target, as seconds and text, for the ticket pages."""
        now = now or timezone.now()
        if self.resolution_due is None or self.is_done:
            return {}
        calendar = self.sla_calendar()
        left = {}
        if self.first_responded_at is None and self.first_response_due:
            seconds = sla.remaining_seconds(self.first_response_due, now, calendar, paused_since=self.sla_paused_since)
            left["first_response"] = {"seconds": seconds, "text": sla.format_duration(seconds)}
        seconds = sla.remaining_seconds(self.resolution_due, now, calendar, paused_since=self.sla_paused_since)
        left["resolution"] = {"seconds": seconds, "text": sla.format_duration(seconds)}
        return left


class Message(TimestampedModel):
    """One entry of a ticket's thread: a reply (seen by the customer) or an internal note (staff only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ticket_messages", verbose_name=_("author")
    )
    body = models.TextField(_("message"))
    is_internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Internal notes are for staff; customers never see them.")
    )
    source = models.CharField(_("via"), max_length=10, choices=MessageSource, default=MessageSource.PORTAL)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        kind = _("Internal note") if self.is_internal else _("Reply")
        return f"{kind} #{self.pk or '—'}"


class Attachment(TimestampedModel):
    """A file on a message, stored under a random name in ``PRIVATE_MEDIA_ROOT`` (never in the web root)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    content_type = models.CharField(_("type"), max_length=100, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class TimeEntry(PrimaryModel):
    """Time a technician spent on a ticket; billable entries become charges in a billing run."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="time_entries")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ticket_time_entries",
        verbose_name=_("technician"),
    )
    work_date = models.DateField(_("date"), default=timezone.localdate)
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1)])
    billable = models.BooleanField(_("billable"), default=True)
    hourly_rate = models.DecimalField(
        _("hourly rate"), max_digits=10, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    work_done = models.CharField(_("work done"), max_length=200, help_text=_("Shown to the customer on the invoice."))
    billed_at = models.DateTimeField(_("billed at"), null=True, blank=True, editable=False)
    billing_reference = models.CharField(_("billing reference"), max_length=60, blank=True, editable=False)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-work_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.minutes} min"

    @property
    def amount(self) -> Decimal:
        """The charge: minutes at the hourly rate, rounded half up to the cent."""
        from decimal import ROUND_HALF_UP

        return (self.hourly_rate * self.minutes / Decimal(60)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class PartUsed(PrimaryModel):
    """A part fitted during remote-hands work (a disk, a cable), charged when billable."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(_("part"), max_length=120)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        _("unit price"), max_digits=10, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    billable = models.BooleanField(_("billable"), default=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    billed_at = models.DateTimeField(_("billed at"), null=True, blank=True, editable=False)
    billing_reference = models.CharField(_("billing reference"), max_length=60, blank=True, editable=False)

    class Meta:
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    @property
    def amount(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(Decimal("0.01"))


class CannedReply(PrimaryModel):
    """A prepared answer staff insert into a reply; ``{requester}`` and ``{number}`` are filled in."""

    title = models.CharField(_("title"), max_length=100, unique=True)
    body = models.TextField(_("text"))
    queue = models.ForeignKey(
        Queue, on_delete=models.SET_NULL, null=True, blank=True, related_name="canned_replies", verbose_name=_("queue")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def render(self, ticket: Ticket) -> str:
        """The text with the ticket's placeholders filled in."""
        return (
            self.body.replace("{requester}", str(ticket.requester))
            .replace("{number}", ticket.number)
            .replace("{subject}", ticket.subject)
        )
