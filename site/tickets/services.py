"""Every write of the tickets app: opening, replying, internal notes, assignment, status and the SLA clock,
attachments, billable work and inbound e-mail. Keyword-only and atomic; notices go out after commit."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, Membership
from core.services import instance_save, plain_services
from tickets import emails, files, sla
from tickets.choices import (
    CATEGORY_QUEUES,
    DONE_STATUSES,
    PAUSED_STATUSES,
    MessageSource,
    TicketCategory,
    TicketPriority,
    TicketStatus,
)
from tickets.models import (
    Attachment,
    BusinessCalendar,
    CannedReply,
    Message,
    PartUsed,
    Queue,
    SLAPolicy,
    Ticket,
    TimeEntry,
)

User = get_user_model()

NUMBER_PREFIX = "T"
FIRST_NUMBER = 100001
# Company roles whose members may open and answer tickets (read-only members may only look).
WRITE_CAPABILITIES = ("technical", "billing")
UPDATABLE_FIELDS = {"subject", "category", "priority", "device", "service"}


# --- permissions -----------------------------------------------------------------------------------------


def customer_may_write(membership: Membership | None) -> bool:
    """Whether a membership's role lets its user open and answer tickets."""
    return membership is not None and any(membership.can(capability) for capability in WRITE_CAPABILITIES)


def _membership(user, company) -> Membership | None:
    return Membership.objects.active().filter(user=user, company=company).first()


def _require_staff(actor, permission: str = "tickets.change_ticket") -> None:
    if actor is None or not actor.is_staff or not actor.has_perm(permission):
        raise PermissionDenied(_("Only support staff may do this."))


def _require_writer(user, company: Company) -> None:
    if not customer_may_write(_membership(user, company)):
        raise PermissionDenied(
            _("Your role at %(company)s does not allow opening or answering tickets; ask an owner.")
            % {"company": company}
        )


def _require_staff_user(user, field: str) -> None:
    if user is not None and (not user.is_staff or not user.is_active):
        raise ValidationError({field: _("%(user)s is not an active staff member.") % {"user": user}})


# --- SLA clock -------------------------------------------------------------------------------------------


def sla_policy_for(*, company: Company, priority: str) -> SLAPolicy | None:
    """The company's contract policy for ``priority`` if it has one, else the standard policy."""
    policies = SLAPolicy.objects.filter(is_active=True, priority=priority).select_related("calendar")
    return policies.filter(company=company).first() or policies.filter(company__isnull=True).first()


def _recompute_due(ticket: Ticket, *, opened: datetime) -> None:
    """Due times from the opening moment, the policy's targets and the business time spent paused."""
    policy = ticket.sla_policy
    if policy is None:
        ticket.first_response_due = ticket.resolution_due = None
        return
    calendar = ticket.sla_calendar()
    ticket.first_response_due = sla.due_at(opened, policy.first_response_minutes, ticket.sla_paused_seconds, calendar)
    ticket.resolution_due = sla.due_at(opened, policy.resolution_minutes, ticket.sla_paused_seconds, calendar)


def _apply_status(ticket: Ticket, status: str, now: datetime) -> None:
    """Move ``ticket`` to ``status``: pause or resume the SLA clock, stamp resolution and closing."""
    if ticket.sla_paused_since and status not in PAUSED_STATUSES:
        paused = sla.business_seconds_between(ticket.sla_paused_since, now, ticket.sla_calendar())
        ticket.sla_paused_seconds += max(paused, 0)
        ticket.sla_paused_since = None
        _recompute_due(ticket, opened=ticket.created)
    elif status in PAUSED_STATUSES and not ticket.sla_paused_since:
        ticket.sla_paused_since = now
    if status in DONE_STATUSES:
        ticket.resolved_at = ticket.resolved_at or now
        if status == TicketStatus.CLOSED:
            ticket.closed_at = now
        if ticket.resolution_due and now > ticket.resolution_due:
            ticket.resolution_breached = True
    else:
        ticket.resolved_at = None
        ticket.closed_at = None
    ticket.status = status


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("sla_policy__calendar", "queue", "assignee")
        .get(pk=ticket.pk)
    )


# --- opening ---------------------------------------------------------------------------------------------


def _check_links(*, company: Company, device=None, service=None) -> None:
    """A ticket may only name the company's own device and service (the message names neither of another's)."""
    if device is not None and device.company_id != company.pk:
        raise ValidationError({"device": _("That device is not one of %(company)s's devices.") % {"company": company}})
    if service is not None and service.company_id != company.pk:
        raise ValidationError(
            {"service": _("That service is not one of %(company)s's services.") % {"company": company}}
        )


def _next_number() -> str:
    """One more than the highest number issued (unique; not gapless)."""
    last = Ticket.objects.select_for_update().order_by("-pk").values_list("number", flat=True).first()
    highest = int(last[len(NUMBER_PREFIX) :]) if last and last[len(NUMBER_PREFIX) :].isdigit() else FIRST_NUMBER - 1
    return f"{NUMBER_PREFIX}{highest + 1}"


def _default_queue(category: str) -> Queue:
    queue = Queue.objects.filter(slug=CATEGORY_QUEUES.get(category, "support"), is_active=True).first()
    queue = queue or Queue.objects.filter(is_active=True).order_by("pk").first()
    if queue is None:
        raise ValidationError(_("No ticket queue is set up; staff must create one first."))
    return queue


def _check_files(uploads: Iterable) -> list[files.CheckedFile]:
    checked, errors = [], []
    for upload in uploads or ():
        try:
            checked.append(files.inspect_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


@transaction.atomic
def ticket_open(
    *,
    company: Company,
    requester,
    subject: str,
    body: str,
    category: str = TicketCategory.TECHNICAL,
    priority: str = TicketPriority.NORMAL,
    queue: Queue | None = None,
    attachments: Sequence = (),
    cc_users: Iterable = (),
    device=None,
    service=None,
    actor=None,
    source: str = MessageSource.PORTAL,
) -> Ticket:
    """Open a ticket for ``requester`` at ``company`` with its first message; starts the SLA clock.

    ``actor`` (default: the requester) is who does it: a customer only for themselves, or staff on a
    customer's behalf. The requester and CC'd users must be active members of the company.
    """
    actor = actor or requester
    if actor.is_staff and actor != requester:
        _require_staff(actor, "tickets.add_ticket")
        if _membership(requester, company) is None:
            raise ValidationError(
                {"requester": _("%(user)s is not a member of %(company)s.") % {"user": requester, "company": company}}
            )
    else:
        if actor != requester:
            raise PermissionDenied(_("You can only open tickets in your own name."))
        _require_writer(requester, company)
    subject, body = (subject or "").strip(), (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Describe the problem or the request in the message.")})
    _check_links(company=company, device=device, service=service)
    checked = _check_files(attachments)
    now = timezone.now()
    ticket = Ticket(
        device=device,
        service=service,
        number=_next_number(),
        subject=subject,
        company=company,
        requester=requester,
        queue=queue or _default_queue(category),
        category=category,
        priority=priority,
        status=TicketStatus.NEW,
        sla_policy=sla_policy_for(company=company, priority=priority),
        last_message_at=now,
    )
    ticket.full_clean(exclude=["number", "cc_users"])
    ticket.save()
    # The clock starts at the saved creation time (a few microseconds after ``now``).
    _recompute_due(ticket, opened=ticket.created)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due=ticket.first_response_due, resolution_due=ticket.resolution_due
    )
    cc = [user for user in cc_users if user != requester]
    for user in cc:
        if _membership(user, company) is None:
            raise ValidationError(
                {"cc_users": _("%(user)s is not a member of %(company)s.") % {"user": user, "company": company}}
            )
    if cc:
        ticket.cc_users.set(cc)
    # The first message is the customer's request, even when staff type it in on their behalf.
    message = _add_message(
        ticket=ticket,
        author=requester,
        body=body,
        is_internal=False,
        source=source,
        checked=checked,
    )
    emails.send_after_commit(
        ticket=ticket, recipients=emails.customer_recipients(ticket), template="opened", context={}
    )
    emails.send_after_commit(
        ticket=ticket,
        recipients=[ticket.queue.email] if ticket.queue.email else [],
        template="new_ticket",
        context={"message": message},
    )
    return ticket


def _add_message(*, ticket, author, body, is_internal, source, checked) -> Message:
    message = Message(ticket=ticket, author=author, body=body, is_internal=is_internal, source=source)
    message.full_clean()
    message.save()
    for item in checked:
        _store_attachment(message=message, checked=item, actor=author)
    return message


def _store_attachment(*, message: Message, checked: files.CheckedFile, actor) -> Attachment:
    attachment = Attachment(
        message=message,
        original_name=checked.name,
        stored_name=files.store(checked.content),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.full_clean()
    attachment.save()
    return attachment


@transaction.atomic
def attachment_add(*, message: Message, upload, actor) -> Attachment:
    """Attach one more file to a message (by its author or staff), after the size and content checks."""
    if not actor.is_staff and actor != message.author:
        raise PermissionDenied(_("You can only add files to your own messages."))
    checked = _check_files([upload])[0]
    return _store_attachment(message=message, checked=checked, actor=actor)


# --- thread ----------------------------------------------------------------------------------------------


@transaction.atomic
def ticket_reply(
    *, ticket: Ticket, author, body: str, attachments: Sequence = (), source: str = MessageSource.PORTAL
) -> Message:
    """Add a public reply. A staff reply is the first response if none came yet; a customer's reply
    reopens a ticket that waited on them or was resolved (restarting the SLA clock)."""
    ticket = _locked(ticket)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message before sending.")})
    now = timezone.now()
    if author.is_staff:
        _require_staff(author)
    else:
        _require_writer(author, ticket.company)
        if ticket.status == TicketStatus.CLOSED:
            raise ValidationError(
                _("Ticket %(number)s is closed. Open a new ticket and mention %(number)s in it.")
                % {"number": ticket.number}
            )
    checked = _check_files(attachments)
    message = _add_message(ticket=ticket, author=author, body=body, is_internal=False, source=source, checked=checked)
    ticket.last_message_at = now
    if author.is_staff:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
            elapsed = sla.business_seconds_between(ticket.created, now, ticket.sla_calendar())
            ticket.first_response_seconds = max(elapsed - ticket.sla_paused_seconds, 0)
            if ticket.first_response_due and now > ticket.first_response_due:
                ticket.first_response_breached = True
        if ticket.status == TicketStatus.NEW:
            _apply_status(ticket, TicketStatus.OPEN, now)
        recipients, template = emails.customer_recipients(ticket), "reply"
    else:
        if ticket.status in (TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.RESOLVED):
            _apply_status(ticket, TicketStatus.OPEN, now)
        recipients, template = emails.staff_recipients(ticket), "customer_reply"
    instance_save(ticket)
    emails.send_after_commit(ticket=ticket, recipients=recipients, template=template, context={"message": message})
    return message


@transaction.atomic
def ticket_add_internal_note(*, ticket: Ticket, author, body: str, attachments: Sequence = ()) -> Message:
    """A staff-only note on the thread: never shown to the customer, never e-mailed to them."""
    _require_staff(author)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the note before saving.")})
    checked = _check_files(attachments)
    return _add_message(
        ticket=ticket, author=author, body=body, is_internal=True, source=MessageSource.ADMIN, checked=checked
    )


# --- assignment and status -------------------------------------------------------------------------------


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee, actor, queue: Queue | None = None) -> Ticket:
    """Give the ticket to a technician (None: back to the queue), optionally moving it to ``queue``.

    The change is kept in the ticket's history; the new assignee is told by e-mail unless they did it.
    """
    _require_staff(actor)
    _require_staff_user(assignee, "assignee")
    ticket = _locked(ticket)
    changed = ticket.assignee_id != (assignee.pk if assignee else None)
    ticket.assignee = assignee
    if queue is not None:
        ticket.queue = queue
    instance_save(ticket)
    if changed and assignee is not None and assignee != actor:
        emails.send_after_commit(
            ticket=ticket, recipients=[assignee.email], template="assigned", context={"actor": actor}
        )
    return ticket


def ticket_claim(*, ticket: Ticket, actor) -> Ticket:
    """The acting technician takes the ticket."""
    return ticket_assign(ticket=ticket, assignee=actor, actor=actor)


@transaction.atomic
def ticket_reassign(*, ticket: Ticket, actor, assignee=None, queue: Queue | None = None) -> Ticket:
    """Hand the ticket on: to another technician, or to another queue (unassigned there)."""
    if assignee is None and queue is None:
        raise ValidationError(_("Choose a technician or a queue to hand the ticket to."))
    return ticket_assign(ticket=ticket, assignee=assignee, actor=actor, queue=queue)


@transaction.atomic
def ticket_set_status(*, ticket: Ticket, status: str, actor, notify: bool = True) -> Ticket:
    """Change the status. Waiting on the customer pauses the SLA clock; resolving after the resolution
    target records the breach. Customers may only close their own company's tickets."""
    if status not in TicketStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
    ticket = _locked(ticket)
    if actor.is_staff:
        _require_staff(actor)
    else:
        _require_writer(actor, ticket.company)
        if status != TicketStatus.CLOSED:
            raise PermissionDenied(_("You can close a ticket; support changes its other states."))
    if ticket.status == status:
        return ticket
    old_status = ticket.get_status_display()
    _apply_status(ticket, status, timezone.now())
    instance_save(ticket)
    if notify:
        emails.send_after_commit(
            ticket=ticket,
            recipients=emails.customer_recipients(ticket),
            template="status",
            context={"old_status": str(old_status).lower()},
        )
    return ticket


@transaction.atomic
def ticket_update(*, ticket: Ticket, actor, **fields) -> Ticket:
    """Change subject, category or priority (staff); a new priority brings the matching SLA policy."""
    _require_staff(actor)
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)})
    ticket = _locked(ticket)
    _check_links(company=ticket.company, device=fields.get("device"), service=fields.get("service"))
    priority_changed = "priority" in fields and fields["priority"] != ticket.priority
    for name, value in fields.items():
        setattr(ticket, name, value)
    if priority_changed:
        ticket.sla_policy = sla_policy_for(company=ticket.company, priority=ticket.priority)
        ticket.first_response_breached = ticket.resolution_breached = False
        ticket.first_response_warned_at = ticket.resolution_warned_at = None
        _recompute_due(ticket, opened=ticket.created)
    return instance_save(ticket)


# --- SLA check (the scheduled task) ----------------------------------------------------------------------


@transaction.atomic
def ticket_sla_check(*, now: datetime | None = None) -> dict[str, int]:
    """Warn the assignee (or the queue) before a target falls due and record breaches once.

    Runs every few minutes (``tickets.tasks.sla_check``); paused and finished tickets are skipped.
    """
    now = now or timezone.now()
    window = timezone.timedelta(minutes=settings.TICKET_SLA_WARNING_MINUTES)
    counts = {"warned": 0, "breached": 0}
    running = (
        Ticket.objects.open()
        .filter(sla_paused_since__isnull=True, resolution_due__isnull=False)
        .select_related("queue", "assignee", "company")
        .select_for_update(of=("self",))
    )
    for ticket in running.filter(resolution_due__lte=now + window) | running.filter(
        first_responded_at__isnull=True, first_response_due__lte=now + window
    ):
        targets = [("resolution", ticket.resolution_due)]
        if ticket.first_responded_at is None:
            targets.insert(0, ("first_response", ticket.first_response_due))
        changed = []
        for target, due in targets:
            label = _("first response") if target == "first_response" else _("resolution")
            if due <= now and not getattr(ticket, f"{target}_breached"):
                setattr(ticket, f"{target}_breached", True)
                changed.append(f"{target}_breached")
                counts["breached"] += 1
                _sla_notice(ticket, label=label, due=due, breached=True)
            elif now < due <= now + window and getattr(ticket, f"{target}_warned_at") is None:
                setattr(ticket, f"{target}_warned_at", now)
                changed.append(f"{target}_warned_at")
                counts["warned"] += 1
                _sla_notice(ticket, label=label, due=due, breached=False)
        if changed:
            # A plain update: the check is bookkeeping, not a change someone made to the ticket.
            Ticket.objects.filter(pk=ticket.pk).update(**{name: getattr(ticket, name) for name in changed})
    return counts


def _sla_notice(ticket: Ticket, *, label, due: datetime, breached: bool) -> None:
    recipients = []
    if ticket.assignee_id and ticket.assignee.is_active:
        recipients.append(ticket.assignee.email)
    if ticket.queue.email and ticket.queue.email not in recipients:
        recipients.append(ticket.queue.email)
    emails.send_after_commit(
        ticket=ticket,
        recipients=recipients,
        template="sla",
        context={"target": label, "due": due, "breached": breached},
    )


# --- remote hands: billable work -------------------------------------------------------------------------


@transaction.atomic
def ticket_log_time(
    *,
    ticket: Ticket,
    technician,
    minutes: int,
    work_done: str,
    billable: bool | None = None,
    hourly_rate: Decimal | None = None,
    work_date: date | None = None,
) -> TimeEntry:
    """Record time spent; remote-hands tickets are billable by default at ``TICKET_REMOTE_HANDS_HOURLY_RATE``."""
    _require_staff(technician)
    if billable is None:
        billable = ticket.category == TicketCategory.REMOTE_HANDS
    entry = TimeEntry(
        ticket=ticket,
        technician=technician,
        minutes=minutes,
        work_done=(work_done or "").strip(),
        billable=billable,
        hourly_rate=hourly_rate if hourly_rate is not None else Decimal(settings.TICKET_REMOTE_HANDS_HOURLY_RATE),
        work_date=work_date or timezone.localdate(),
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def ticket_add_part(
    *, ticket: Ticket, actor, name: str, unit_price: Decimal, quantity: int = 1, billable: bool = True
) -> PartUsed:
    """Record a part fitted during the work (billable unless told otherwise)."""
    _require_staff(actor)
    part = PartUsed(
        ticket=ticket,
        name=(name or "").strip(),
        quantity=quantity,
        unit_price=unit_price,
        billable=billable,
        added_by=actor,
    )
    part.full_clean()
    part.save()
    return part


@transaction.atomic
def billable_work_mark_billed(
    *, time_entries: Iterable[TimeEntry] = (), parts: Iterable[PartUsed] = (), reference: str
) -> int:
    """Billing calls this once it has turned entries into invoice lines; each is billed at most once."""
    now = timezone.now()
    count = TimeEntry.objects.filter(pk__in=[e.pk for e in time_entries], billed_at__isnull=True).update(
        billed_at=now, billing_reference=reference
    )
    count += PartUsed.objects.filter(pk__in=[p.pk for p in parts], billed_at__isnull=True).update(
        billed_at=now, billing_reference=reference
    )
    return count


# --- inbound e-mail --------------------------------------------------------------------------------------

QUOTE_HEADER = re.compile(
    r"^\s*(On .{4,200} wrote:|-----\s*Original Message\s*-----)\s*$", re.IGNORECASE | re.MULTILINE
)


class InboundRefused(ValidationError):
    """An inbound e-mail that cannot become a reply (forged reference, unknown sender, closed ticket)."""


def _reply_text(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    text = part.get_content()
    match = QUOTE_HEADER.search(text)
    if match:
        text = text[: match.start()]
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(lines).strip()


@transaction.atomic
def ticket_reply_from_email(*, raw: bytes) -> Message:
    """Turn a received e-mail (RFC 822 bytes) into a reply on the ticket its signed reference names.

    The reference is looked for in the subject, then in the To/Cc/Delivered-To addresses. The sender must
    be the requester or an active member of the ticket's company (staff answer in the admin).
    """
    message = email.message_from_bytes(raw, policy=email.policy.default)
    headers = [str(message.get("Subject", ""))]
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        headers.extend(str(value) for value in message.get_all(name, []))
    reference = emails.find_reference(*headers)
    if reference is None:
        raise InboundRefused(_("No ticket reference found in the subject or the address; nothing was added."))
    try:
        number = emails.number_from_reference(reference)
    except signing.BadSignature as error:
        raise InboundRefused(
            _("The ticket reference %(reference)s has a bad signature; the e-mail was refused.")
            % {"reference": reference}
        ) from error
    ticket = Ticket.objects.filter(number=number).select_related("company").first()
    if ticket is None:
        raise InboundRefused(_("Ticket %(number)s does not exist.") % {"number": number})
    addresses = message.get("From").addresses if message.get("From") else ()
    sender_email = addresses[0].addr_spec.lower() if addresses else ""
    sender = User.objects.filter(email__iexact=sender_email, is_active=True).first() if sender_email else None
    if sender is None or sender.is_staff or _membership(sender, ticket.company) is None:
        raise InboundRefused(
            _("%(sender)s may not reply to ticket %(number)s.") % {"sender": sender_email or "?", "number": number}
        )
    uploads = [
        ContentFile(
            part.get_content() if isinstance(part.get_content(), bytes) else part.get_content().encode(),
            name=part.get_filename() or "attachment",
        )
        for part in message.iter_attachments()
    ]
    try:
        return ticket_reply(
            ticket=ticket, author=sender, body=_reply_text(message), attachments=uploads, source=MessageSource.EMAIL
        )
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        raise InboundRefused(text) from error


# --- the generated admin's and API's writes (named by tickets/specs.py) ------------------------------------

ASSIGNMENT_FIELDS = {"assignee", "queue"}


@transaction.atomic
def ticket_create(
    *,
    company: Company,
    actor,
    body: str = "",
    message: str = "",
    requester=None,
    subject: str = "",
    category: str | None = None,
    priority: str | None = None,
    queue: Queue | None = None,
    cc_users: Iterable = (),
    device=None,
    service=None,
    assignee=None,
    description: str = "",
    comments: str = "",
    source: str = MessageSource.ADMIN,
) -> Ticket:
    """Open a ticket from the admin's form or the API: :func:`ticket_open` with the first message (``body``, or
    the admin form's ``message``), in the actor's name unless staff name a requester, then the assignee."""
    ticket = ticket_open(
        company=company,
        requester=requester or actor,
        subject=subject,
        body=body or message,
        category=category or TicketCategory.TECHNICAL,
        priority=priority or TicketPriority.NORMAL,
        queue=queue,
        cc_users=cc_users or (),
        device=device,
        service=service,
        actor=actor,
        source=source,
    )
    if assignee is not None:
        ticket = ticket_assign(ticket=ticket, assignee=assignee, actor=actor)
    if description or comments:
        ticket = _notes_set(ticket, description=description, comments=comments)
    return ticket


def _notes_set(ticket: Ticket, **notes) -> Ticket:
    """Description and comments are staff notes on the record, not part of the ticket's workflow."""
    for name, value in notes.items():
        setattr(ticket, name, value)
    ticket.save(update_fields=[*notes, "last_updated"])
    return ticket


@transaction.atomic
def ticket_change(*, ticket: Ticket, actor, **fields) -> Ticket:
    """The admin's and API's change of a ticket: details through :func:`ticket_update`, assignee and queue
    through :func:`ticket_assign`, status through :func:`ticket_set_status`, notes as they are."""
    fields.pop("body", None)
    fields.pop("message", None)
    status = fields.pop("status", None)
    assignment = {name: fields.pop(name) for name in ASSIGNMENT_FIELDS if name in fields}
    notes = {name: fields.pop(name) for name in ("description", "comments") if name in fields}
    cc_users = fields.pop("cc_users", None)
    if fields:
        ticket = ticket_update(ticket=ticket, actor=actor, **fields)
    if assignment:
        ticket = ticket_assign(
            ticket=ticket,
            assignee=assignment.get("assignee", ticket.assignee),
            queue=assignment.get("queue", ticket.queue),
            actor=actor,
        )
    if status and status != ticket.status:
        ticket = ticket_set_status(ticket=ticket, status=status, actor=actor)
    if cc_users is not None:
        _require_staff(actor)
        ticket.cc_users.set(cc_users)
    if notes:
        ticket = _notes_set(ticket, **notes)
    return ticket


@transaction.atomic
def message_post(
    *, ticket: Ticket, actor, body: str = "", is_internal: bool = False, canned_reply=None, source=MessageSource.ADMIN
) -> Message:
    """A message on a ticket's thread from the admin or API: an internal note (staff) or a public reply; an
    empty body takes the chosen canned reply's text."""
    if not (body or "").strip() and canned_reply is not None:
        body = canned_reply.render(ticket)
    if is_internal:
        return ticket_add_internal_note(ticket=ticket, author=actor, body=body)
    return ticket_reply(ticket=ticket, author=actor, body=body, source=source)


@transaction.atomic
def time_entry_log(
    *, ticket: Ticket, actor, minutes: int, work_done: str, billable=None, hourly_rate=None, work_date=None
) -> TimeEntry:
    """Time worked on a ticket, logged by the signed-in technician."""
    return ticket_log_time(
        ticket=ticket,
        technician=actor,
        minutes=minutes,
        work_done=work_done,
        billable=billable,
        hourly_rate=hourly_rate,
        work_date=work_date,
    )


queue_create, queue_update, queue_delete = plain_services(Queue)
businesscalendar_create, businesscalendar_update, businesscalendar_delete = plain_services(BusinessCalendar)
slapolicy_create, slapolicy_update, slapolicy_delete = plain_services(SLAPolicy)
cannedreply_create, cannedreply_update, cannedreply_delete = plain_services(CannedReply)
