"""Forms of the portal's monitoring pages: they read input; the services validate the rules and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.choices import CheckKind, DnsRecordType


class CheckForm(forms.Form):
    """A check on one of the company's devices or IP addresses (or a DNS name of one of its addresses)."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What you call it, e.g. 'web1 HTTPS'."))
    kind = forms.ChoiceField(label=_("What to check"), choices=CheckKind.choices, initial=CheckKind.ICMP)
    device = forms.ModelChoiceField(label=_("Server or device"), queryset=None, required=False)
    ip_address = forms.ModelChoiceField(label=_("or IP address"), queryset=None, required=False)
    host = forms.CharField(
        label=_("or host name"),
        max_length=255,
        required=False,
        help_text=_("The DNS name of one of your IP addresses."),
    )
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, required=False)
    path = forms.CharField(label=_("Path (HTTP)"), max_length=255, required=False, initial="/")
    expected_status = forms.IntegerField(
        label=_("Expected status (HTTP)"), min_value=100, max_value=599, required=False
    )
    keyword = forms.CharField(label=_("Page must contain (HTTP)"), max_length=200, required=False)
    verify_tls = forms.BooleanField(label=_("Verify the certificate (HTTPS)"), required=False, initial=True)
    dns_name = forms.CharField(label=_("Name to resolve (DNS)"), max_length=255, required=False)
    dns_record_type = forms.ChoiceField(label=_("Record type (DNS)"), choices=DnsRecordType.choices, initial="A")
    dns_expected = forms.CharField(label=_("Expected answer (DNS)"), max_length=255, required=False)
    interval_seconds = forms.IntegerField(label=_("Every (seconds)"), min_value=30, max_value=3600, initial=60)
    timeout_seconds = forms.FloatField(label=_("Timeout (seconds)"), min_value=0.2, max_value=60, initial=5)
    retries = forms.IntegerField(label=_("Retries"), min_value=0, max_value=5, initial=1)
    down_after = forms.IntegerField(label=_("Down after (failures in a row)"), min_value=1, max_value=20, initial=3)

    def __init__(self, *args, devices, addresses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = devices
        self.fields["ip_address"].queryset = addresses
        self.fields["device"].empty_label = _("— none —")
        self.fields["ip_address"].empty_label = _("— none —")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["host"] = data.get("host") or ""
        data["path"] = data.get("path") or "/"
        for name in ("keyword", "dns_name", "dns_expected"):
            data[name] = data.get(name) or ""
        return data


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    notify_down = forms.BooleanField(label=_("Down alerts"), required=False, initial=True)
    notify_up = forms.BooleanField(label=_("Recoveries"), required=False, initial=True)
    notify_bandwidth = forms.BooleanField(label=_("Bandwidth alerts"), required=False, initial=True)
    notify_maintenance = forms.BooleanField(label=_("Maintenance notices"), required=False, initial=True)
    quiet_hours_start = forms.TimeField(
        label=_("Quiet hours from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("During quiet hours only down alerts are sent."),
    )
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="UTC", help_text=_("e.g. Europe/Berlin"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
