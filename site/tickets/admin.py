"""Overrides of the generated tickets admins: queue views, bulk actions, the thread with internal notes,
canned replies, billable work inline, the SLA report. Every write goes through ``tickets.services``."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import StackedInline, TabularInline
from unfold.decorators import action, display
from unfold.forms import ActionForm
from unfold.widgets import UnfoldAdminSelectWidget

from core import writes
from core.registry import generated_admin, override
from tickets import selectors, services
from tickets.choices import SLA_STATE_COLOURS, TicketStatus
from tickets.downloads import attachment_response
from tickets.models import (
    Attachment,
    BusinessCalendar,
    CannedReply,
    Holiday,
    Message,
    PartUsed,
    Queue,
    Ticket,
    TimeEntry,
    WorkingHours,
)


class WorkloadFilter(admin.SimpleListFilter):
    """The technician's queue views: mine, unassigned, open, breached."""

    title = _("view")
    parameter_name = "view"

    def lookups(self, request, model_admin):
        return (
            ("mine", _("My open tickets")),
            ("unassigned", _("Unassigned, open")),
            ("open", _("All open")),
            ("breached", _("SLA breached, open")),
            ("waiting", _("Waiting on customer")),
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value == "mine":
            return queryset.open().filter(assignee=request.user)
        if value == "unassigned":
            return queryset.open().filter(assignee__isnull=True)
        if value == "open":
            return queryset.open()
        if value == "breached":
            return queryset.open().filter(first_response_breached=True) | queryset.open().filter(
                resolution_breached=True
            )
        if value == "waiting":
            return queryset.filter(status=TicketStatus.WAITING_ON_CUSTOMER)
        return queryset


class MessageInlineForm(forms.ModelForm):
    canned_reply = forms.ModelChoiceField(
        queryset=CannedReply.objects.filter(is_active=True),
        required=False,
        label=_("Canned reply"),
        help_text=_("Used as the text when the message is left empty."),
    )

    class Meta:
        model = Message
        fields = ("body", "is_internal")
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].required = False

    def clean(self):
        cleaned = super().clean()
        if self.has_changed() and not cleaned.get("body") and not cleaned.get("canned_reply"):
            self.add_error("body", _("Write a message or choose a canned reply."))
        return cleaned


class MessageInline(StackedInline):
    """The thread: earlier messages read-only (internal notes marked), one form for the next message."""

    model = Message
    form = MessageInlineForm
    fields = ("kind", "author", "created", "body", "is_internal", "canned_reply")
    readonly_fields = ("kind", "author", "created")
    extra = 1
    max_num = None
    can_delete = False
    tab = True
    verbose_name = _("message")
    verbose_name_plural = _("thread")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author").prefetch_related("attachments")

    def has_change_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return self.fields

    @display(description=_("kind"), label={"internal": "warning", "reply": "info"})
    def kind(self, message):
        if message.pk is None:
            return "reply", _("New")
        return ("internal", _("Internal note")) if message.is_internal else ("reply", _("Reply"))


class TimeEntryInline(TabularInline):
    model = TimeEntry
    fields = ("work_date", "technician", "minutes", "work_done", "billable", "hourly_rate", "billed_at")
    readonly_fields = ("technician", "billed_at")
    extra = 0
    can_delete = False
    tab = True

    def has_change_permission(self, request, obj=None):
        return False


class PartUsedInline(TabularInline):
    model = PartUsed
    fields = ("name", "quantity", "unit_price", "billable", "billed_at")
    readonly_fields = ("billed_at",)
    extra = 0
    can_delete = False
    tab = True

    def has_change_permission(self, request, obj=None):
        return False


class TicketAdminForm(forms.ModelForm):
    message = forms.CharField(
        label=_("First message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("What the customer asked (when opening a ticket on their behalf)."),
    )

    class Meta:
        model = Ticket
        fields = (
            "subject",
            "company",
            "requester",
            "cc_users",
            "queue",
            "category",
            "priority",
            "status",
            "assignee",
            "device",
            "service",
            "description",
            "comments",
        )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not cleaned.get("message"):
            self.add_error("message", _("Write the first message of the ticket."))
        return cleaned


class TicketActionForm(ActionForm):
    """The changelist's action bar, with the technician and queue the "assign" action hands tickets to."""

    technician = forms.ModelChoiceField(
        queryset=None, required=False, label="", empty_label=_("— technician —"), widget=UnfoldAdminSelectWidget
    )
    queue = forms.ModelChoiceField(
        queryset=Queue.objects.filter(is_active=True),
        required=False,
        label="",
        empty_label=_("— queue —"),
        widget=UnfoldAdminSelectWidget,
    )

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = get_user_model().objects.filter(is_staff=True, is_active=True)


GeneratedTicketAdmin = generated_admin(Ticket)


@override(Ticket, "admin")
class TicketAdmin(GeneratedTicketAdmin):
    form = TicketAdminForm
    list_display = [*GeneratedTicketAdmin.list_display, "sla_column", "last_message_at"]
    list_filter = [WorkloadFilter, *GeneratedTicketAdmin.list_filter]
    action_form = TicketActionForm
    actions = [
        "claim_selected",
        "assign_selected",
        "unassign_selected",
        "mark_open",
        "mark_waiting",
        "mark_resolved",
        "mark_closed",
    ]
    actions_detail = ["claim_detail"]
    inlines = [MessageInline, TimeEntryInline, PartUsedInline]
    readonly_fields = (
        "number",
        "sla_summary",
        "first_response_due",
        "resolution_due",
        "first_responded_at",
        "resolved_at",
        "closed_at",
        "sla_paused_since",
        "first_response_breached",
        "resolution_breached",
        "created",
        "last_updated",
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (None, {"fields": ("company", "requester", "cc_users", "subject", "message")}),
                (_("Handling"), {"fields": ("category", "priority", "queue", "assignee", "device", "service")}),
            )
        return (
            (None, {"fields": ("number", "subject", "company", "requester", "cc_users")}),
            (_("Handling"), {"fields": ("status", "category", "priority", "queue", "assignee", "device", "service")}),
            (
                _("SLA"),
                {
                    "fields": (
                        "sla_summary",
                        "sla_policy",
                        "first_response_due",
                        "first_responded_at",
                        "first_response_breached",
                        "resolution_due",
                        "resolved_at",
                        "resolution_breached",
                        "sla_paused_since",
                        "closed_at",
                    )
                },
            ),
            (_("Notes"), {"fields": ("description", "comments"), "classes": ["collapse"]}),
            (_("Record"), {"fields": ("created", "last_updated"), "classes": ["collapse"]}),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields += ["company", "requester", "sla_policy"]
        return fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @display(description=_("SLA"), label=SLA_STATE_COLOURS)
    def sla_column(self, ticket):
        state = ticket.sla_state()
        return state.value, state.label

    @display(description=_("time left"))
    def sla_summary(self, ticket):
        if ticket.pk is None:
            return "—"
        parts = [str(ticket.sla_state().label)]
        left = ticket.sla_time_left()
        if "first_response" in left:
            parts.append(_("first response in %(time)s") % {"time": left["first_response"]["text"]})
        if "resolution" in left:
            parts.append(_("resolution in %(time)s") % {"time": left["resolution"]["text"]})
        if ticket.sla_paused_since:
            parts.append(_("(paused: waiting on the customer)"))
        return " · ".join(str(part) for part in parts) + _(" (business hours)")

    # -- bulk and detail actions ------------------------------------------------------------------------

    def _each(self, request, queryset, function, done_message):
        count = 0
        for ticket in queryset:
            try:
                function(ticket)
                count += 1
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{ticket.number}: {writes.error_text(error)}", messages.ERROR)
        if count:
            self.message_user(request, done_message % {"count": count}, messages.SUCCESS)

    @action(description=_("Assign selected to me"), permissions=["change"])
    def claim_selected(self, request, queryset):
        self._each(
            request, queryset, lambda t: services.ticket_claim(ticket=t, actor=request.user), _("%(count)d claimed.")
        )

    @action(description=_("Assign selected to the chosen technician and/or queue"), permissions=["change"])
    def assign_selected(self, request, queryset):
        fields = TicketActionForm().fields
        try:
            technician = fields["technician"].clean(request.POST.get("technician") or None)
            queue = fields["queue"].clean(request.POST.get("queue") or None)
        except ValidationError:
            technician = queue = None
        if technician is None and queue is None:
            self.message_user(request, _("Choose a technician or a queue beside the action."), messages.WARNING)
            return
        self._each(
            request,
            queryset,
            lambda t: services.ticket_reassign(ticket=t, actor=request.user, assignee=technician, queue=queue),
            _("%(count)d tickets handed on."),
        )

    @action(description=_("Unassign selected (back to their queue)"), permissions=["change"])
    def unassign_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda t: services.ticket_assign(ticket=t, assignee=None, actor=request.user),
            _("%(count)d unassigned."),
        )

    def _status(self, request, queryset, status):
        self._each(
            request,
            queryset,
            lambda t: services.ticket_set_status(ticket=t, status=status, actor=request.user),
            _("%(count)d tickets updated."),
        )

    @action(description=_("Mark selected open"), permissions=["change"])
    def mark_open(self, request, queryset):
        self._status(request, queryset, TicketStatus.OPEN)

    @action(description=_("Mark selected waiting on customer"), permissions=["change"])
    def mark_waiting(self, request, queryset):
        self._status(request, queryset, TicketStatus.WAITING_ON_CUSTOMER)

    @action(description=_("Mark selected resolved"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        self._status(request, queryset, TicketStatus.RESOLVED)

    @action(description=_("Close selected"), permissions=["change"])
    def mark_closed(self, request, queryset):
        self._status(request, queryset, TicketStatus.CLOSED)

    @action(description=_("Claim"), url_path="claim", permissions=["change"], icon="assignment_ind")
    def claim_detail(self, request, object_id):
        ticket = get_object_or_404(Ticket, pk=object_id)
        services.ticket_claim(ticket=ticket, actor=request.user)
        self.message_user(request, _("%(number)s is yours.") % {"number": ticket.number}, messages.SUCCESS)
        return redirect(reverse("admin:tickets_ticket_change", args=[ticket.pk]))

    # -- SLA report -------------------------------------------------------------------------------------

    def get_urls(self):
        report = path("sla-report/", self.admin_site.admin_view(self.sla_report_view), name="tickets_ticket_sla_report")
        return [report, *super().get_urls()]

    def sla_report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        try:
            start = date.fromisoformat(request.GET.get("start", ""))
        except ValueError:
            start = today.replace(day=1)
        try:
            end = date.fromisoformat(request.GET.get("end", ""))
        except ValueError:
            end = today
        if end < start:
            start, end = end, start
        queue = Queue.objects.filter(pk=request.GET.get("queue") or None).first()
        report = selectors.sla_report(start=start, end=end, queue=queue)
        context = {
            **self.admin_site.each_context(request),
            "title": _("SLA report"),
            "opts": self.model._meta,
            "report": report,
            "queues": Queue.objects.all(),
            "queue": queue,
            "previous_month": (start.replace(day=1) - timedelta(days=1)).replace(day=1),
        }
        return TemplateResponse(request, "admin/tickets/sla_report.html", context)


@override(Attachment, "admin")
class AttachmentAdmin(generated_admin(Attachment)):
    list_display = ["original_name", "message", "content_type", "size", "uploaded_by", "created", "download"]

    @display(description=_("file"))
    def download(self, attachment):
        from django.utils.html import format_html

        url = reverse("admin:tickets_attachment_download", args=[attachment.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    def get_urls(self):
        download = path(
            "<int:pk>/download/",
            self.admin_site.admin_view(self.download_view),
            name="tickets_attachment_download",
        )
        return [download, *super().get_urls()]

    def download_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return attachment_response(get_object_or_404(Attachment, pk=pk))


class WorkingHoursInline(TabularInline):
    model = WorkingHours
    extra = 0
    tab = True


class HolidayInline(TabularInline):
    model = Holiday
    extra = 0
    tab = True


@override(BusinessCalendar, "admin")
class BusinessCalendarAdmin(generated_admin(BusinessCalendar)):
    inlines = [WorkingHoursInline, HolidayInline]
