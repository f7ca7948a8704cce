"""Overrides of the generated catalog admins: lifecycle buttons on services, order approval, request fulfilment,
the wipe checklist of returned servers, the lifecycle log and plan periods inline. Every button calls
``catalog.services``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
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
from core.registry import generated_admin, override


def _error_text(error) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


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


class FulfilForm(forms.Form):
    prefix = forms.CharField(label=_("Block to assign"), help_text=_("CIDR, e.g. 192.0.2.0/29."))


def _form_page(model_admin, request, form, title, submit):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "form": form,
        "submit_label": submit,
    }
    return TemplateResponse(request, "catalog/admin/form.html", context)


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

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        created = services.service_create(
            company=data["company"],
            plan=data["plan"],
            quantity=data["quantity"],
            label=data.get("label", ""),
            price_override=data.get("price_override"),
            contract_start=data.get("contract_start"),
            term_months=data.get("term_months"),
            notes=data.get("notes", ""),
            order=data.get("order"),
            actor=request.user,
        )
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """Resources go through the service, which checks they belong to the customer and logs the change."""
        data = form.cleaned_data
        wanted = {name: list(data.get(name) or ()) for name in services.RESOURCE_FIELDS if name in data}
        if "options" in data:
            form.instance.options.set(data["options"])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        try:
            services.service_set_resources(service=form.instance, actor=request.user, **wanted)
        except ValidationError as error:
            self.message_user(request, _error_text(error), messages.ERROR)

    def _lifecycle(self, request, object_id, call, done, form_class=None, title="", submit=""):
        service = Service.objects.get(pk=object_id)
        url = reverse("admin:catalog_service_change", args=[object_id])
        form = None
        if form_class is not None:
            form = form_class(request.POST or None)
            if request.method != "POST" or not form.is_valid():
                return _form_page(self, request, form, f"{title}: {service}", submit)
        try:
            call(service, **(form.cleaned_data if form else {}))
        except (ValidationError, PermissionDenied) as error:
            if form is not None:
                form.add_error(None, _error_text(error))
                return _form_page(self, request, form, f"{title}: {service}", submit)
            self.message_user(request, _error_text(error), messages.ERROR)
        else:
            self.message_user(request, done % {"service": service}, messages.SUCCESS)
        return redirect(url)

    @action(description=_("Provision"), url_path="provision", permissions=["change"], icon="build")
    def provision_detail(self, request, object_id):
        return self._lifecycle(
            request,
            object_id,
            lambda s: services.service_provision(service=s, actor=request.user),
            _("%(service)s is being provisioned."),
        )

    @action(description=_("Activate"), url_path="activate", permissions=["change"], icon="play_arrow")
    def activate_detail(self, request, object_id):
        return self._lifecycle(
            request,
            object_id,
            lambda s, reason, on: services.service_activate(service=s, actor=request.user, on=on, reason=reason),
            _("%(service)s is active; billing starts."),
            ActivateForm,
            _("Activate"),
            _("Activate"),
        )

    @action(description=_("Suspend"), url_path="suspend", permissions=["change"], icon="pause")
    def suspend_detail(self, request, object_id):
        return self._lifecycle(
            request,
            object_id,
            lambda s, reason: services.service_suspend(service=s, actor=request.user, reason=reason),
            _("%(service)s is suspended."),
            ReasonForm,
            _("Suspend"),
            _("Suspend"),
        )

    @action(description=_("Lift suspension"), url_path="unsuspend", permissions=["change"], icon="play_circle")
    def unsuspend_detail(self, request, object_id):
        return self._lifecycle(
            request,
            object_id,
            lambda s: services.service_unsuspend(service=s, actor=request.user),
            _("%(service)s is active again."),
        )

    @action(description=_("Change plan"), url_path="change-plan", permissions=["change"], icon="swap_vert")
    def upgrade_detail(self, request, object_id):
        from catalog.models import Plan

        service = Service.objects.select_related("plan__product").get(pk=object_id)
        form = UpgradeForm(
            request.POST or None,
            initial={"quantity": service.quantity, "effective_date": timezone.localdate(), "plan": service.plan_id},
        )
        form.fields["plan"].queryset = Plan.objects.filter(
            is_active=True, product__category=service.plan.product.category
        ).select_related("product")
        if request.method == "POST" and form.is_valid():
            try:
                services.service_upgrade(service=service, actor=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _error_text(error))
            else:
                self.message_user(request, _("Plan changed."), messages.SUCCESS)
                return redirect(reverse("admin:catalog_service_change", args=[object_id]))
        return _form_page(self, request, form, _("Change plan: %(service)s") % {"service": service}, _("Change"))

    @action(
        description=_("Cancel at period end"),
        url_path="request-cancellation",
        permissions=["change"],
        icon="event_busy",
    )
    def request_cancellation_detail(self, request, object_id):
        return self._lifecycle(
            request,
            object_id,
            lambda s, reason, on: services.service_request_cancellation(
                service=s, actor=request.user, effective_date=on, reason=reason
            ),
            _("%(service)s will be cancelled on its effective date."),
            RequestCancellationForm,
            _("Cancel at period end"),
            _("Record the cancellation"),
        )

    @action(
        description=_("Withdraw cancellation"), url_path="withdraw-cancellation", permissions=["change"], icon="undo"
    )
    def withdraw_cancellation_detail(self, request, object_id):
        return self._lifecycle(
            request,
            object_id,
            lambda s: services.service_withdraw_cancellation(service=s, actor=request.user),
            _("%(service)s continues; the cancellation was withdrawn."),
        )

    @action(description=_("Cancel"), url_path="cancel", permissions=["change"], icon="cancel")
    def cancel_detail(self, request, object_id):
        return self._lifecycle(
            request,
            object_id,
            lambda s, reason, on: services.service_cancel(service=s, actor=request.user, on=on, reason=reason),
            _("%(service)s is cancelled; its resources were released."),
            CancelForm,
            _("Cancel"),
            _("Cancel the service"),
        )

    @action(description=_("Terminate"), url_path="terminate", permissions=["change"], icon="delete_forever")
    def terminate_detail(self, request, object_id):
        return self._lifecycle(
            request,
            object_id,
            lambda s, reason: services.service_terminate(service=s, actor=request.user, reason=reason),
            _("%(service)s is terminated."),
            ReasonForm,
            _("Terminate"),
            _("Terminate"),
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
                self.message_user(request, _error_text(error), messages.WARNING)
            else:
                self.message_user(request, _("Order %(number)s approved.") % {"number": order.number})

    @action(description=_("Approve"), url_path="approve", permissions=["change"], icon="check")
    def approve_detail(self, request, object_id):
        order = Order.objects.get(pk=object_id)
        try:
            services.order_approve(order=order, actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, _error_text(error), messages.ERROR)
        else:
            self.message_user(request, _("Order %(number)s approved; its services are pending.") % {"number": order})
        return redirect(reverse("admin:catalog_order_change", args=[object_id]))

    @action(description=_("Reject"), url_path="reject", permissions=["change"], icon="block")
    def reject_detail(self, request, object_id):
        order = Order.objects.get(pk=object_id)
        form = ReasonForm(request.POST or None)
        form.fields["reason"].required = True
        if request.method == "POST" and form.is_valid():
            try:
                services.order_reject(order=order, actor=request.user, reason=form.cleaned_data["reason"])
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _error_text(error))
            else:
                self.message_user(request, _("Order %(number)s rejected.") % {"number": order.number})
                return redirect(reverse("admin:catalog_order_change", args=[object_id]))
        return _form_page(self, request, form, _("Reject %(number)s") % {"number": order.number}, _("Reject"))


@override(AdditionalIPRequest, "admin")
class AdditionalIPRequestAdmin(generated_admin(AdditionalIPRequest)):
    readonly_fields = ("company", "justification", "requested_prefix_length", "requested_family", "status", "order")
    actions_detail = ["fulfil_detail"]

    @action(description=_("Assign a block"), url_path="fulfil", permissions=["change"], icon="lan")
    def fulfil_detail(self, request, object_id):
        ip_request = AdditionalIPRequest.objects.select_related("company").get(pk=object_id)
        form = FulfilForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.additional_ip_request_fulfil(
                    request=ip_request, prefix=form.cleaned_data["prefix"], actor=request.user
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _error_text(error))
            else:
                self.message_user(request, _("Block assigned."))
                return redirect(reverse("admin:catalog_additionaliprequest_change", args=[object_id]))
        return _form_page(self, request, form, str(ip_request), _("Assign"))


class WipeChecklistForm(forms.Form):
    """One box per item of DCIM's wipe checklist, and the new IPMI password set during the wipe."""

    new_ipmi_password = forms.CharField(
        label=_("New IPMI password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted when the server goes back to stock; empty keeps the current one."),
    )

    def __init__(self, *args, ticked: dict, **kwargs):
        from dcim.services import WIPE_CHECKLIST

        super().__init__(*args, **kwargs)
        for key, label in WIPE_CHECKLIST.items():
            self.fields[key] = forms.BooleanField(label=label, required=False, initial=bool(ticked.get(key)))
        self.order_fields([*WIPE_CHECKLIST, "new_ipmi_password"])


@override(ServerReturn, "admin")
class ServerReturnAdmin(generated_admin(ServerReturn)):
    readonly_fields = ("device", "service", "company", "status", "checklist", "returned_at", "returned_by")
    actions_detail = ["wipe_detail"]

    @action(description=_("Wipe checklist"), url_path="wipe", permissions=["change"], icon="cleaning_services")
    def wipe_detail(self, request, object_id):
        from dcim.services import WIPE_CHECKLIST

        server_return = ServerReturn.objects.select_related("device").get(pk=object_id)
        form = WipeChecklistForm(request.POST or None, ticked=server_return.checklist)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                server_return = services.server_return_check(
                    server_return=server_return,
                    checklist={key: data[key] for key in WIPE_CHECKLIST},
                    new_ipmi_password=data["new_ipmi_password"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _error_text(error))
            else:
                done = server_return.status == "returned"
                text = _("%(device)s is back in stock.") if done else _("Checklist of %(device)s saved.")
                self.message_user(request, text % {"device": server_return.device})
                return redirect(reverse("admin:catalog_serverreturn_change", args=[object_id]))
        title = _("Wipe checklist: %(device)s") % {"device": server_return.device}
        return _form_page(self, request, form, title, _("Save"))
