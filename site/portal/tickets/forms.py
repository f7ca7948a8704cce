"""Portal ticket forms; they validate input, the services do the work (files are checked there too)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.choices import TicketCategory, TicketPriority


class ColleagueChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{user.full_name} ({user.email})" if user.full_name else user.email


class TicketOpenForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=TicketCategory.choices, initial=TicketCategory.TECHNICAL)
    priority = forms.ChoiceField(label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL)
    device = forms.ModelChoiceField(
        label=_("Server or device"), queryset=None, required=False, empty_label=_("None in particular")
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=None, required=False, empty_label=_("None in particular")
    )
    cc_users = ColleagueChoiceField(
        label=_("Keep informed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Colleagues who also receive the replies by e-mail."),
    )
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, which server or service, and since when."),
    )

    def __init__(self, *args, devices, services, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["device"].queryset = devices
        self.fields["cc_users"].queryset = colleagues


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}))
