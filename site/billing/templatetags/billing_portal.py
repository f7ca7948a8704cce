"""Portal template tags of billing: ``{% overdue_invoices as overdue %}`` for the dashboard's notice."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def overdue_invoices(context, limit: int = 5) -> list:
    """The current company's overdue invoices (oldest due first), for members whose role may see billing;
    empty otherwise. Scoped by ``core.tenancy.for_user`` like every portal read."""
    from billing.choices import InvoiceStatus
    from billing.models import Invoice
    from core.tenancy import for_user

    membership = context.get("membership")
    request = context.get("request")
    if membership is None or request is None or not membership.can("billing"):
        return []
    queryset = for_user(Invoice, request.user, company=membership.company, staff_scope=False)
    return list(queryset.filter(status=InvoiceStatus.OVERDUE).order_by("due_date", "pk")[:limit])


@register.simple_tag(takes_context=True)
def suspended_for_non_payment(context) -> int:
    """How many of the current company's services billing has suspended for non-payment (billing members
    only; 0 otherwise)."""
    from billing.models import NonPaymentSuspension

    membership = context.get("membership")
    if membership is None or not membership.can("billing"):
        return 0
    return NonPaymentSuspension.objects.filter(company=membership.company, lifted_at__isnull=True).count()
