"""Charges and adjustments: one-off, system and usage charges, billing or cancelling them, invoice adjustments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import LineKind
from billing.models import (
    Adjustment,
    Charge,
    Invoice,
    InvoiceLine,
)
from billing.services.invoices import invoice_add_line
from billing.services.profiles import billing_profile_for, billing_profiles_for
from core.money import round_money

# --- charges, adjustments, credit -------------------------------------------------------------------------


@transaction.atomic
def charge_add(
    *,
    company,
    title: str,
    unit_price: Decimal,
    quantity: Decimal = Decimal("1"),
    taxable: bool = True,
    actor=None,
    invoice: Invoice | None = None,
) -> Charge:
    """A one-time charge: on ``invoice`` (a draft) now, or waiting for the company's next invoice."""
    profile = billing_profile_for(company=company)
    charge = Charge(
        company=company,
        title=title,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        currency=profile.currency,
        taxable=taxable,
        created_by=actor,
    )
    charge.full_clean()
    charge.save()
    if invoice is not None:
        if invoice.company_id != company.pk:
            raise ValidationError(_("The charge and the invoice belong to different companies."))
        charge_bill(charge=charge, invoice=invoice)
    return charge


def charge_bill(*, charge: Charge, invoice: Invoice) -> InvoiceLine:
    """Put a waiting charge on a draft invoice (a charge is billed once: unique constraint)."""
    return invoice_add_line(
        invoice=invoice,
        description=charge.title,
        quantity=charge.quantity,
        unit_price=charge.unit_price,
        kind=charge.kind or LineKind.MANUAL_CHARGE,
        taxable=charge.taxable,
        charge=charge,
        service_id=charge.service_id,
        period_start=charge.period_start,
        period_end=charge.period_end,
    )


def system_charge_record(
    *,
    company,
    title: str,
    unit_price: Decimal,
    source: str,
    key: str,
    quantity: Decimal | int = 1,
    taxable: bool = True,
    kind: str = LineKind.MANUAL_CHARGE,
    currency: str | None = None,
    service_id: int | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> tuple[Charge, bool]:
    """A charge recorded by the system, once per (``source``, ``key``): returns (charge, created). Recording
    the same key again returns the first charge unchanged, also when two workers race (unique constraint)."""
    if not source or not key:
        raise ValueError("A system charge names its source and key.")
    existing = Charge.objects.filter(source=source, key=key).first()
    if existing is not None:
        return existing, False
    profile = billing_profile_for(company=company)
    currency = currency or profile.currency
    if currency != profile.currency:
        raise ValidationError(
            _("%(company)s is billed in %(billed)s, not %(currency)s.")
            % {"company": company, "billed": profile.currency, "currency": currency}
        )
    charge = Charge(
        company=company,
        title=title[:200],
        quantity=Decimal(quantity),
        unit_price=round_money(Decimal(unit_price), currency) if kind != LineKind.USAGE else Decimal(unit_price),
        currency=currency,
        taxable=taxable,
        kind=kind,
        service_id=service_id,
        period_start=period_start,
        period_end=period_end,
        source=source,
        key=key,
    )
    charge.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            charge.save()
    except IntegrityError:
        return Charge.objects.get(source=source, key=key), False
    return charge, True


@dataclass(frozen=True)
class UsageCharge:
    """One usage to bill (see :func:`usage_charge_record` for what each field means)."""

    company: object
    description: str
    quantity: Decimal
    unit_price: Decimal
    period_start: date
    period_end: date
    source: str
    key: str
    service: object = None
    taxable: bool = True

    def errors(self) -> dict[str, str]:
        """What is wrong with it, by field (empty when it can be recorded)."""
        errors = {}
        if not (self.description or "").strip():
            errors["description"] = _("Say what the usage is; it is the invoice line's text.")
        if self.period_end <= self.period_start:
            errors["period_end"] = _("A usage period ends after it starts.")
        if self.service is not None and self.service.company_id != self.company.pk:
            errors["service"] = _("The service belongs to another company.")
        if not self.source or not self.key:
            errors["key"] = _("A usage charge names its source and key.")
        return errors


@transaction.atomic
def usage_charge_record(
    *,
    company,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    period_start: date,
    period_end: date,
    source: str,
    key: str,
    service=None,
    taxable: bool = True,
) -> Charge:
    """Record usage to bill (e.g. bandwidth over the commit), picked up by the company's next invoice.

    The interface for usage-based lines: another app (monitoring's bandwidth overage, a later issue) calls it
    once it knows what to bill, for example::

        usage_charge_record(
            company=service.company,
            service=service,
            description="Bandwidth overage, 95th percentile 1,240 Mbit/s over a 1,000 Mbit/s commit",
            quantity=Decimal("240"),  # Mbit/s over the commit
            unit_price=Decimal("0.50"),  # per Mbit/s, in the company's billing currency
            period_start=date(2025, 3, 1),
            period_end=date(2025, 4, 1),  # exclusive
            source="monitoring.bandwidth",
            key=f"{service.pk}:2025-03",
        )

    * Idempotent by (``source``, ``key``): recording the same key again (a retried task, a re-run report)
      returns the first record and changes nothing; choose a key that names what is billed and its period.
    * It becomes a *usage* line (kind ``usage``) on the next invoice the recurring run makes for the company
      (or when staff bill waiting charges), with its description, quantity, unit price, the service and the
      period; once on an invoice it is never billed again (a voided invoice releases it for the reissue).
    * Amounts are ``Decimal`` in the company's billing currency; the line's net amount is rounded per line
      (``core.money``). Quantities and prices cannot be negative: give money back with a credit note.
    * Before it is invoiced, staff may withdraw it (``charge_cancel``); it is kept, marked cancelled.
    * Many at once (a month-end run): :func:`usage_charges_record`, the same rules in a constant number of
      queries.
    """
    usage = UsageCharge(
        company=company,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        period_start=period_start,
        period_end=period_end,
        source=source,
        key=key,
        service=service,
        taxable=taxable,
    )
    return usage_charges_record(usages=[usage])[0]


USAGE_BATCH = 2000


@transaction.atomic
def usage_charges_record(*, usages: Sequence[UsageCharge]) -> list[Charge]:
    """Record many usages to bill at once (:func:`usage_charge_record`'s rules), returning their charges in
    the same order: for a key recorded before, the first charge, unchanged.

    All or nothing: one usage that breaks a rule raises a ValidationError naming its key, and nothing is
    recorded. Queries: a constant number per batch of :data:`USAGE_BATCH` usages, whatever the companies
    (their billing profiles are read, or created, together); two workers recording the same keys at once get
    the same charges (the unique (source, key) constraint, inserts that skip a conflict).
    """
    usages = list(usages)
    for usage in usages:
        errors = usage.errors()
        if errors:
            raise ValidationError(
                {field: f"{usage.key or usage.description}: {message}" for field, message in errors.items()}
            )
    charges: list[Charge] = []
    for index in range(0, len(usages), USAGE_BATCH):
        charges += _usage_batch(usages[index : index + USAGE_BATCH])
    return charges


def _usage_batch(usages: list[UsageCharge]) -> list[Charge]:
    identities = [(usage.source, usage.key) for usage in usages]
    recorded = _charges_by_identity(identities)
    new = [usage for usage in usages if (usage.source, usage.key) not in recorded]
    if new:
        profiles = billing_profiles_for(companies={usage.company.pk: usage.company for usage in new}.values())
        charges, seen = [], set()
        for usage in new:
            if (usage.source, usage.key) in seen:
                continue  # the same key twice in one call: recorded once, like two calls
            seen.add((usage.source, usage.key))
            charge = Charge(
                company=usage.company,
                title=usage.description.strip()[:200],
                quantity=Decimal(usage.quantity),
                unit_price=Decimal(usage.unit_price),
                currency=profiles[usage.company.pk].currency,
                taxable=usage.taxable,
                kind=LineKind.USAGE,
                service_id=usage.service.pk if usage.service is not None else None,
                period_start=usage.period_start,
                period_end=usage.period_end,
                source=usage.source,
                key=usage.key,
            )
            # The company was given as an object: validating its foreign key would read it again per row.
            charge.full_clean(exclude=["company", "created_by"], validate_unique=False, validate_constraints=False)
            charges.append(charge)
        Charge.objects.bulk_create(charges, ignore_conflicts=True)
        stamps = {(charge.source, charge.key): charge.created for charge in charges}
        stored = _charges_by_identity(stamps)
        # History for the rows this call wrote (its own creation time); a racing worker's rows are its to record.
        Charge.history.bulk_history_create([row for identity, row in stored.items() if row.created == stamps[identity]])
        recorded.update(stored)
    return [recorded[identity] for identity in identities]


def _charges_by_identity(identities) -> dict[tuple[str, str], Charge]:
    """Charges by (source, key), in one query."""
    by_source: dict[str, list[str]] = {}
    for source, key in identities:
        by_source.setdefault(source, []).append(key)
    query = Q()
    for source, keys in by_source.items():
        query |= Q(source=source, key__in=keys)
    if not by_source:
        return {}
    return {(charge.source, charge.key): charge for charge in Charge.objects.filter(query)}


@transaction.atomic
def charge_cancel(*, charge: Charge) -> Charge:
    """Withdraw a charge that is not on an invoice yet (kept, marked cancelled)."""
    if charge.lines.filter(released=False).exists():
        raise ValidationError(_("This charge is on an invoice already; void the invoice or issue a credit note."))
    charge.cancelled_at = timezone.now()
    charge.save(update_fields=["cancelled_at", "last_updated"])
    return charge


@transaction.atomic
def adjustment_add(*, invoice: Invoice, amount: Decimal, reason: str, actor=None, taxable: bool = False) -> Adjustment:
    """A correction line (positive or negative) on a draft invoice, with its reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("An adjustment needs a reason the customer can read.")})
    amount = round_money(Decimal(amount), invoice.currency)
    if amount == 0:
        raise ValidationError({"amount": _("An adjustment of zero changes nothing.")})
    line = invoice_add_line(
        invoice=invoice,
        description=_("Adjustment: %(reason)s") % {"reason": reason.strip()},
        unit_price=amount,
        kind=LineKind.ADJUSTMENT,
        taxable=taxable,
    )
    adjustment = Adjustment(invoice=invoice, amount=amount, reason=reason.strip(), line=line, created_by=actor)
    adjustment.full_clean()
    adjustment.save()
    return adjustment
