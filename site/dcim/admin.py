"""Overrides of the generated DCIM admins: rack elevations, device secrets and placement, power report."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import action
from unfold.forms import ActionForm
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from core.registry import generated_admin, override
from dcim import selectors, services
from dcim.choices import DeviceRole, DeviceStatus, RackFace, SecretField
from dcim.elevation import rack_elevation_svg
from dcim.models import Device, Interface, PowerCircuit, PowerOutlet, PowerPort, Rack, ServerWelcome, Site

SECRET_FIELDS = ("snmp_community", "snmp_auth_key", "snmp_priv_key", "ipmi_password", "root_password")


def _device_admin_link(device) -> str:
    return reverse("admin:dcim_device_change", args=[device.pk])


@override(Rack, "admin")
class RackAdmin(generated_admin(Rack)):
    readonly_fields = (*generated_admin(Rack).readonly_fields, "elevation")
    actions_detail = ["elevation_page"]

    def elevation(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return mark_safe(  # noqa: S308 - the SVG escapes every text it draws
            '<div style="display:flex;gap:2rem;flex-wrap:wrap">'
            + rack_elevation_svg(obj, face=RackFace.FRONT, link=_device_admin_link)
            + rack_elevation_svg(obj, face=RackFace.REAR, link=_device_admin_link)
            + "</div>"
        )

    elevation.short_description = _("elevation")

    @action(description=_("Elevation and power"), url_path="elevation", permissions=["view"])
    def elevation_page(self, request, object_id):
        rack = get_object_or_404(Rack.objects.with_location(), pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Rack %(rack)s") % {"rack": rack},
            "rack": rack,
            "opts": self.model._meta,
            "front": mark_safe(rack_elevation_svg(rack, face=RackFace.FRONT, link=_device_admin_link)),  # noqa: S308
            "rear": mark_safe(rack_elevation_svg(rack, face=RackFace.REAR, link=_device_admin_link)),  # noqa: S308
            "power": selectors.rack_power(rack),
            "reservations": rack.reservations.select_related("company"),
        }
        return TemplateResponse(request, "dcim/admin/rack_elevation.html", context)


class DeviceAdminForm(forms.ModelForm):
    """Secrets are write-only here: the fields start empty, and an empty field keeps the stored secret."""

    class Meta:
        model = Device
        fields = "__all__"  # noqa: DJ007 - the admin narrows them through its fieldsets
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRET_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stored_secrets = {name: getattr(self.instance, name, "") for name in SECRET_FIELDS}
        for name in SECRET_FIELDS:
            if name in self.fields:
                self.fields[name].widget = forms.PasswordInput(
                    render_value=False, attrs={"autocomplete": "new-password"}
                )
                self.fields[name].required = False
                self.initial[name] = ""
                if self.instance.pk and getattr(self.instance, name):
                    self.fields[name].help_text = _("Stored. Leave empty to keep it; reveal it from the device page.")

    def clean(self):
        cleaned = super().clean()
        for name in SECRET_FIELDS:
            if name in cleaned and not cleaned[name]:
                cleaned[name] = self._stored_secrets.get(name) or ""
        rack, position = cleaned.get("rack"), cleaned.get("position")
        if rack is not None and position is not None and cleaned.get("device_type") is not None:
            self.instance.device_type = cleaned["device_type"]
            self.instance.company = cleaned.get("company")
            problems = selectors.device_placement_problems(
                device=self.instance, rack=rack, position=position, face=cleaned.get("face") or RackFace.FRONT
            )
            if problems:
                raise ValidationError({"position": problems})
        return cleaned


class HardwareSearchForm(forms.Form):
    q = forms.CharField(label=_("Text"), required=False, help_text=_("Name, serial, asset tag, customer, rack, IP."))
    company = forms.ModelChoiceField(label=_("Customer"), queryset=None, required=False)
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.all(), required=False)
    rack = forms.ModelChoiceField(label=_("Rack"), queryset=Rack.objects.select_related("site"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *DeviceRole.choices], required=False)
    tag = forms.CharField(label=_("Tag"), required=False)
    ip = forms.GenericIPAddressField(label=_("IP address"), required=False)

    def __init__(self, *args, **kwargs):
        from accounts.models import Company

        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.order_by("name")


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("Secret"), choices=SecretField.choices)


class ServerWelcomeInline(TabularInline):
    model = ServerWelcome
    extra = 0
    fields = ("sent_at", "sent_by", "recipients", "body")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("welcome e-mails sent")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DeviceBulkFields(forms.Form):
    """The values the device changelist's bulk actions take, shown beside the action menu."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Status…")), *DeviceStatus.choices],
        required=False,
        widget=UnfoldAdminSelectWidget,
    )
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.all(),
        required=False,
        empty_label=_("Site…"),
        widget=UnfoldAdminSelectWidget,
    )
    rack = forms.ModelChoiceField(
        label=_("Rack"),
        queryset=Rack.objects.select_related("site").order_by("site__name", "name"),
        required=False,
        empty_label=_("Rack…"),
        widget=UnfoldAdminSelectWidget,
    )
    tag = forms.CharField(
        label=_("Tag"),
        required=False,
        max_length=100,
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": _("Tag")}),
    )


class DeviceActionForm(ActionForm, DeviceBulkFields):
    pass


def _bulk(request, change, **kwargs) -> None:
    """Run one bulk service; its refusal (nothing saved) or its count becomes the admin message."""
    try:
        count = change(**kwargs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        messages.warning(request, _("Nothing was changed."))
    else:
        messages.success(request, _("%(count)d changed.") % {"count": count})


@override(Device, "admin")
class DeviceAdmin(generated_admin(Device)):
    form = DeviceAdminForm
    action_form = DeviceActionForm
    actions = ["bulk_set_status", "bulk_move", "bulk_add_tag", "bulk_decommission"]
    actions_detail = ["reveal_secret", "send_welcome", "traffic_detail"]
    inlines = [*generated_admin(Device).inlines, ServerWelcomeInline]
    fieldsets = (
        (None, {"fields": ("name", "device_type", "role", "status", "company", "ownership", "serial", "asset_tag")}),
        (_("Location"), {"fields": ("site", "rack", "position", "face", "power_circuit")}),
        (
            _("Management"),
            {
                "fields": (
                    "management_ip",
                    "snmp_enabled",
                    "snmp_version",
                    "snmp_port",
                    "snmp_community",
                    "snmp_v3_user",
                    "snmp_auth_protocol",
                    "snmp_auth_key",
                    "snmp_priv_protocol",
                    "snmp_priv_key",
                    "snmp_polling_interval",
                )
            },
        ),
        (
            _("IPMI and server"),
            {"fields": ("ipmi_address", "ipmi_port", "ipmi_username", "ipmi_password", "root_password")},
        ),
        (_("Notes"), {"fields": ("tags", "description", "comments", "welcome_email_sent_at")}),
    )

    search_limit = 200

    def _bulk_fields(self, request) -> dict:
        fields = DeviceBulkFields(request.POST)
        fields.is_valid()
        return fields.cleaned_data

    @action(description=_("Set status of selected devices (choose the status)"), permissions=["change"])
    def bulk_set_status(self, request, queryset):
        status = self._bulk_fields(request).get("status")
        if not status:
            messages.error(request, _("Choose the status to set beside the action."))
            return
        _bulk(request, services.device_bulk_set_status, devices=queryset, status=status)

    @action(description=_("Move selected devices to a site or rack (positions cleared)"), permissions=["change"])
    def bulk_move(self, request, queryset):
        data = self._bulk_fields(request)
        rack, site = data.get("rack"), data.get("site")
        site = site or (rack.site if rack is not None else None)
        if site is None:
            messages.error(request, _("Choose the site or rack to move to beside the action."))
            return
        _bulk(request, services.device_bulk_move, devices=queryset, site=site, rack=rack)

    @action(description=_("Add a tag to selected devices (type the tag)"), permissions=["change"])
    def bulk_add_tag(self, request, queryset):
        _bulk(request, services.device_bulk_add_tag, devices=queryset, tag=self._bulk_fields(request).get("tag") or "")

    def has_decommission_permission(self, request, obj=None) -> bool:
        # A method, not a dotted permission: unfold's system check would query the database for the latter.
        return request.user.has_perm("dcim.change_device") and request.user.has_perm("dcim.change_poweroutlet")

    @action(description=_("Decommission selected devices"), permissions=["decommission"])
    def bulk_decommission(self, request, queryset):
        _bulk(request, services.device_bulk_decommission, devices=queryset)

    def get_urls(self):
        search = path(
            "hardware-search/",
            self.admin_site.admin_view(self.hardware_search_view),
            name="dcim_device_hardware_search",
        )
        return [search, *super().get_urls()]

    def hardware_search_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = HardwareSearchForm(request.GET or None)
        searched = form.is_bound and form.is_valid()
        shown, total = [], 0
        if searched:
            data = form.cleaned_data
            results = selectors.device_search(
                text=data["q"],
                company=data["company"],
                site=data["site"],
                rack=data["rack"],
                role=data["role"],
                tag=data["tag"],
                ip=data["ip"] or "",
            )
            total = results.count()
            shown = list(results[: self.search_limit])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Hardware search"),
            "opts": self.model._meta,
            "form": form,
            "searched": searched,
            "shown": shown,
            "total": total,
        }
        return TemplateResponse(request, "dcim/admin/hardware_search.html", context)

    def has_reveal_secret_permission(self, request, obj=None) -> bool:
        # A method, not a dotted permission: unfold's system check would query the database for the latter.
        return request.user.has_perm(services.SECRET_REVEAL_PERMISSION)

    @action(description=_("Traffic"), url_path="traffic", permissions=["view"])
    def traffic_detail(self, request, object_id):
        # The graphs live in monitoring (a later layer), reached by URL name only.
        return redirect(reverse("monitoring:staff_bandwidth", args=["device", object_id]))

    @action(description=_("Reveal a secret"), url_path="reveal", permissions=["reveal_secret"])
    def reveal_secret(self, request, object_id):
        device = get_object_or_404(Device.objects.with_relations(), pk=object_id)
        form = RevealForm(request.POST or None)
        value = None
        if request.method == "POST" and form.is_valid():
            try:
                value = services.device_secret_reveal(
                    device=device,
                    field=form.cleaned_data["field"],
                    user=request.user,
                    ip_address=request.META.get("REMOTE_ADDR"),
                )
            except PermissionDenied as error:
                messages.error(request, str(error))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reveal a secret of %(device)s") % {"device": device},
            "device": device,
            "opts": self.model._meta,
            "form": form,
            "value": value,
            "audit": device.secret_reveals.select_related("user")[:20],
        }
        return TemplateResponse(request, "dcim/admin/device_reveal.html", context)

    def has_send_welcome_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("dcim.change_device")

    @action(description=_("Send welcome e-mail"), url_path="send-welcome", permissions=["send_welcome"])
    def send_welcome(self, request, object_id):
        device = get_object_or_404(Device, pk=object_id)
        try:
            welcome = services.server_welcome_send(
                device=device, actor=request.user, base_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Welcome e-mail for %(device)s sent to %(recipients)s.")
                % {"device": device, "recipients": ", ".join(welcome.recipients)},
            )
        return redirect("admin:dcim_device_change", object_id)


@override(PowerCircuit, "admin")
class PowerCircuitAdmin(generated_admin(PowerCircuit)):
    actions_list = ["power_report"]

    @action(description=_("Power report"), url_path="report", permissions=["view"])
    def power_report(self, request):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Power: allocated against capacity"),
            "opts": self.model._meta,
            "report": selectors.power_report(),
        }
        return TemplateResponse(request, "dcim/admin/power_report.html", context)


@override(Interface, "admin")
class InterfaceAdmin(generated_admin(Interface)):
    actions = ["bulk_enable", "bulk_disable"]
    actions_detail = ["traffic_detail"]

    @action(description=_("Traffic"), url_path="traffic", permissions=["view"])
    def traffic_detail(self, request, object_id):
        # The graphs live in monitoring (a later layer), reached by URL name only.
        return redirect(reverse("monitoring:staff_bandwidth", args=["interface", object_id]))

    @action(description=_("Enable selected interfaces"), permissions=["change"])
    def bulk_enable(self, request, queryset):
        _bulk(request, services.interface_bulk_set_enabled, interfaces=queryset, enabled=True)

    @action(description=_("Disable selected interfaces"), permissions=["change"])
    def bulk_disable(self, request, queryset):
        _bulk(request, services.interface_bulk_set_enabled, interfaces=queryset, enabled=False)


class PowerOutletAdminForm(forms.ModelForm):
    """Plugging a port in here obeys the same rules as the service: no double booking, no over-allocation."""

    class Meta:
        model = PowerOutlet
        fields = "__all__"  # noqa: DJ007 - the generated admin narrows them

    def clean(self):
        cleaned = super().clean()
        port, pdu = cleaned.get("power_port"), cleaned.get("pdu")
        if port is not None and pdu is not None:
            outlet = PowerOutlet(pk=self.instance.pk, pdu=pdu, name=cleaned.get("name") or "", feed=self.instance.feed)
            problems = selectors.power_connection_problems(power_port=port, outlet=outlet)
            if problems:
                raise ValidationError({"power_port": problems})
        return cleaned


@override(PowerOutlet, "admin")
class PowerOutletAdmin(generated_admin(PowerOutlet)):
    form = PowerOutletAdminForm


class PowerPortAdminForm(forms.ModelForm):
    """A plugged-in port's allocated draw is checked against its circuit, contract and rack when changed here."""

    class Meta:
        model = PowerPort
        fields = "__all__"  # noqa: DJ007 - the generated admin narrows them

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("allocated_draw_w") is not None:
            outlet = (
                PowerOutlet.objects.filter(power_port=self.instance)
                .select_related("pdu__power_circuit__rack", "pdu__power_circuit__company")
                .first()
            )
            if outlet is not None:
                port = PowerPort(
                    pk=self.instance.pk,
                    device=cleaned.get("device") or self.instance.device,
                    name=cleaned.get("name") or self.instance.name,
                )
                problems = selectors.power_draw_problems(
                    power_port=port, outlet=outlet, watts=cleaned["allocated_draw_w"]
                )
                if problems:
                    raise ValidationError({"allocated_draw_w": problems})
        return cleaned


@override(PowerPort, "admin")
class PowerPortAdmin(generated_admin(PowerPort)):
    form = PowerPortAdminForm
