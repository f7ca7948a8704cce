"""Choices of the billing app, with the badge colours the admin shows beside them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    VOID = "void", _("Void")


INVOICE_STATUS_COLOURS = {
    InvoiceStatus.DRAFT: "info",
    InvoiceStatus.OPEN: "primary",
    InvoiceStatus.PARTIALLY_PAID: "warning",
    InvoiceStatus.PAID: "success",
    InvoiceStatus.OVERDUE: "danger",
    InvoiceStatus.VOID: "info",
}

# Finalised invoices that still expect money.
UNPAID_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.OVERDUE)


class LineKind(models.TextChoices):
    RECURRING = "recurring", _("Recurring")
    ONE_TIME = "one_time", _("One-time")
    MANUAL_CHARGE = "manual_charge", _("Manual charge")
    REMOTE_HANDS = "remote_hands", _("Remote hands")
    USAGE = "usage", _("Usage / overage")
    ADJUSTMENT = "adjustment", _("Adjustment")


LINE_KIND_COLOURS = {
    LineKind.RECURRING: "primary",
    LineKind.ONE_TIME: "info",
    LineKind.MANUAL_CHARGE: "info",
    LineKind.REMOTE_HANDS: "warning",
    LineKind.USAGE: "warning",
    LineKind.ADJUSTMENT: "danger",
}


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CARD = "card", _("Card")


PAYMENT_METHOD_COLOURS = {
    PaymentMethod.BANK_TRANSFER: "primary",
    PaymentMethod.CHEQUE: "info",
    PaymentMethod.CARD: "success",
}


class CreditNoteKind(models.TextChoices):
    INVOICE = "invoice", _("Against an invoice")
    ACCOUNT = "account", _("Account credit")
    OVERPAYMENT = "overpayment", _("Overpayment")


CREDIT_NOTE_KIND_COLOURS = {
    CreditNoteKind.INVOICE: "primary",
    CreditNoteKind.ACCOUNT: "info",
    CreditNoteKind.OVERPAYMENT: "success",
}
