"""Admin of the remote app: the audits read-only and undeletable; power control on the device page and as a
bulk action of the device list (extending DCIM's device admin from above, so DCIM never imports remote)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

from core.registry import generated_admin, override, resolved
from dcim.models import Device
from remote import reauth, selectors, services
from remote.choices import RequestSource
from remote.models import ConsoleSession, PowerJob
from remote.views import console_reauth_form, power_form


class AuditAdminMixin:
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@override(PowerJob, "admin")
class PowerJobAdmin(AuditAdminMixin, generated_admin(PowerJob)):
    pass


@override(ConsoleSession, "admin")
class ConsoleSessionAdmin(AuditAdminMixin, generated_admin(ConsoleSession)):
    pass


_DeviceAdmin = resolved(Device, "admin")


def _power_page(admin, request, devices, *, title, submitted=None, bulk=False):
    form, jobs = power_form(request, devices=devices, source=RequestSource.ADMIN, submitted=submitted)
    if jobs:
        for job in jobs:
            messages.success(
                request,
                _("%(action)s of %(server)s requested (job %(id)d).")
                % {
                    "action": job.get_action_display(),
                    "server": job.device_name,
                    "id": job.pk,
                },
            )
        if len(jobs) == 1:
            return redirect(reverse("admin:remote_powerjob_change", args=[jobs[0].pk]))
        return redirect(reverse("admin:remote_powerjob_changelist"))
    context = {
        **admin.admin_site.each_context(request),
        "title": title,
        "opts": admin.model._meta,
        "form": form,
        "devices": devices,
        "jobs": selectors.recent_power_jobs(device=devices[0]) if len(devices) == 1 else [],
        "selected_ids": [device.pk for device in devices],
        "bulk": bulk,
    }
    return TemplateResponse(request, "remote/admin/power.html", context)


@override(Device, "admin")
class DeviceAdmin(_DeviceAdmin):
    actions = [*_DeviceAdmin.actions, "bulk_remote_power"]
    actions_detail = [*_DeviceAdmin.actions_detail, "remote_power", "remote_console"]

    def has_remote_power_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(services.CONTROL_PERMISSION)

    def has_remote_console_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(services.CONSOLE_PERMISSION)

    @action(description=_("Serial console (IPMI)"), url_path="remote-console", permissions=["remote_console"])
    def remote_console(self, request, object_id):
        device = get_object_or_404(Device, pk=object_id)
        form, done = console_reauth_form(request)
        if done:
            return redirect(reverse("admin:dcim_device_remote_console", args=[device.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Serial console of %(server)s") % {"server": device.name},
            "opts": self.model._meta,
            "device": device,
            "form": form,
            "problems": services.bmc_problems(device),
            "confirmed": reauth.recently_reauthenticated(user=request.user, session=request.session),
            "sessions": selectors.recent_console_sessions(device=device),
        }
        return TemplateResponse(request, "remote/admin/console.html", context)

    @action(description=_("Power control (IPMI)"), url_path="remote-power", permissions=["remote_power"])
    def remote_power(self, request, object_id):
        device = get_object_or_404(Device, pk=object_id)
        return _power_page(self, request, [device], title=_("Power control of %(server)s") % {"server": device.name})

    @action(description=_("Power control of selected servers (IPMI)"), permissions=["remote_power"])
    def bulk_remote_power(self, request, queryset):
        devices = list(queryset.order_by("name"))
        # The changelist's POST only chose the action; the form below posts back with power_confirm.
        return _power_page(
            self,
            request,
            devices,
            title=_("Power control of %(count)d servers") % {"count": len(devices)},
            submitted="power_confirm" in request.POST,
            bulk=True,
        )
