"""Admins of service monitoring that differ from the generated ones: writes through the services, the
response-time graph on a check's page, and acknowledging incidents (who and when) from the list or the page."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

from core.registry import generated_admin, override
from monitoring import check_graphs, incidents
from monitoring import checks as check_services
from monitoring.check_models import Check, Incident, MonitoringContact


class _ServiceWrittenAdmin:
    """save_model/delete_model through the app's services (the form has already validated the fields)."""

    service_fields: set[str] = set()
    create = update = delete = None
    model_argument = ""

    def _fields(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in self.service_fields if name in form.cleaned_data}

    def save_model(self, request, obj, form, change):
        fields = self._fields(form)
        if change:
            type(self).update(**{self.model_argument: obj}, actor=request.user, **fields)
        else:
            created = type(self).create(company=form.cleaned_data["company"], actor=request.user, **fields)
            obj.pk = created.pk
            obj._state.adding = False

    def delete_model(self, request, obj):
        type(self).delete(**{self.model_argument: obj}, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@override(Check, "admin")
class CheckAdmin(_ServiceWrittenAdmin, generated_admin(Check)):
    service_fields = check_services.CHECK_FIELDS
    create = staticmethod(check_services.check_create)
    update = staticmethod(check_services.check_update)
    delete = staticmethod(check_services.check_delete)
    model_argument = "check"
    readonly_fields = (*generated_admin(Check).readonly_fields, "response_graph")

    @admin.display(description=_("response time"))
    def response_graph(self, obj):
        if obj is None or obj.pk is None or not check_graphs.check_rrd(obj).exists():
            return _("No results have been recorded for this check yet.")
        return format_html(
            '<img src="{}" alt="{}" loading="lazy" style="max-width:100%">',
            reverse("monitoring:check_graph", args=[obj.pk, "day", "png"]),
            format_html("{} (day)", obj.name),
        )


@override(MonitoringContact, "admin")
class MonitoringContactAdmin(_ServiceWrittenAdmin, generated_admin(MonitoringContact)):
    service_fields = check_services.CONTACT_FIELDS
    create = staticmethod(check_services.contact_create)
    update = staticmethod(check_services.contact_update)
    delete = staticmethod(check_services.contact_delete)
    model_argument = "monitoringcontact"


@override(Incident, "admin")
class IncidentAdmin(generated_admin(Incident)):
    actions = ["acknowledge_selected"]
    actions_detail = ["acknowledge_detail"]

    def _acknowledge(self, request, incident) -> None:
        try:
            incidents.incident_acknowledge(incident=incident, actor=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, _("%(incident)s acknowledged.") % {"incident": incident}, messages.SUCCESS)

    @action(description=_("Acknowledge selected incidents"), permissions=["change"])
    def acknowledge_selected(self, request, queryset):
        for incident in queryset.filter(acknowledged_at__isnull=True).select_related("service_check"):
            self._acknowledge(request, incident)

    @action(description=_("Acknowledge"), url_path="acknowledge", permissions=["change"], icon="task_alt")
    def acknowledge_detail(self, request, object_id):
        incident = get_object_or_404(Incident.objects.select_related("service_check"), pk=object_id)
        self._acknowledge(request, incident)
        return redirect(reverse("admin:monitoring_incident_change", args=[incident.pk]))
