"""Demo tickets for Acme and Globex: open, waiting, remote hands with time and parts, resolved and closed."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from accounts.models import Company
from core.demo import demo_step
from tickets import services
from tickets.choices import MessageSource, TicketCategory, TicketPriority, TicketStatus
from tickets.models import Ticket

# company, requester, subject, category, priority, first message, steps
DEMO_TICKETS = [
    (
        "Acme Hosting",
        "alice@acme.example",
        "Server web-03 does not answer on its public IP",
        TicketCategory.TECHNICAL,
        TicketPriority.HIGH,
        "Since 09:10 web-03 (rack B04) answers neither ping nor HTTP. The console shows a login prompt.",
        [
            "claim",
            "reply:We see the link on the switch port flapping and are checking the cable.",
            "note:Port Gi1/0/17 on sw-b04-1 shows CRC errors; the patch cable is a suspect. Do not tell the customer "
            "before NOC confirms.",
        ],
    ),
    (
        "Acme Hosting",
        "alice@acme.example",
        "Please replace the failed disk in db-01",
        TicketCategory.REMOTE_HANDS,
        TicketPriority.NORMAL,
        "The RAID controller reports disk 2 of db-01 as failed. A spare is in our locker, shelf 3.",
        [
            "claim",
            "reply:Disk 2 was replaced with the spare from your locker; the array is rebuilding.",
            "time:45:Replaced disk 2 of db-01 and checked the rebuild",
            "part:Hot-swap caddy:1:15.00",
            "status:resolved",
        ],
    ),
    (
        "Acme Hosting",
        "alice@acme.example",
        "Question about the April invoice",
        TicketCategory.BILLING,
        TicketPriority.LOW,
        "The April invoice lists two cross-connects; we only have one.",
        ["reply:Could you tell us which cross-connect id you see on your side?", "status:waiting_customer"],
    ),
    (
        "Globex",
        "bob@globex.example",
        "Provision two more IPv4 addresses",
        TicketCategory.PROVISIONING,
        TicketPriority.NORMAL,
        "We need two more addresses on our /29 for a new load balancer.",
        ["reply:Done: 203.0.113.14 and .15 are routed to your VLAN.", "status:closed"],
    ),
    (
        "Globex",
        "bob@globex.example",
        "Abuse report <script>alert(1)</script> received?",
        TicketCategory.ABUSE,
        TicketPriority.URGENT,
        "Did you forward us an abuse report about 198.51.100.7? <b>We cannot find it.</b>",
        [],
    ),
]


def _staff(username: str):
    return get_user_model().objects.filter(username=username).first()


@demo_step("Tickets", order=60)
def load_tickets() -> str:
    """A realistic mix of open, waiting, remote-hands and closed tickets (skipped when they exist)."""
    technician = _staff("support") or _staff("admin")
    if technician is None:
        return "skipped: no staff user"
    created = 0
    for company_name, email, subject, category, priority, body, steps in DEMO_TICKETS:
        company = Company.objects.filter(name=company_name).first()
        requester = get_user_model().objects.filter(email=email).first()
        if company is None or requester is None or Ticket.objects.filter(company=company, subject=subject).exists():
            continue
        ticket = services.ticket_open(
            company=company, requester=requester, subject=subject, body=body, category=category, priority=priority
        )
        for step in steps:
            kind, _sep, rest = step.partition(":")
            if kind == "claim":
                ticket = services.ticket_claim(ticket=ticket, actor=technician)
            elif kind == "reply":
                services.ticket_reply(ticket=ticket, author=technician, body=rest, source=MessageSource.ADMIN)
            elif kind == "note":
                services.ticket_add_internal_note(ticket=ticket, author=technician, body=rest)
            elif kind == "time":
                minutes, work_done = rest.split(":", 1)
                services.ticket_log_time(
                    ticket=ticket, technician=technician, minutes=int(minutes), work_done=work_done
                )
            elif kind == "part":
                name, quantity, price = rest.split(":")
                services.ticket_add_part(
                    ticket=ticket, actor=technician, name=name, quantity=int(quantity), unit_price=Decimal(price)
                )
            elif kind == "status":
                ticket = services.ticket_set_status(ticket=ticket, status=TicketStatus(rest), actor=technician)
        created += 1
    return f"{created} tickets created ({Ticket.objects.count()} in all)"
