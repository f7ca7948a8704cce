"""Forms of the remote app: the confirmation of a power action (naming the server) with re-authentication."""

from django import forms
from django.utils.translation import gettext_lazy as _

from remote.choices import DESTRUCTIVE_ACTIONS, PowerAction


class PowerActionForm(forms.Form):
    """Which action, and the user's password (plus a TOTP code where set) for anything but a status read.

    ``confirm_name`` must repeat the server's name for destructive actions: the confirmation names the server.
    """

    power_action = forms.ChoiceField(label=_("Action"), choices=PowerAction.choices)
    confirm_name = forms.CharField(
        label=_("Type the server's name to confirm"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Your password"), required=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    code = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, server_names: list[str], needs_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.server_names = server_names
        self.needs_code = needs_code
        if not needs_code:
            del self.fields["code"]

    @property
    def destructive(self) -> bool:
        return self.cleaned_data.get("power_action") in DESTRUCTIVE_ACTIONS

    def clean(self):
        data = super().clean()
        action = data.get("power_action")
        if action and action != PowerAction.STATUS:
            if not data.get("password"):
                self.add_error("password", _("Enter your password to confirm."))
            if self.needs_code and not data.get("code"):
                self.add_error("code", _("Enter the 6-digit code from your authenticator app."))
        if action in DESTRUCTIVE_ACTIONS and len(self.server_names) == 1:
            if (data.get("confirm_name") or "").strip() != self.server_names[0]:
                self.add_error("confirm_name", _("Type %(name)s exactly to confirm.") % {"name": self.server_names[0]})
        return data


class ConsoleOpenForm(forms.Form):
    """Re-authentication before a console opens."""

    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    code = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, needs_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["code"]
