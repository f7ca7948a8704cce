"""Ticket factories for the generic suites (``@register_factory``) and the tickets tests.

Everything is made through the services, so the objects are the ones customers and staff really get.
"""

import base64
from decimal import Decimal

from django.core.files.base import ContentFile

from accounts.choices import CompanyRole, StaffRole
from accounts.models import Membership
from tests.accounts.factories import MembershipFactory, UserFactory, staff_member
from tests.factories import register_factory, register_foreign_portal_object
from tickets import services
from tickets.choices import TicketCategory
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

# A valid 1×1 PNG.
PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def png_upload(name: str = "photo.png") -> ContentFile:
    return ContentFile(PNG_BYTES, name=name)


def company_requester(company):
    """An active member of ``company`` who may open tickets (the first one, else a new technical member)."""
    membership = (
        Membership.objects.filter(company=company, is_active=True, role__in=[CompanyRole.OWNER, CompanyRole.TECHNICAL])
        .select_related("user")
        .first()
    )
    if membership is None:
        membership = MembershipFactory(company=company, user=UserFactory(), role=CompanyRole.TECHNICAL)
    return membership.user


def technician():
    """A support technician (one per test database)."""
    from accounts.models import User

    user = User.objects.filter(email="tech@serverstock.test").first()
    return user or staff_member(roles=[StaffRole.SUPPORT], email="tech@serverstock.test", full_name="Tess Tech")


@register_factory(Ticket)
def make_ticket(company, **fields) -> Ticket:
    fields.setdefault("subject", "Server does not boot")
    fields.setdefault("body", "It stopped after a kernel update.")
    return services.ticket_open(
        company=company, requester=fields.pop("requester", None) or company_requester(company), **fields
    )


@register_factory(Message)
def make_message(company) -> Message:
    ticket = make_ticket(company)
    return ticket.messages.first()


@register_factory(Attachment)
def make_attachment(company) -> Attachment:
    ticket = make_ticket(company, attachments=[png_upload()])
    return Attachment.objects.get(message__ticket=ticket)


@register_factory(TimeEntry)
def make_time_entry(company) -> TimeEntry:
    ticket = make_ticket(company, category=TicketCategory.REMOTE_HANDS)
    return services.ticket_log_time(ticket=ticket, technician=technician(), minutes=30, work_done="Swapped a disk")


@register_factory(PartUsed)
def make_part(company) -> PartUsed:
    ticket = make_ticket(company, category=TicketCategory.REMOTE_HANDS)
    return services.ticket_add_part(ticket=ticket, actor=technician(), name="SSD 960 GB", unit_price=Decimal("89.00"))


@register_foreign_portal_object("ticket_detail", "ticket_reply", "ticket_close")
def _globex_ticket(globex, bob):
    return [make_ticket(globex, requester=bob).pk]


@register_foreign_portal_object("ticket_attachment", "ticket_attachment_preview")
def _globex_attachment(globex, bob):
    attachment = make_attachment(globex)
    return [attachment.message.ticket_id, attachment.pk]


# --- queues, calendars, SLA policies and canned replies, through the services ------------------------------

_numbers = __import__("itertools").count(1)


@register_factory(Queue)
def queue_for(company) -> Queue:
    number = next(_numbers)
    return services.queue_create(name=f"Queue {number}", slug=f"queue-{number}")


@register_factory(BusinessCalendar)
def calendar_for(company) -> BusinessCalendar:
    return services.businesscalendar_create(name=f"Calendar {next(_numbers)}")


@register_factory(SLAPolicy)
def sla_policy_for(company) -> SLAPolicy:
    # One policy per priority and company: a fresh company's contract policy at a rotating priority.
    priorities = ("low", "normal", "high", "urgent")
    return services.slapolicy_create(
        name=f"Policy {next(_numbers)}",
        company=company,
        priority=priorities[next(_numbers) % 4],
        first_response_minutes=60,
        resolution_minutes=240,
    )


@register_factory(CannedReply)
def canned_reply_for(company) -> CannedReply:
    return services.cannedreply_create(title=f"Reply {next(_numbers)}", body="We are on it.")
