"""Overrides of the generated catalog admins: lifecycle buttons on services, order approval, request fulfilment,
the wipe checklist of returned servers, the lifecycle log and plan periods inline. Every button calls
``catalog.services``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import action

from catalog import services
from catalog.models import (
    AdditionalIPRequest,
    Order,
    OrderLine,
    ServerReturn,
    Service,
    ServiceEvent,
    ServicePlanPeriod,
)
from core import writes
from core.actions import object_action
from core.registry import generated_admin, override


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(ReasonForm):
    on = forms.DateField(
        label=_("Billing stops on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the confirmed cancellation's date, else today."),
    )


class RequestCancellationForm(ReasonForm):
    on = forms.DateField(
        label=_("Billing stops on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: from the contract terms (end of the billing period, after the minimum term)."),
    )


class ActivateForm(ReasonForm):
    on = forms.DateField(
        label=_("Billed from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: today."),
    )


class UpgradeForm(ReasonForm):
    plan = forms.ModelChoiceField(label=_("New plan"), queryset=None)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=10, decimal_places=2)
    effective_date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    price_override = forms.DecimalField(label=_("Price override"), required=False, max_digits=12, decimal_places=2)


def _upgrade_plans(form, service) -> None:
    """A service changes to an active plan of its product's category."""
    from catalog.models import Plan

    form.fields["plan"].queryset = Plan.objects.filter(
        is_active=True, product__category=service.plan.product.category
    ).select_related("product")


class FulfilForm(forms.Form):
    prefix = forms.CharField(label=_("Block to assign"), help_text=_("CIDR, e.g. 192.0.2.0/29."))


class ServiceEventInline(TabularInline):
    model = ServiceEvent
    fields = ("at", "kind", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = _("Lifecycle")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class ServicePlanPeriodInline(TabularInline):
    model = ServicePlanPeriod
    fields = ("plan", "quantity", "unit_price", "setup_fee", "starts_on", "ends_on")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan__product")


class ServerReturnInline(TabularInline):
    model = ServerReturn
    fields = ("device", "status", "checklist", "created", "returned_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("Servers going back to stock")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("device")


@override(Service, "admin")
class ServiceAdmin(generated_admin(Service)):
    inlines = [ServicePlanPeriodInline, ServiceEventInline, ServerReturnInline]

    def get_inlines(self, request, obj):
        # A new service has no returned servers: leave their inline off the add page.
        return self.inlines if obj is not None else [i for i in self.inlines if i is not ServerReturnInline]

    autocomplete_fields = [
        "company",
        "plan",
        "order",
        "racks",
        "rack_reservations",
        "power_circuits",
        "cross_connects",
        "devices",
        "interfaces",
    ]
    raw_id_fields = ["ip_assignments"]
    actions_detail = [
        "provision_detail",
        "activate_detail",
        "suspend_detail",
        "unsuspend_detail",
        "upgrade_detail",
        "request_cancellation_detail",
        "withdraw_cancellation_detail",
        "cancel_detail",
        "terminate_detail",
        "traffic_detail",
    ]

    @action(description=_("Traffic"), url_path="traffic", permissions=["view"])
    def traffic_detail(self, request, object_id):
        # The graphs live in monitoring (a later layer), reached by URL name only.
        return redirect(reverse("monitoring:staff_bandwidth", args=["service", object_id]))

    LIFECYCLE_READONLY = (
        "status",
        "billing_start_date",
        "billing_end_date",
        "cancellation_effective_date",
        "provisioning_at",
        "activated_at",
        "suspended_at",
        "cancellation_requested_at",
        "cancelled_at",
        "terminated_at",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.LIFECYCLE_READONLY)
        if obj is not None:
            # Plan, quantity and price change only through "Change plan", so billing sees each period.
            fields += ["company", "plan", "quantity", "price_override", "order"]
        return fields

    provision_detail = object_action(
        description=_("Provision"),
        url_path="provision",
        icon="build",
        service=services.service_provision,
        message=_("%(object)s is being provisioned."),
    )
    activate_detail = object_action(
        description=_("Activate"),
        url_path="activate",
        icon="play_arrow",
        service=services.service_activate,
        form=ActivateForm,
        submit=_("Activate"),
        message=_("%(object)s is active; billing starts."),
    )
    suspend_detail = object_action(
        description=_("Suspend"),
        url_path="suspend",
        icon="pause",
        service=services.service_suspend,
        form=ReasonForm,
        submit=_("Suspend"),
        message=_("%(object)s is suspended."),
    )
    unsuspend_detail = object_action(
        description=_("Lift suspension"),
        url_path="unsuspend",
        icon="play_circle",
        service=services.service_unsuspend,
        message=_("%(object)s is active again."),
    )
    request_cancellation_detail = object_action(
        description=_("Cancel at period end"),
        url_path="request-cancellation",
        icon="event_busy",
        service=services.service_request_cancellation,
        form=RequestCancellationForm,
        title=_("Cancel at period end"),
        submit=_("Record the cancellation"),
        arguments=lambda data, _service: {"reason": data["reason"], "effective_date": data["on"]},
        message=_("%(object)s will be cancelled on its effective date."),
    )
    withdraw_cancellation_detail = object_action(
        description=_("Withdraw cancellation"),
        url_path="withdraw-cancellation",
        icon="undo",
        service=services.service_withdraw_cancellation,
        message=_("%(object)s continues; the cancellation was withdrawn."),
    )
    cancel_detail = object_action(
        description=_("Cancel"),
        url_path="cancel",
        icon="cancel",
        service=services.service_cancel,
        form=CancelForm,
        title=_("Cancel"),
        submit=_("Cancel the service"),
        message=_("%(object)s is cancelled; its resources were released."),
    )
    terminate_detail = object_action(
        description=_("Terminate"),
        url_path="terminate",
        icon="delete_forever",
        service=services.service_terminate,
        form=ReasonForm,
        submit=_("Terminate"),
        message=_("%(object)s is terminated."),
    )
    upgrade_detail = object_action(
        description=_("Change plan"),
        url_path="change-plan",
        icon="swap_vert",
        service=services.service_upgrade,
        form=UpgradeForm,
        title=_("Change plan"),
        submit=_("Change"),
        initial=lambda service: {
            "quantity": service.quantity,
            "effective_date": timezone.localdate(),
            "plan": service.plan_id,
        },
        configure=_upgrade_plans,
        message=_("Plan changed."),
    )


class OrderLineInline(TabularInline):
    model = OrderLine
    fields = ("description", "quantity", "unit_recurring", "unit_one_time", "recurring_period", "service")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service__plan__product")


@override(Order, "admin")
class OrderAdmin(generated_admin(Order)):
    inlines = [OrderLineInline]
    readonly_fields = ("number", "company", "kind", "status", "placed_by", "service", "effective_date", "currency")
    actions = ["approve_selected"]
    actions_detail = ["approve_detail", "reject_detail"]

    @action(description=_("Approve selected orders"), permissions=["change"])
    def approve_selected(self, request, queryset):
        for order in queryset:
            try:
                services.order_approve(order=order, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(
                    request,
                    writes.error_text(error),
                    messages.WARNING,
                )
            else:
                self.message_user(request, _("Order %(number)s approved.") % {"number": order.number})

    approve_detail = object_action(
        description=_("Approve"),
        url_path="approve",
        icon="check",
        service=services.order_approve,
        message=_("Order %(object)s approved; its services are pending."),
    )
    reject_detail = object_action(
        description=_("Reject"),
        url_path="reject",
        icon="block",
        service=services.order_reject,
        form=RejectForm,
        submit=_("Reject"),
        message=_("Order %(object)s rejected."),
    )


@override(AdditionalIPRequest, "admin")
class AdditionalIPRequestAdmin(generated_admin(AdditionalIPRequest)):
    readonly_fields = ("company", "justification", "requested_prefix_length", "requested_family", "status", "order")
    actions_detail = ["fulfil_detail"]

    fulfil_detail = object_action(
        description=_("Assign a block"),
        url_path="fulfil",
        icon="lan",
        service=services.additional_ip_request_fulfil,
        instance_arg="request",
        form=FulfilForm,
        submit=_("Assign"),
        message=_("Block assigned."),
    )


class WipeChecklistForm(forms.Form):
    """One box per item of DCIM's wipe checklist, and the new IPMI password set during the wipe."""

    new_ipmi_password = forms.CharField(
        label=_("New IPMI password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted when the server goes back to stock; empty keeps the current one."),
    )

    def __init__(self, *args, **kwargs):
        from dcim.services import WIPE_CHECKLIST

        super().__init__(*args, **kwargs)
        for key, label in WIPE_CHECKLIST.items():
            self.fields[key] = forms.BooleanField(label=label, required=False)
        self.order_fields([*WIPE_CHECKLIST, "new_ipmi_password"])


def _wipe_arguments(data: dict, _server_return) -> dict:
    from dcim.services import WIPE_CHECKLIST

    return {"checklist": {key: data[key] for key in WIPE_CHECKLIST}, "new_ipmi_password": data["new_ipmi_password"]}


def _wipe_message(server_return) -> str:
    done = server_return.status == "returned"
    text = _("%(device)s is back in stock.") if done else _("Checklist of %(device)s saved.")
    return text % {"device": server_return.device}


@override(ServerReturn, "admin")
class ServerReturnAdmin(generated_admin(ServerReturn)):
    readonly_fields = ("device", "service", "company", "status", "checklist", "returned_at", "returned_by")
    actions_detail = ["wipe_detail"]

    wipe_detail = object_action(
        description=_("Wipe checklist"),
        url_path="wipe",
        icon="cleaning_services",
        service=services.server_return_check,
        instance_arg="server_return",
        form=WipeChecklistForm,
        title=_("Wipe checklist"),
        submit=_("Save"),
        initial=lambda server_return: {key: bool(value) for key, value in server_return.checklist.items()},
        arguments=_wipe_arguments,
        message=_wipe_message,
    )
