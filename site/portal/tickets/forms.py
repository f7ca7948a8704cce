"""Portal ticket forms; they validate input, the services do the work (files are checked there too)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.choices import TicketCategory, TicketPriority


class TicketOpenForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=TicketCategory.choices, initial=TicketCategory.TECHNICAL)
    priority = forms.ChoiceField(label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL)
    device = forms.ModelChoiceField(
        label=_("Server or device"), queryset=None, required=False, empty_label=_("None in particular")
    )
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, which server or service, and since when."),
    )

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = devices


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}))
