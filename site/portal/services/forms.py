"""Portal forms of the services pages; they validate input, ``catalog.services`` does the work."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.services.orders import MAX_ORDER_QUANTITY


class PricedSelect(forms.Select):
    """A plan select whose options carry their product and prices, for the order form's running total."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        plan = getattr(value, "instance", None)
        if plan is not None:
            option["attrs"].update(
                {
                    "data-product": plan.product_id,
                    "data-recurring": plan.recurring_amount if plan.recurring_amount is not None else "0",
                    "data-one-time": plan.one_time_amount,
                    "data-currency": plan.currency,
                    "data-period": plan.get_recurring_period_display().lower() if plan.recurring_period else "",
                }
            )
        return option


class PricedCheckboxes(forms.CheckboxSelectMultiple):
    """Add-on checkboxes that say which product they belong to and what they cost."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        add_on = getattr(value, "instance", None)
        if add_on is not None:
            option["attrs"].update(
                {
                    "data-product": add_on.product_id,
                    "data-recurring": add_on.recurring_amount,
                    "data-one-time": add_on.one_time_amount,
                }
            )
        return option


class OptionChoiceField(forms.ModelMultipleChoiceField):
    widget = PricedCheckboxes

    def label_from_instance(self, option):
        price = []
        if option.recurring_amount:
            price.append(f"+{option.recurring_amount} {option.currency} {_('per period')}")
        if option.one_time_amount:
            price.append(f"+{option.one_time_amount} {option.currency} {_('setup')}")
        return f"{option.product.name}: {option.name}" + (f" ({', '.join(price)})" if price else "")


class PlanChoiceField(forms.ModelChoiceField):
    widget = PricedSelect

    def label_from_instance(self, plan):
        price = []
        if plan.recurring_amount is not None:
            price.append(f"{plan.recurring_amount} {plan.currency} {plan.get_recurring_period_display().lower()}")
        if plan.one_time_amount:
            price.append(f"{plan.one_time_amount} {plan.currency} {_('setup')}")
        spec = plan.product.specification
        return f"{plan.product.name}: {plan.name}" + (f" · {spec}" if spec else "") + f" ({', '.join(price)})"


class OrderForm(forms.Form):
    plan = PlanChoiceField(label=_("Plan"), queryset=None, empty_label=None)
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=1, max_value=MAX_ORDER_QUANTITY, max_digits=10, decimal_places=0, initial=1
    )
    options = OptionChoiceField(
        label=_("Add-on options"),
        queryset=None,
        required=False,
        help_text=_("Only the options of the chosen plan's product can be ordered with it."),
    )
    customer_note = forms.CharField(
        label=_("Note for our team"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, plans, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["options"].queryset = options
        if not options:
            del self.fields["options"]


class UpgradeForm(OrderForm):
    effective_date = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The new plan is billed from this day; the old one until the day before."),
    )


class IPRequestForm(forms.Form):
    plan = PlanChoiceField(label=_("Block"), queryset=None, empty_label=None)
    service = forms.ModelChoiceField(
        label=_("For service"), queryset=None, required=False, empty_label=_("None in particular")
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the addresses are for (web hosting, VPN pool…); reported to ARIN."),
    )
    hosts_now = forms.IntegerField(label=_("Hosts needing an address now"), min_value=1)
    hosts_in_6_months = forms.IntegerField(label=_("Hosts in 6 months"), min_value=0, initial=0)
    hosts_in_12_months = forms.IntegerField(label=_("Hosts in 12 months"), min_value=0, initial=0)
    utilisation_plan = forms.CharField(
        label=_("Utilisation plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the space will be subnetted and used over time."),
    )
    network_name = forms.CharField(label=_("Network name (optional)"), max_length=50, required=False)

    def __init__(self, *args, plans, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["service"].queryset = services


class ManagedServiceForm(forms.Form):
    plan = PlanChoiceField(label=_("Managed service"), queryset=None, empty_label=None)
    for_service = forms.ModelChoiceField(
        label=_("For service"), queryset=None, required=False, empty_label=_("None in particular")
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Which hosts, what to monitor or back up, maintenance windows."),
    )

    def __init__(self, *args, plans, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["for_service"].queryset = services


class CancelForm(forms.Form):
    services = forms.ModelMultipleChoiceField(
        label=_("Services to cancel"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    requested_end_date = forms.DateField(
        label=_("End date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the end of the current billing period. Never before the minimum term is over."),
    )
    reason = forms.CharField(label=_("Reason (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services
