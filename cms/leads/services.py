"""Writes for leads: store a quote request and tell the sales team once it is committed."""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.contrib.forms.models import FormSubmission

from cms.leads.models import Lead

logger = logging.getLogger(__name__)

# Form field clean names (as Wagtail derives them from labels) that fill the lead's columns.
FIELD_ALIASES = {
    "name": ("name", "full_name", "your_name", "contact_name"),
    "email": ("email", "e_mail", "email_address", "your_email", "work_email"),
    "company_name": ("company", "company_name", "organisation", "organization"),
    "phone": ("phone", "phone_number", "telephone"),
    "service": ("service", "services", "service_interest", "interested_in", "what_do_you_need"),
    "message": ("message", "details", "requirements", "project_details", "how_can_we_help"),
}


def _column_value(cleaned_data: dict, aliases: tuple[str, ...], max_length: int | None) -> str:
    for alias in aliases:
        value = cleaned_data.get(alias)
        if value not in (None, "", []):
            text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
            return text[:max_length] if max_length else text
    return ""


@transaction.atomic
def lead_create(*, page, cleaned_data: dict, source_ip: str | None = None) -> Lead:
    """Store a quote request as a Wagtail form submission and a :class:`Lead`; e-mail sales after commit."""
    submission = FormSubmission.objects.create(form_data=cleaned_data, page=page)
    columns = {}
    for column, aliases in FIELD_ALIASES.items():
        max_length = Lead._meta.get_field(column).max_length
        columns[column] = _column_value(cleaned_data, aliases, max_length)
    lead = Lead(
        **columns,
        details=cleaned_data,
        page=page,
        form_submission=submission,
        source_ip=source_ip or None,
    )
    lead.full_clean(exclude=["email"])  # the form validated the address; a legacy alias may hold other text
    lead.save()
    transaction.on_commit(partial(lead_notify_sales, lead_id=lead.pk))
    return lead


def sales_recipients(page) -> list[str]:
    """The form page's sales addresses, else ``CMS_SALES_EMAIL``."""
    addresses = [address.strip() for address in (getattr(page, "to_address", "") or "").split(",")]
    addresses = [address for address in addresses if address]
    if not addresses and getattr(settings, "CMS_SALES_EMAIL", ""):
        addresses = [settings.CMS_SALES_EMAIL]
    return addresses


def lead_notify_sales(*, lead_id: int) -> bool:
    """E-mail the sales team about a lead. Visitor input goes only into the body, never into a header."""
    lead = Lead.objects.select_related("page").filter(pk=lead_id).first()
    if lead is None or lead.page is None:
        return False
    page = lead.page.specific
    recipients = sales_recipients(page)
    if not recipients:
        logger.warning("Quote form %s has no sales address; lead %s was stored but not e-mailed.", page.pk, lead.pk)
        return False
    subject = (page.subject or _("New quote request from the website")).splitlines()[0]
    subject = f"{subject} (lead #{lead.pk})"
    labels = {field.clean_name: field.label for field in page.get_form_fields()}
    lines = [f"{labels.get(name, name)}: {value}" for name, value in lead.details.items()]
    admin_url = f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/admin/leads/lead/{lead.pk}/change/"
    body = "\n".join([_("A visitor asked for a quote on %(page)s.") % {"page": page.title}, "", *lines, "", admin_url])
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=page.from_address or settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.send()
    return True
