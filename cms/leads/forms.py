"""The quote form built from the fields marketers define, hardened against spam and malicious input."""

import re

import django.forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import BaseForm, FormBuilder

# Bots fill every field; people never see this one (hidden by CSS, skipped by keyboard and screen readers).
HONEYPOT_FIELD = "fax_number"
SINGLE_LINE_MAX = 255
MULTI_LINE_MAX = 5000
# Control characters: line breaks in a one-line field are how header injection is attempted.
SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")
MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def validate_single_line(value: str) -> None:
    if isinstance(value, str) and SINGLE_LINE_FORBIDDEN.search(value):
        raise ValidationError(_("Please keep this to a single line of text."), code="control_characters")


def validate_multi_line(value: str) -> None:
    if isinstance(value, str) and MULTI_LINE_FORBIDDEN.search(value):
        raise ValidationError(_("This text contains characters we cannot accept."), code="control_characters")


class QuoteBaseForm(BaseForm):
    """Adds the honeypot; the page refuses the submission when it is filled."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = django.forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            widget=django.forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    @property
    def visible_fields_without_honeypot(self):
        return [field for field in self if field.name != HONEYPOT_FIELD]

    def honeypot_filled(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def clean(self):
        cleaned = super().clean()
        cleaned.pop(HONEYPOT_FIELD, None)
        return cleaned


class QuoteFormBuilder(FormBuilder):
    """Wagtail's builder with length limits and control-character checks on every text field."""

    def create_singleline_field(self, field, options):
        options["max_length"] = SINGLE_LINE_MAX
        options["validators"] = [validate_single_line]
        return django.forms.CharField(**options)

    def create_multiline_field(self, field, options):
        options["max_length"] = MULTI_LINE_MAX
        options["validators"] = [validate_multi_line]
        options.setdefault("widget", django.forms.Textarea(attrs={"rows": 6}))
        return django.forms.CharField(**options)

    def create_email_field(self, field, options):
        options["max_length"] = 254
        options["validators"] = [validate_single_line]
        return django.forms.EmailField(**options)

    def get_form_class(self):
        return type("QuoteForm", (QuoteBaseForm,), self.formfields)
