"""Portal ticket views: the company's tickets, opening one, the thread, replies and attachment downloads.

Every queryset comes from ``core.tenancy.for_user`` for the current company; internal notes and their
attachments never reach these pages. Writes go through ``tickets.services``.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Membership
from core.tenancy import for_user
from portal.tickets.forms import ReplyForm, TicketOpenForm
from portal.views import member_required
from tickets import selectors, services
from tickets.choices import DONE_STATUSES, TicketStatus
from tickets.downloads import attachment_response
from tickets.models import Attachment, Ticket

STATUS_FILTERS = {"open": gettext_lazy("Open"), "done": gettext_lazy("Resolved and closed"), "all": gettext_lazy("All")}


def _tickets(request, membership):
    return for_user(Ticket, request.user, company=membership.company, staff_scope=False)


def _ticket(request, membership, pk) -> Ticket:
    ticket = (
        _tickets(request, membership)
        .select_related("queue", "requester", "assignee", "device", "service__plan__product")
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def _errors(error: ValidationError) -> list[str]:
    return error.messages


@member_required()
def ticket_list(request, membership):
    shown = request.GET.get("status", "open")
    tickets = _tickets(request, membership).select_related("requester", "assignee").order_by("-last_message_at", "-pk")
    if shown == "open":
        tickets = tickets.exclude(status__in=DONE_STATUSES)
    elif shown == "done":
        tickets = tickets.filter(status__in=DONE_STATUSES)
    else:
        shown = "all"
    page = Paginator(tickets, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/tickets/list.html",
        {
            "page": page,
            "shown": shown,
            "filters": STATUS_FILTERS,
            "can_write": services.customer_may_write(membership),
        },
    )


@member_required()
def ticket_create(request, membership):
    if not services.customer_may_write(membership):
        raise PermissionDenied(_("Your role can view tickets but not open them; ask an owner of your company."))
    from dcim.models import Device

    devices = for_user(Device, request.user, company=membership.company, staff_scope=False).order_by("name")
    members = for_user(Membership, request.user, company=membership.company, staff_scope=False).filter(is_active=True)
    colleagues = get_user_model().objects.filter(memberships__in=members).exclude(pk=request.user.pk).order_by("email")
    from catalog.models import Service

    services_held = for_user(Service, request.user, company=membership.company, staff_scope=False).order_by("pk")
    # "Open a ticket about this server/service" links pass ?device= / ?service=; unknown ids are ignored.
    initial = {
        name: queryset.filter(pk=request.GET[name]).first()
        for name, queryset in (("device", devices), ("service", services_held))
        if request.GET.get(name, "").isdigit()
    }
    form = TicketOpenForm(
        request.POST or None, devices=devices, services=services_held, colleagues=colleagues, initial=initial
    )
    upload_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_open(
                company=membership.company,
                requester=request.user,
                attachments=request.FILES.getlist("attachments"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "attachments" in error.error_dict:
                upload_errors = error.message_dict["attachments"]
            else:
                form.add_error(None, " ".join(_errors(error)))
        else:
            messages.success(request, _("Ticket %(number)s opened. We will answer soon.") % {"number": ticket.number})
            return redirect("portal:ticket_detail", ticket.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "portal/tickets/create.html",
        {"form": form, "upload_errors": upload_errors, "max_bytes": _max_bytes()},
        status=status,
    )


def _max_bytes() -> int:
    from django.conf import settings

    return settings.TICKET_ATTACHMENT_MAX_BYTES


def _detail(request, membership, ticket, *, form=None, upload_errors=(), status=200):
    return render(
        request,
        "portal/tickets/detail.html",
        {
            "ticket": ticket,
            "thread": selectors.ticket_thread(ticket, include_internal=False),
            "form": form or ReplyForm(),
            "upload_errors": upload_errors,
            "can_write": services.customer_may_write(membership) and ticket.status != TicketStatus.CLOSED,
            "time_left": ticket.sla_time_left(),
            "max_bytes": _max_bytes(),
            "can_see_network": membership.can("technical"),
        },
        status=status,
    )


@member_required()
def ticket_detail(request, pk, membership):
    return _detail(request, membership, _ticket(request, membership, pk))


@member_required()
@require_POST
def ticket_reply(request, pk, membership):
    ticket = _ticket(request, membership, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _detail(request, membership, ticket, form=form, status=400)
    try:
        services.ticket_reply(
            ticket=ticket,
            author=request.user,
            body=form.cleaned_data["body"],
            attachments=request.FILES.getlist("attachments"),
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "attachments" in error.error_dict:
            return _detail(
                request, membership, ticket, form=form, upload_errors=error.message_dict["attachments"], status=400
            )
        form.add_error(None, " ".join(_errors(error)))
        return _detail(request, membership, ticket, form=form, status=400)
    messages.success(request, _("Your reply was added to %(number)s.") % {"number": ticket.number})
    return redirect("portal:ticket_detail", ticket.pk)


@member_required()
@require_POST
def ticket_close(request, pk, membership):
    ticket = _ticket(request, membership, pk)
    services.ticket_set_status(ticket=ticket, status=TicketStatus.CLOSED, actor=request.user)
    messages.success(request, _("%(number)s is closed. Thank you.") % {"number": ticket.number})
    return redirect("portal:ticket_detail", ticket.pk)


def _attachment(request, membership, pk, attachment_pk) -> Attachment:
    ticket = _ticket(request, membership, pk)
    attachment = (
        Attachment.objects.filter(pk=attachment_pk, message__ticket=ticket, message__is_internal=False)
        .select_related("message")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


@member_required()
def ticket_attachment(request, pk, attachment_pk, membership):
    """The file as a download; only from a public message of one of the company's tickets."""
    return attachment_response(_attachment(request, membership, pk, attachment_pk))


@member_required()
def ticket_attachment_preview(request, pk, attachment_pk, membership):
    """Raster images inline, for the thread's thumbnails; anything else is not previewed."""
    attachment = _attachment(request, membership, pk, attachment_pk)
    if not attachment.is_image:
        raise Http404
    return attachment_response(attachment, inline=True)
