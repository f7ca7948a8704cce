"""Every write of the billing app: keyword-only, atomic, validated. One module per concern; this package
re-exports every public name, so callers keep writing ``from billing import services`` /
``from billing.services import payment_record``.

Invariants kept here:

* invoice numbers come from a locked counter row inside the finalising transaction (gapless, unique);
* stored totals are recomputed from the lines whenever a line is added, and verified before finalising;
* nothing is deleted: void releases an invoice's claims and reverses its credits; money back is a credit note;
* card numbers and security codes go to the gateway only.

Modules: ``profiles``, ``numbering``, ``invoices``, ``charges`` (charges and adjustments), ``credits``,
``payments``, ``cards``, ``pdfs``, ``runs`` (recurring billing runs), ``overdue`` (reminders, late fees,
suspension for non-payment), ``emails`` (invoices and reminders by e-mail).
"""

from billing.services.cards import card_remove, card_save, invoice_charge_card
from billing.services.charges import (
    UsageCharge,
    adjustment_add,
    charge_add,
    charge_bill,
    charge_cancel,
    system_charge_record,
    usage_charge_record,
    usage_charges_record,
)
from billing.services.common import SEQUENCE_DEFAULTS
from billing.services.credits import credit_note_apply, credit_note_issue
from billing.services.emails import (
    invoice_deliver_once,
    invoice_email_send,
    invoice_recipients,
    invoice_send_check,
    reminder_send,
)
from billing.services.invoices import (
    EDITABLE_DRAFT_FIELDS,
    _recompute_totals,
    invoice_add_line,
    invoice_create_draft,
    invoice_finalise,
    invoice_line_add,
    invoice_reissue,
    invoice_update,
    invoice_void,
    invoices_mark_overdue,
    invoices_pdf_queue_missing,
)
from billing.services.overdue import (
    LATE_FEE_SOURCE,
    NON_PAYMENT,
    OverdueResult,
    late_fee_amount,
    late_fees_charge,
    overdue_handle,
    reminder_due,
    reminder_steps,
    reminders_send,
    services_reactivate_paid,
    services_suspend_for_non_payment,
)
from billing.services.payments import payment_record
from billing.services.pdfs import invoice_pdf_render, invoice_pdf_store
from billing.services.profiles import (
    PROFILE_FIELDS,
    billing_profile_change,
    billing_profile_for,
    billing_profile_update,
    billing_profiles_for,
)
from billing.services.runs import (
    PERIOD_MONTHS,
    PERIOD_NAMES,
    DueLine,
    RunResult,
    billing_run,
    period_due,
    periods_due,
    plan_period_containing,
    proration,
)
from billing.services.taxes import taxrate_create, taxrate_delete, taxrate_update

__all__ = [
    "invoice_send_check",
    "taxrate_create",
    "taxrate_delete",
    "taxrate_update",
    "DueLine",
    "LATE_FEE_SOURCE",
    "NON_PAYMENT",
    "OverdueResult",
    "PERIOD_MONTHS",
    "PERIOD_NAMES",
    "RunResult",
    "SEQUENCE_DEFAULTS",
    "_recompute_totals",
    "adjustment_add",
    "billing_profile_change",
    "billing_profile_for",
    "billing_profiles_for",
    "PROFILE_FIELDS",
    "billing_profile_update",
    "billing_run",
    "card_remove",
    "card_save",
    "charge_add",
    "charge_bill",
    "charge_cancel",
    "credit_note_apply",
    "credit_note_issue",
    "invoice_add_line",
    "invoice_line_add",
    "invoice_update",
    "EDITABLE_DRAFT_FIELDS",
    "invoice_charge_card",
    "invoice_create_draft",
    "invoice_deliver_once",
    "invoice_email_send",
    "invoice_finalise",
    "invoice_pdf_render",
    "invoice_pdf_store",
    "invoice_recipients",
    "invoice_reissue",
    "invoice_void",
    "invoices_mark_overdue",
    "invoices_pdf_queue_missing",
    "late_fee_amount",
    "late_fees_charge",
    "overdue_handle",
    "payment_record",
    "period_due",
    "periods_due",
    "plan_period_containing",
    "proration",
    "reminder_due",
    "reminder_send",
    "reminder_steps",
    "reminders_send",
    "services_reactivate_paid",
    "services_suspend_for_non_payment",
    "system_charge_record",
    "usage_charge_record",
    "usage_charges_record",
    "UsageCharge",
]
