"""Forms of the admin's IPAM buttons: they collect input; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from accounts.models import Company
from ipam.choices import PrefixRole, PrefixStatus
from ipam.models import VLAN


def _text(label, *, required=True, help_text=""):
    return forms.CharField(label=label, required=required, help_text=help_text, widget=UnfoldAdminTextInputWidget)


class AddSubnetForm(forms.Form):
    prefix = _text(_("Prefix"), help_text=_("CIDR, e.g. 192.0.2.0/26."))
    status = forms.ChoiceField(label=_("Status"), choices=PrefixStatus.choices, widget=UnfoldAdminSelectWidget)
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", "—"), *PrefixRole.choices], required=False, widget=UnfoldAdminSelectWidget
    )
    vlan = forms.ModelChoiceField(
        label=_("VLAN"), queryset=VLAN.objects.all(), required=False, widget=UnfoldAdminSelectWidget
    )
    is_pool = forms.BooleanField(
        label=_("Pool (every address usable)"), required=False, widget=UnfoldBooleanSwitchWidget
    )
    create_addresses = forms.BooleanField(
        label=_("Create address records"),
        required=False,
        widget=UnfoldBooleanSwitchWidget,
        help_text=_("One record per usable address (a /24 makes 254), up to 65,536."),
    )
    description = _text(_("Description"), required=False)


class AddAddressForm(forms.Form):
    address = _text(_("Address"), help_text=_("e.g. 192.0.2.10 or 2001:db8::10."))
    dns_name = _text(_("DNS name"), required=False)
    description = _text(_("Description"), required=False)


class AddRangeForm(forms.Form):
    start = _text(_("First address"))
    end = _text(_("Last address"))
    description = _text(_("Description"), required=False)


class ReserveForm(forms.Form):
    reason = _text(_("Reason"), help_text=_("Why the addresses are held back, e.g. 'gateway'."))


class AssignForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Customer"), queryset=Company.objects.all(), widget=UnfoldAdminSelectWidget
    )
    purpose = forms.CharField(label=_("Purpose (ARIN)"), widget=UnfoldAdminTextareaWidget)
    hosts_now = forms.IntegerField(label=_("Hosts now"), min_value=1)
    hosts_in_12_months = forms.IntegerField(label=_("Hosts in 12 months"), min_value=0, initial=0)
    reason = _text(_("Note"), required=False)


class SearchForm(forms.Form):
    q = _text(_("Address, prefix or customer"), required=False)
