"""What the customer's main page shows at a glance, each part in a constant number of queries.

Every read is scoped by ``core.tenancy.for_user`` to the company the member acts for; parts the member's
role may not see are left out (``None``), not computed. Parts that are empty for most companies at any time
(open tickets, each kind of notice) are first probed together in one query (``core.probes.exists_each``) and
read only when their probe finds a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, OuterRef, Subquery, Value, When

from core.tenancy import for_user

# How many rows each card lists before "see all".
CARD_ROWS = 5


def _scoped(model, user, company):
    return for_user(model, user, company=company, staff_scope=False)


@dataclass
class BillingSummary:
    """The balance, the next invoice to pay, and when services are next billed."""

    balance: object
    next_invoice: dict | None  # a row of ``billing.selectors.invoice_rows``
    next_billing_date: object | None


def billing_summary(*, user, company, next_billing_date=None) -> BillingSummary:
    """At most four queries: the balance (three) and, when an invoice is open, the unpaid invoice due first.
    ``next_billing_date`` comes from :func:`services_summary`, which reads it with the counts."""
    from billing.choices import UNPAID_STATUSES
    from billing.models import Invoice
    from billing.selectors import company_balance, invoice_rows

    balance = company_balance(company=company)
    next_invoice = None
    if balance.open_invoices:
        unpaid = _scoped(Invoice, user, company).filter(status__in=UNPAID_STATUSES)
        next_invoice = next(iter(invoice_rows(unpaid.order_by("due_date", "pk")[:1])), None)
    return BillingSummary(balance=balance, next_invoice=next_invoice, next_billing_date=next_billing_date)


# Statuses called out on the main page: the customer should know, or act.
ATTENTION_STATUSES = ("suspended", "cancellation_requested", "pending", "provisioning")


@dataclass
class ServicesSummary:
    """Current services counted by status, and those needing attention listed."""

    counts: list[tuple[str, str, int]]  # (status, label, count), in lifecycle order
    total: int
    attention: list = field(default_factory=list)
    next_billing_date: object | None = None  # of the active services


def services_summary(*, user, company) -> ServicesSummary:
    """At most two queries: the counts (and next billing date) by status, and the services to call out (when
    a count says there are some)."""
    from django.db.models import Min

    from catalog.choices import CURRENT_STATUSES, ServiceStatus
    from catalog.models import Service

    services = _scoped(Service, user, company).filter(status__in=CURRENT_STATUSES)
    rows = services.order_by().values_list("status").annotate(n=Count("pk"), next_billing=Min("next_billing_date"))
    by_status = {status: count for status, count, _next in rows}
    next_billing_date = next((day for status, _count, day in rows if status == ServiceStatus.ACTIVE), None)
    counts = [
        (status, ServiceStatus(status).label, by_status[status]) for status in CURRENT_STATUSES if status in by_status
    ]
    # Suspended and pending cancellation first: those change what the customer has; then what is on its way.
    attention = []
    if any(status in by_status for status in ATTENTION_STATUSES):
        rank = Case(*(When(status=status, then=Value(i)) for i, status in enumerate(ATTENTION_STATUSES)))
        attention = list(
            services.filter(status__in=ATTENTION_STATUSES)
            .select_related("plan__product")
            .annotate(rank=rank)
            .order_by("rank", "pk")[:CARD_ROWS]
        )
    return ServicesSummary(
        counts=counts, total=sum(by_status.values()), attention=attention, next_billing_date=next_billing_date
    )


@dataclass
class TicketsSummary:
    """Open tickets, most recently active first, each with its last reply and whose move it is."""

    open_count: int
    tickets: list


def _waiting_on(ticket) -> str:
    """``customer``, ``third_party`` or ``support``: who the ticket waits for."""
    from tickets.choices import TicketStatus

    if ticket.status == TicketStatus.WAITING_ON_CUSTOMER:
        return "customer"
    if ticket.status == TicketStatus.WAITING_ON_THIRD_PARTY:
        return "third_party"
    return "support"


def open_tickets(*, user, company):
    """The company's open tickets (``tickets_summary``' probe)."""
    from tickets.models import Ticket

    return _scoped(Ticket, user, company).open()


def tickets_summary(*, user, company) -> TicketsSummary:
    """One query: the latest open tickets with their last public reply annotated and the open count (a window
    over the whole filtered set, so the slice still carries it)."""
    from django.db.models import Window

    from tickets.models import Message

    last_reply = Message.objects.public().filter(ticket=OuterRef("pk")).order_by("-created", "-pk")
    tickets = list(
        open_tickets(user=user, company=company)
        .annotate(
            last_reply_at=Subquery(last_reply.values("created")[:1]),
            last_reply_by_staff=Subquery(last_reply.values("author__is_staff")[:1]),
            last_reply_author=Subquery(last_reply.values("author__full_name")[:1]),
            last_reply_email=Subquery(last_reply.values("author__email")[:1]),
            open_total=Window(Count("pk")),
        )
        .order_by("-last_message_at", "-pk")[:CARD_ROWS]
    )
    for ticket in tickets:
        ticket.waiting_on = _waiting_on(ticket)
    return TicketsSummary(open_count=tickets[0].open_total if tickets else 0, tickets=tickets)


@dataclass
class BandwidthSummary:
    """The company's monitored ports with the latest rates against each one's commit."""

    rows: list
    total: int
    in_bps: float
    out_bps: float
    commit_mbps: int


# What the bandwidth card shows of a port, its device and its state (whole rows decrypted the devices' secrets).
BANDWIDTH_CARD_COLUMNS = (
    "name",
    "speed",
    "device__name",
    "monitoring_state__interface",
    "monitoring_state__in_bps",
    "monitoring_state__out_bps",
    "monitoring_state__rates_at",
    "monitoring_state__commit_mbps",
)


def monitored_interfaces(*, user, company):
    """The company's ports with a monitoring state."""
    from dcim.models import Interface

    return _scoped(Interface, user, company).filter(monitoring_state__isnull=False)


def bandwidth_summary(*, user, company) -> BandwidthSummary:
    """Two queries: the busiest ports with their state (and the count, as a window), and their commits."""
    from django.db.models import F, Window
    from django.db.models.functions import Coalesce, Greatest

    from monitoring.selectors import interface_commits_mbps

    busiest = list(
        monitored_interfaces(user=user, company=company)
        .select_related("device", "monitoring_state")
        .only(*BANDWIDTH_CARD_COLUMNS)
        .annotate(
            # Coalesce: SQLite's MAX() of a NULL is NULL where PostgreSQL's GREATEST skips it.
            peak=Greatest(Coalesce(F("monitoring_state__in_bps"), 0.0), Coalesce(F("monitoring_state__out_bps"), 0.0)),
            total=Window(Count("pk")),
        )
        .order_by(F("peak").desc(nulls_last=True), "device__name", "name")[:CARD_ROWS]
    )
    total = busiest[0].total if busiest else 0
    commits = interface_commits_mbps(interface_ids=[interface.pk for interface in busiest]) if busiest else {}
    rows = []
    for interface in busiest:
        state = interface.monitoring_state
        commit = state.commit_with(commits)
        peak = max(state.in_bps or 0, state.out_bps or 0)
        rows.append(
            {
                "interface": interface,
                "state": state,
                "commit_mbps": commit,
                "percent": round(peak / (commit * 1e6) * 100) if commit and state.rates_at else None,
            }
        )
    return BandwidthSummary(
        rows=rows,
        total=total,
        in_bps=sum(row["state"].in_bps or 0 for row in rows),
        out_bps=sum(row["state"].out_bps or 0 for row in rows),
        commit_mbps=sum(row["commit_mbps"] or 0 for row in rows),
    )


def dashboard(*, user, membership) -> dict:
    """The main page's context: each card the member's role may see, and the notices.

    One query first asks which of the usually empty parts have rows (the notices' probes, open tickets); the
    others are not read.
    """
    from core.probes import exists_each
    from portal.notices import dashboard_notices, notice_probes
    from tickets.services import customer_may_write

    company = membership.company
    found = exists_each(
        {
            "tickets": open_tickets(user=user, company=company),
            **notice_probes(company=company, membership=membership),
        }
    )
    services = services_summary(user=user, company=company)
    return {
        "company": company,
        "can_order": membership.can("order"),
        "can_open_ticket": customer_may_write(membership),
        "notices": dashboard_notices(user=user, company=company, membership=membership, found=found),
        "billing": (
            billing_summary(user=user, company=company, next_billing_date=services.next_billing_date)
            if membership.can("billing")
            else None
        ),
        "services": services,
        "tickets": tickets_summary(user=user, company=company) if found["tickets"] else TicketsSummary(0, []),
        # Not probed: most customers have monitored ports (their switch ports), and the card's own read is
        # hardly dearer than a probe of the ports' tenancy paths.
        "bandwidth": bandwidth_summary(user=user, company=company),
    }
