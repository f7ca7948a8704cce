"""The customer dashboard's one notices area: what a company should know or do now.

Each provider is a callable taking the company and returning notices (``Notice`` or dicts of the same
keys), in a constant number of queries whatever the company holds. Apps add theirs to ``PROVIDERS`` (the
portal sits above every app, so it may import their selectors); ``dashboard_notices`` gathers them, drops
those the member's role may not see, and orders them by level.

    PROVIDERS.append(monitoring.selectors.incident_notices)

A provider may declare ``provider.probe(company)``: a queryset that finds a row whenever the provider may have
something to say (the rows it reads, before its joins). All probes are asked in one query
(``core.probes.exists_each``) and only providers whose probe found a row are called, so a company with nothing
to be told costs one query instead of one per provider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LEVELS = ("danger", "warning", "info")


@dataclass(frozen=True)
class Notice:
    """One notice. ``capability`` is the company-role capability needed to see it (``accounts.choices``);
    ``items`` are optional (text, url) pairs listed under the body."""

    kind: str
    level: str
    title: str
    body: str = ""
    url: str = ""
    url_label: str = ""
    capability: str = "view"
    items: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"Notice level must be one of {LEVELS}, not {self.level!r}.")


def _as_notice(value) -> Notice:
    if isinstance(value, Notice):
        return value
    data = dict(value)
    data["items"] = tuple(tuple(item) for item in data.get("items", ()))
    return Notice(**data)


def overdue_invoices(company):
    """``company``'s overdue invoices (``overdue_invoice_notices``' probe)."""
    from billing.choices import InvoiceStatus
    from billing.models import Invoice

    return Invoice.objects.filter(company=company, status=InvoiceStatus.OVERDUE)


def overdue_invoice_notices(company) -> list[Notice]:
    """Overdue invoices (oldest due first, at most five listed) and billing's suspensions, in two queries."""
    from billing.models import NonPaymentSuspension
    from billing.templatetags.billing_money import money

    overdue = list(overdue_invoices(company).order_by("due_date", "pk")[:6])
    if not overdue:
        return []
    suspended = NonPaymentSuspension.objects.filter(company=company, lifted_at__isnull=True).count()
    items = tuple(
        (
            _("%(number)s: %(amount)s %(currency)s was due on %(due)s")
            % {
                "number": invoice.number,
                "amount": money(invoice.balance_due, invoice.currency),
                "currency": invoice.currency,
                "due": date_format(invoice.due_date, "SHORT_DATE_FORMAT"),
            },
            reverse("portal:billing_invoice", args=[invoice.pk]),
        )
        for invoice in overdue[:5]
    )
    count = len(overdue)
    title = (
        _("You have an overdue invoice")
        if count == 1
        else (_("You have more than 5 overdue invoices") if count > 5 else _("You have %(count)s overdue invoices"))
        % {"count": count}
    )
    if suspended:
        body = (
            ngettext(
                "One of your services is suspended for non-payment.",
                "%(count)s of your services are suspended for non-payment.",
                suspended,
            )
            % {"count": suspended}
            + " "
            + _("They are reactivated as soon as the overdue invoices are paid.")
        )
        level = "danger"
    else:
        body = _("Please pay to avoid suspension of your services.")
        level = "warning"
    return [
        Notice(
            kind="billing.overdue",
            level=level,
            title=title,
            body=body,
            url=reverse("portal:billing"),
            url_label=_("Go to billing"),
            capability="billing",
            items=items,
        )
    ]


overdue_invoice_notices.capability = "billing"
overdue_invoice_notices.probe = overdue_invoices


def _elsewhere(module: str, name: str):
    """Another app's provider, imported when first used; its probe comes along."""

    def provider(company):
        return getattr(import_module(module), name)(company)

    def probe(company):
        return getattr(import_module(module), name).probe(company)

    provider.__name__ = provider.__qualname__ = name
    provider.probe = probe
    return provider


PROVIDERS: list[Callable[..., Iterable[Notice | dict]]] = [
    overdue_invoice_notices,
    _elsewhere("monitoring.check_selectors", "incident_notices"),
    _elsewhere("monitoring.selectors", "abuse_notices"),
    _elsewhere("monitoring.selectors", "overage_notices"),
    _elsewhere("monitoring.selectors", "bandwidth_notices"),
]


def notice_probes(*, company, membership) -> dict[str, object]:
    """The probes of the providers ``membership`` may see, by ``notices.<index in PROVIDERS>``: for the
    dashboard to ask together with its own (see ``dashboard_notices(found=…)``)."""
    return {
        f"notices.{index}": provider.probe(company)
        for index, provider in enumerate(PROVIDERS)
        if hasattr(provider, "probe") and membership.can(getattr(provider, "capability", "view"))
    }


def dashboard_notices(*, user, company, membership=None, found: dict[str, bool] | None = None) -> list[Notice]:
    """Every provider's notices for ``company`` that ``user``'s role there may see, most urgent first.

    ``membership`` (the user's at ``company``) saves its look-up when the caller has it. ``found`` is what
    ``core.probes.exists_each`` answered for ``notice_probes`` when the caller asked them with its own; without
    it the probes are asked here, in one query.
    """
    from core.probes import exists_each

    if membership is None:
        from accounts.models import Membership

        membership = Membership.objects.filter(user=user, company=company, is_active=True).first()
    if membership is None:
        return []
    if found is None:
        found = exists_each(notice_probes(company=company, membership=membership))
    # A provider may say up front which capability all its notices need (``provider.capability``), so
    # members without it cost it no query; one whose probe found nothing is not called.
    notices = [
        _as_notice(value)
        for index, provider in enumerate(PROVIDERS)
        if membership.can(getattr(provider, "capability", "view")) and found.get(f"notices.{index}", True)
        for value in provider(company)
    ]
    visible = [notice for notice in notices if membership.can(notice.capability)]
    return sorted(visible, key=lambda notice: LEVELS.index(notice.level))
