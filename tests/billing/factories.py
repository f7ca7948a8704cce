"""Billing factories for the generic suites (``@register_factory``) and the billing tests; all through services."""

from datetime import date, timedelta
from decimal import Decimal

from billing import services
from billing.choices import PaymentMethod
from billing.models import (
    Adjustment,
    BillingProfile,
    BillingRunRecord,
    Charge,
    CreditApplication,
    CreditNote,
    Invoice,
    InvoiceEmail,
    InvoiceLine,
    InvoiceNumberSequence,
    InvoicePDF,
    NonPaymentSuspension,
    Payment,
    PaymentAllocation,
    StoredCard,
    TaxRate,
)
from tests.factories import register_factory, register_foreign_portal_object

VISA = "4242 4242 4242 4242"


def make_draft(company, *lines) -> Invoice:
    """A draft with ``lines`` given as (description, quantity, unit price) (one default line if none)."""
    invoice = services.invoice_create_draft(company=company)
    for description, quantity, unit_price in lines or [("Rack space", Decimal("1"), Decimal("100.00"))]:
        services.invoice_add_line(
            invoice=invoice, description=description, quantity=Decimal(quantity), unit_price=Decimal(unit_price)
        )
    return invoice


@register_factory(Invoice)
def make_invoice(company, *lines) -> Invoice:
    """A finalised (open) invoice."""
    return services.invoice_finalise(invoice=make_draft(company, *lines), render_pdf=False)


@register_factory(InvoiceLine)
def make_line(company) -> InvoiceLine:
    return make_invoice(company).lines.first()


@register_factory(Payment)
def make_payment(company) -> Payment:
    return services.payment_record(
        company=company, amount=Decimal("10.00"), method=PaymentMethod.BANK_TRANSFER, received_on=date(2025, 1, 1)
    )


@register_factory(CreditNote)
def make_credit_note(company) -> CreditNote:
    return services.credit_note_issue(company=company, amount=Decimal("5.00"), reason="Goodwill")


@register_factory(BillingProfile)
def make_profile(company) -> BillingProfile:
    return services.billing_profile_for(company=company)


@register_factory(StoredCard)
def make_card(company) -> StoredCard:
    return services.card_save(company=company, number=VISA, exp_month=12, exp_year=date.today().year + 2, cvc="123")


@register_factory(InvoiceEmail)
def make_invoice_email(company) -> InvoiceEmail:
    from billing.services.emails import invoice_email_send

    if not services.billing_profile_for(company=company).recipients:
        services.billing_profile_update(company=company, billing_email=f"billing-{company.pk}@example.test")
    return invoice_email_send(invoice=make_invoice(company))


@register_factory(Charge)
def make_usage_charge(company) -> Charge:
    return services.usage_charge_record(
        company=company,
        description="Bandwidth overage, 240 Mbit/s over the commit",
        quantity=Decimal("240"),
        unit_price=Decimal("0.50"),
        period_start=date(2025, 3, 1),
        period_end=date(2025, 4, 1),
        source="tests",
        key=f"{company.pk}:{Charge.objects.count()}",
    )


@register_factory(NonPaymentSuspension)
def make_suspension(company) -> NonPaymentSuspension:
    """A service of ``company`` suspended because its invoice is long overdue."""
    from billing.services.overdue import services_suspend_for_non_payment
    from tests.catalog.factories import active_service

    service = active_service(company, label="Overdue cabinet")
    invoice = make_invoice(company)
    later = invoice.due_date + timedelta(days=60)
    services.invoices_mark_overdue(today=later)
    services_suspend_for_non_payment(today=later, company_ids=[company.pk])
    return NonPaymentSuspension.objects.get(service=service)


@register_foreign_portal_object("billing_invoice", "billing_invoice_pdf")
def _globex_invoice(globex, bob):
    return [make_invoice(globex).pk]


# --- staff-only records and reference data, made through the services ------------------------------------

_numbers = __import__("itertools").count(1)
_pdf_bytes: list[bytes] = []


@register_factory(TaxRate)
def make_tax_rate(company) -> TaxRate:
    return services.taxrate_create(name=f"VAT {next(_numbers)}", rate=Decimal("20.000"), company=company)


@register_factory(Adjustment)
def make_adjustment(company) -> Adjustment:
    return services.adjustment_add(invoice=make_draft(company), amount=Decimal("-1.00"), reason="Goodwill")


@register_factory(PaymentAllocation)
def make_allocation(company) -> PaymentAllocation:
    invoice = make_invoice(company)
    payment = services.payment_record(
        company=company, amount=Decimal("5.00"), method=PaymentMethod.BANK_TRANSFER, invoice=invoice
    )
    return PaymentAllocation.objects.get(payment=payment)


@register_factory(CreditApplication)
def make_credit_application(company) -> CreditApplication:
    invoice = make_invoice(company)
    note = services.credit_note_issue(company=company, amount=Decimal("5.00"), reason="Goodwill", invoice=invoice)
    return CreditApplication.objects.filter(credit_note=note).latest("pk")


@register_factory(InvoiceNumberSequence)
def make_sequence(company) -> InvoiceNumberSequence:
    make_invoice(company)  # finalising takes the next number from the "invoice" counter
    return InvoiceNumberSequence.objects.get(name="invoice")


@register_factory(InvoicePDF)
def make_invoice_pdf(company) -> InvoicePDF:
    """A real rendered PDF: WeasyPrint renders the first; later ones store the same bytes for other invoices."""
    invoice = make_invoice(company)
    if not _pdf_bytes:
        pdf = services.invoice_pdf_render(invoice=invoice)
        _pdf_bytes.append(pdf.file.read())
        return pdf
    return services.invoice_pdf_store(invoice=invoice, content=_pdf_bytes[0])


@register_factory(BillingRunRecord)
def make_run_record(company) -> BillingRunRecord:
    from billing.services import billing_run

    day = date(2025, 1, 1) + timedelta(days=31 * next(_numbers))
    billing_run(run_date=day.replace(day=1), render_pdfs=False, catch_up=False)
    return BillingRunRecord.objects.latest("pk")
