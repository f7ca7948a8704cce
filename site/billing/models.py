"""Billing records: invoices and their lines, charges, credit notes, adjustments, payments, cards on file.

Nothing here is deleted in normal work: a wrong invoice is voided (its lines release their claim on the
periods they billed) and reissued; money given back is a credit note. Amounts are ``Decimal`` with four
decimal places in storage; the values written are already rounded to the currency's minor unit (see
``core.money``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from billing.choices import CreditNoteKind, InvoiceStatus, LineKind, PaymentMethod
from core.models import Model, PrimaryModel, TimestampedModel
from core.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, ZERO, format_money

AMOUNT = {"max_digits": 16, "decimal_places": 4}


def _money_field(verbose_name, **extra):
    return models.DecimalField(verbose_name, default=Decimal("0"), **AMOUNT, **extra)


def private_storage() -> FileSystemStorage:
    """Invoice PDFs live outside the web root and are served only by permission-checked views."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


class BillingProfile(PrimaryModel):
    """How a company is billed: currency, payment terms, tax exemption and where invoices are sent.

    Created lazily by ``billing.services.billing_profile_for``; a company without one is billed in the
    default currency on 30-day terms.
    """

    company = models.OneToOneField("accounts.Company", on_delete=models.PROTECT, related_name="billing_profile")
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=30, validators=[MaxValueValidator(365)]
    )
    tax_exempt = models.BooleanField(_("tax exempt"), default=False)
    tax_exemption_id = models.CharField(_("tax exemption id"), max_length=60, blank=True)
    billing_email = models.EmailField(_("billing e-mail"), blank=True)
    invoice_recipients = models.TextField(
        _("invoice e-mail recipients"), blank=True, help_text=_("Further addresses, one per line, copied on invoices.")
    )

    class Meta:
        verbose_name = _("billing profile")
        verbose_name_plural = _("billing profiles")
        ordering = ["company__name"]

    def __str__(self) -> str:
        return f"{self.company} ({self.currency})"

    def clean(self):
        super().clean()
        if self.tax_exempt and not self.tax_exemption_id.strip():
            raise ValidationError({"tax_exemption_id": _("A tax-exempt company needs its exemption certificate id.")})

    @property
    def recipients(self) -> list[str]:
        extra = [line.strip() for line in self.invoice_recipients.splitlines() if line.strip()]
        first = [self.billing_email or self.company.email]
        return [address for address in dict.fromkeys(first + extra) if address]


class TaxRate(PrimaryModel):
    """A sales tax / VAT rate: for one company, or for a country and optionally a region within it."""

    name = models.CharField(_("name"), max_length=60)
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. US."))
    region = models.CharField(_("state / region"), max_length=100, blank=True)
    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tax_rates",
        help_text=_("Set to override the regional rate for this company only."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ["country", "region", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.rate}%)"

    def clean(self):
        super().clean()
        if self.company_id is None and not self.country:
            raise ValidationError(_("A tax rate applies to a company or to a country (and region)."))


class InvoiceNumberSequence(Model):
    """A gapless counter, one row per document type. Only read and advanced under ``select_for_update``
    inside the transaction that finalises the document, so a rolled-back finalisation consumes no number."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    prefix = models.CharField(_("prefix"), max_length=10)
    next_value = models.PositiveBigIntegerField(_("next value"), default=1)
    digits = models.PositiveSmallIntegerField(_("digits"), default=6)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}: next {self.format(self.next_value)}"

    def format(self, value: int) -> str:
        return f"{self.prefix}{value:0{self.digits}d}"


class Invoice(PrimaryModel):
    """An invoice to one company. A draft has no number; finalising assigns the next number and freezes it.

    Totals are stored (for lists and reports) and always equal the sums of the lines (``totals_match``, checked
    by the services before finalising; not a database CHECK, since SQLite compares decimals as floats);
    the balance due is the total less payments and credits applied.
    """

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("number"), max_length=30, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=InvoiceStatus, default=InvoiceStatus.DRAFT)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True, help_text=_("Exclusive."))
    subtotal = _money_field(_("subtotal"), editable=False)
    tax_total = _money_field(_("tax"), editable=False)
    total = _money_field(_("total"), editable=False)
    amount_paid = _money_field(_("paid"), editable=False)
    credit_applied = _money_field(_("credit applied"), editable=False)
    billing_address = models.TextField(_("billing address"), blank=True, editable=False)
    tax_id = models.CharField(_("tax id"), max_length=60, blank=True, editable=False)
    tax_exemption_id = models.CharField(_("tax exemption id"), max_length=60, blank=True, editable=False)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True, editable=False)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True, editable=False)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    void_reason = models.CharField(_("void reason"), max_length=200, blank=True, editable=False)
    reissue_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reissues", editable=False
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=InvoiceStatus.DRAFT) | Q(status=InvoiceStatus.VOID) | Q(number__isnull=False),
                name="billing_invoice_finalised_has_number",
            ),
        ]
        indexes = [models.Index(fields=["company", "status"]), models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.number or _("Draft invoice %(pk)s") % {"pk": self.pk}

    @property
    def balance_due(self) -> Decimal:
        return self.balance_of(self.status, self.total, self.amount_paid, self.credit_applied)

    @staticmethod
    def balance_of(status: str, total: Decimal, amount_paid: Decimal, credit_applied: Decimal) -> Decimal:
        """What is left to pay of an invoice with these figures (nothing on a draft or a void invoice)."""
        if status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
            return ZERO
        return total - amount_paid - credit_applied

    @property
    def is_editable(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def is_sendable(self) -> bool:
        """Only finalised invoices are sent (never a draft or a voided one): the one statement of the rule."""
        return self.status not in (InvoiceStatus.DRAFT, InvoiceStatus.VOID)

    def totals_match(self) -> bool:
        """Whether the stored totals equal the sums of the lines."""
        rows = list(self.lines.values_list("net_amount", "tax_amount"))
        net, tax = sum((row[0] for row in rows), ZERO), sum((row[1] for row in rows), ZERO)
        return (self.subtotal, self.tax_total, self.total) == (net, tax, net + tax)

    @cached_property
    def pdf_or_none(self):
        try:
            return self.pdf
        except InvoicePDF.DoesNotExist:
            return None


class Charge(PrimaryModel):
    """A one-time charge waiting for the company's next invoice: added by staff, a late fee, or usage.

    Charges recorded by the system carry their ``source`` and a ``key`` unique within it (usage from
    monitoring, a late fee per invoice), so recording the same thing twice gives back the first charge
    (``billing.services.usage_charge_record``). ``kind`` is the kind of line it becomes.
    """

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="charges")
    title = models.CharField(_("what"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=4, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    unit_price = models.DecimalField(_("unit price"), **AMOUNT, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    taxable = models.BooleanField(_("taxable"), default=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind, default=LineKind.MANUAL_CHARGE)
    service_id = models.PositiveBigIntegerField(_("service"), null=True, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True, help_text=_("Exclusive."))
    source = models.CharField(
        _("source"), max_length=40, blank=True, editable=False, help_text=_("What recorded it, e.g. 'monitoring'.")
    )
    key = models.CharField(_("key"), max_length=200, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], condition=~Q(source=""), name="billing_charge_source_key")
        ]

    def __str__(self) -> str:
        return self.title


class InvoiceLine(TimestampedModel):
    """One explained amount: what, how many, at what price, the tax, and the service and period it bills.

    A recurring or one-time service line claims ``(service, period, kind, component)``; the unique constraint
    makes a second claim impossible, so a period is never billed twice. ``component`` says what of the service
    the line bills: ``"plan"``, or ``"option:<id>"`` for an add-on option, so plan and options each claim
    their own key. Voiding the invoice releases the claim
    (``released``), and the reissued invoice makes a new one.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind, default=LineKind.MANUAL_CHARGE)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=4, default=Decimal("1"))
    unit_price = models.DecimalField(_("unit price"), **AMOUNT)
    proration = models.DecimalField(
        _("proration"),
        max_digits=9,
        decimal_places=8,
        default=Decimal("1"),
        help_text=_("Days active / days in the period; 1 for a full period."),
    )
    net_amount = _money_field(_("net amount"))
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=6, decimal_places=3, default=Decimal("0"))
    tax_amount = _money_field(_("tax"))
    total_amount = _money_field(_("total"))
    service_id = models.PositiveBigIntegerField(_("service"), null=True, blank=True, db_index=True)
    component = models.CharField(
        _("component"),
        max_length=40,
        default="plan",
        help_text=_("What of the service the line bills: the plan, or an add-on option (option:<id>)."),
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True, help_text=_("Exclusive."))
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, null=True, blank=True, related_name="lines")
    time_entry_id = models.PositiveBigIntegerField(_("time entry"), null=True, blank=True)
    released = models.BooleanField(
        _("released"), default=False, editable=False, help_text=_("Its invoice was voided; the period may be rebilled.")
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_id", "period_start", "period_end", "kind", "component"],
                condition=Q(kind__in=[LineKind.RECURRING, LineKind.ONE_TIME], released=False),
                name="billing_line_service_period_once",
            ),
            models.UniqueConstraint(
                fields=["charge"], condition=Q(charge__isnull=False, released=False), name="billing_line_charge_once"
            ),
            models.UniqueConstraint(
                fields=["time_entry_id"],
                condition=Q(time_entry_id__isnull=False, released=False),
                name="billing_line_time_entry_once",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self):
        super().clean()
        if self.quantity is not None and self.quantity < 0 and self.kind != LineKind.ADJUSTMENT:
            raise ValidationError({"quantity": _("Quantities cannot be negative; use an adjustment or a credit note.")})
        if self.unit_price is not None and self.unit_price < 0 and self.kind != LineKind.ADJUSTMENT:
            raise ValidationError({"unit_price": _("Prices cannot be negative; use an adjustment or a credit note.")})
        if self.kind in (LineKind.RECURRING, LineKind.ONE_TIME) and (
            self.service_id is None or self.period_start is None or self.period_end is None
        ):
            raise ValidationError(_("A service line names its service and the period it bills."))
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            raise ValidationError({"period_end": _("A period ends after it starts.")})


class Adjustment(PrimaryModel):
    """A correction on a draft invoice (positive or negative), always with its reason."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="adjustments")
    amount = models.DecimalField(_("amount"), **AMOUNT)
    reason = models.CharField(_("reason"), max_length=300)
    line = models.OneToOneField(InvoiceLine, on_delete=models.PROTECT, related_name="adjustment", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.amount:.2f} – {self.reason}"  # stored at 4 places, shown at 2


class CreditNote(PrimaryModel):
    """Money given back: against one invoice, as account credit, or from an overpayment.

    ``remaining`` is what is left to apply; account credit is applied automatically to the company's next
    invoices when they are finalised.
    """

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(_("number"), max_length=30, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=CreditNoteKind, default=CreditNoteKind.ACCOUNT)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes", editable=False
    )
    payment = models.ForeignKey(
        "Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes", editable=False
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    amount = models.DecimalField(_("amount"), **AMOUNT, validators=[MinValueValidator(Decimal("0.0001"))])
    remaining = _money_field(_("remaining"), editable=False)
    reason = models.CharField(_("reason"), max_length=300)
    issue_date = models.DateField(_("issue date"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("amount")), name="billing_credit_remaining_range"
            )
        ]

    def __str__(self) -> str:
        return self.number


class CreditApplication(TimestampedModel):
    """Part of a credit note applied to an invoice; reversed (never deleted) when that invoice is voided."""

    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, related_name="applications")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_applications")
    amount = models.DecimalField(_("amount"), **AMOUNT)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit application")
        verbose_name_plural = _("credit applications")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.credit_note} → {self.invoice}: {self.amount}"


class StoredCard(TimestampedModel):
    """A card on file. Only the gateway's token, the brand, the last four digits and the expiry are kept:
    the card number and security code go to the gateway and are never stored."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="cards")
    gateway = models.CharField(_("gateway"), max_length=30, default="manual")
    token = models.CharField(_("gateway token"), max_length=200, editable=False)
    brand = models.CharField(_("brand"), max_length=20)
    last4 = models.CharField(_("last four digits"), max_length=4)
    exp_month = models.PositiveSmallIntegerField(
        _("expiry month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    exp_year = models.PositiveSmallIntegerField(_("expiry year"))
    holder_name = models.CharField(_("name on card"), max_length=120, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        verbose_name = _("card on file")
        verbose_name_plural = _("cards on file")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4} ({self.exp_month:02d}/{self.exp_year})"


class Payment(PrimaryModel):
    """Money received from a company; allocated to invoices, any excess becoming account credit."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod)
    amount = models.DecimalField(_("amount"), **AMOUNT, validators=[MinValueValidator(Decimal("0.0001"))])
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    gateway_reference = models.CharField(_("gateway reference"), max_length=100, blank=True, editable=False)
    card = models.ForeignKey(StoredCard, on_delete=models.PROTECT, null=True, blank=True, related_name="payments")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {format_money(self.amount, self.currency)} ({self.received_on})"


class PaymentAllocation(TimestampedModel):
    """The part of a payment that settles one invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), **AMOUNT, validators=[MinValueValidator(Decimal("0.0001"))])

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.payment} → {self.invoice}: {self.amount}"


class InvoicePDF(TimestampedModel):
    """The rendered PDF of a finalised invoice, stored privately (rendered by a worker, not a request)."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="pdf")
    file = models.FileField(_("file"), storage=private_storage, upload_to="billing/invoices/")
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("invoice PDF")
        verbose_name_plural = _("invoice PDFs")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.invoice} PDF"


class BillingRunRecord(TimestampedModel):
    """One billed month of the recurring run: when it was last run to the end and what it made in total.

    The next run reads the latest record to find months whose runs were missed (the machine was down) and
    bills them first (``billing.services.runs``); a run for one company only does not count as the month's run.
    """

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), unique=True, help_text=_("Exclusive."))
    last_run_at = models.DateTimeField(_("last run at"))
    runs = models.PositiveIntegerField(_("runs"), default=0)
    invoices = models.PositiveIntegerField(_("invoices made"), default=0)
    lines = models.PositiveIntegerField(_("lines made"), default=0)
    summary = models.CharField(_("last summary"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-period_end"]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m}"


class InvoiceEmail(TimestampedModel):
    """An e-mail about an invoice: the invoice itself (PDF attached; re-sendable) or a payment reminder.

    A reminder names its ``step`` (``before-7``, ``after-14``: days before or after the due date); the unique
    constraint makes each reminder go out once per invoice and step.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="emails")
    step = models.CharField(_("reminder step"), max_length=20, blank=True, help_text=_("Blank for the invoice."))
    subject = models.CharField(_("subject"), max_length=300)
    recipients = models.TextField(_("recipients"))
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("invoice e-mail")
        verbose_name_plural = _("invoice e-mails")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "step"], condition=~Q(step=""), name="billing_invoice_email_step_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invoice} → {self.recipients.replace(chr(10), ', ')} ({self.sent_at:%Y-%m-%d %H:%M})"


class NonPaymentSuspension(TimestampedModel):
    """A service billing suspended because its company's invoice stayed overdue; lifted (never deleted) when
    the company's overdue invoices are paid. Only services suspended this way are reactivated by billing."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="non_payment_suspensions")
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="non_payment_suspensions")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="suspensions")
    suspended_at = models.DateTimeField(_("suspended at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("suspension for non-payment")
        verbose_name_plural = _("suspensions for non-payment")
        ordering = ["-suspended_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"], condition=Q(lifted_at__isnull=True), name="billing_suspension_open_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.invoice})"
