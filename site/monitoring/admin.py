"""Overrides of the generated monitoring admins: the interface's traffic graphs on its state page."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.registry import generated_admin, override
from monitoring import graphs
from monitoring.models import InterfaceState

ADMIN_GRAPH_PERIODS = ("day", "week")

_GeneratedInterfaceStateAdmin = generated_admin(InterfaceState)


@override(InterfaceState, "admin")
class InterfaceStateAdmin(_GeneratedInterfaceStateAdmin):
    readonly_fields = (*_GeneratedInterfaceStateAdmin.readonly_fields, "traffic_graphs")

    @admin.display(description=_("traffic"))
    def traffic_graphs(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        if not graphs.interface_rrd(obj.interface).exists():
            return _("No traffic has been recorded for this interface yet.")
        return format_html_join(
            "",
            '<img src="{}" alt="{}" loading="lazy" style="max-width:100%;margin-bottom:0.5rem">',
            (
                (
                    reverse("monitoring:interface_graph", args=[obj.interface_id, period, "png"]),
                    format_html("{} ({})", obj.interface, period),
                )
                for period in ADMIN_GRAPH_PERIODS
            ),
        )


# Service monitoring (checks, contacts, incidents): its admins live beside their models.
from monitoring import check_admin  # noqa: E402, F401
