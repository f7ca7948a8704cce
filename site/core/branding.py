"""Who the provider is, for every document it signs (invoices, e-mails, the ARIN report): name, address and
logo from ``settings.BILLING_PROVIDER`` (the setting keeps its first name), with defaults."""

from django.conf import settings

DEFAULTS = {
    "name": "ServerStock Datacenters",
    "address": "1 Rack Row\n10001 New York, NY\nUS",
    "email": "billing@serverstock.example",
    "tax_id": "",
    "logo_path": "",
}


def provider_branding() -> dict:
    """Name, address, e-mail, tax id and logo path of the provider."""
    return {**DEFAULTS, **getattr(settings, "BILLING_PROVIDER", {})}
