"""Portal billing forms. The card form never renders the number or the security code back into the page."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _


class BlankTextInput(forms.TextInput):
    """A text input that never echoes what was typed (for card numbers and security codes)."""

    def format_value(self, value):
        return None


class CardForm(forms.Form):
    holder_name = forms.CharField(label=_("Name on card"), max_length=120, required=False)
    number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        widget=BlankTextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    exp_month = forms.IntegerField(label=_("Expiry month"), min_value=1, max_value=12)
    exp_year = forms.IntegerField(label=_("Expiry year"), min_value=2000, max_value=2100)
    cvc = forms.CharField(
        label=_("Security code"),
        max_length=4,
        widget=BlankTextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exp_year"].initial = date.today().year + 1


class ProfileForm(forms.Form):
    billing_email = forms.EmailField(label=_("Invoice e-mail"), required=False)
    invoice_recipients = forms.CharField(
        label=_("Copy invoices to"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One e-mail address per line."),
    )
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    address_line1 = forms.CharField(label=_("Address"), max_length=200, required=False)
    address_line2 = forms.CharField(label=_("Address (line 2)"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    region = forms.CharField(label=_("State / region"), max_length=100, required=False)
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2, required=False)
    tax_id = forms.CharField(label=_("Tax id"), max_length=50, required=False)

    PROFILE_FIELDS = ("billing_email", "invoice_recipients")

    def clean_invoice_recipients(self):
        value = self.cleaned_data["invoice_recipients"]
        validator = forms.EmailField()
        for line in value.splitlines():
            if line.strip():
                validator.clean(line.strip())
        return value
