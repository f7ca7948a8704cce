"""Overrides of the generated monitoring admins: the interface's traffic graphs on its state page."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core import units
from core.registry import generated_admin, override
from monitoring import graphs
from monitoring.models import AbuseReport, BandwidthReport, InterfaceState

ADMIN_GRAPH_PERIODS = ("day", "week")

_GeneratedInterfaceStateAdmin = generated_admin(InterfaceState)


# Raw rate fields are shown through the human-unit columns below ("500 kbit/s", not 499995.86666666664).
_RAW_RATES = ("in_bps", "out_bps", "in_errors_ps", "out_errors_ps", "in_discards_ps", "out_discards_ps")


def _per_second(value) -> str:
    return "—" if value is None else f"{value:,.2f}/s"


@override(InterfaceState, "admin")
class InterfaceStateAdmin(_GeneratedInterfaceStateAdmin):
    list_display = ("interface", "oper_status", "in_rate", "out_rate", "commit", "rates_at")
    exclude = _RAW_RATES
    readonly_fields = (
        *(name for name in _GeneratedInterfaceStateAdmin.readonly_fields if name not in _RAW_RATES),
        "in_rate",
        "out_rate",
        "errors",
        "discards",
        "traffic_graphs",
    )

    @admin.display(description=_("in"), ordering="in_bps")
    def in_rate(self, obj):
        return units.bitrate(obj.in_bps)

    @admin.display(description=_("out"), ordering="out_bps")
    def out_rate(self, obj):
        return units.bitrate(obj.out_bps)

    @admin.display(description=_("commit"), ordering="commit_mbps")
    def commit(self, obj):
        return units.mbitrate(obj.commit_mbps) if obj.commit_mbps else "—"

    @admin.display(description=_("errors in / out"))
    def errors(self, obj):
        return f"{_per_second(obj.in_errors_ps)} / {_per_second(obj.out_errors_ps)}"

    @admin.display(description=_("discards in / out"))
    def discards(self, obj):
        return f"{_per_second(obj.in_discards_ps)} / {_per_second(obj.out_discards_ps)}"

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


class AbuseReportForm(forms.ModelForm):
    """The company may be left out: it is taken from the service or from who holds the IP address."""

    class Meta:
        model = AbuseReport
        fields = (
            "company",
            "service",
            "ip_address",
            "kind",
            "summary",
            "details",
            "reported_at",
            "respond_by",
            "status",
            "ticket",
            "description",
            "comments",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "company" in self.fields:
            self.fields["company"].required = False

    def clean(self):
        from monitoring.abuse import abuse_report_company

        data = super().clean()
        company = abuse_report_company(
            company=data.get("company"),
            service=data.get("service"),
            ip_address=data.get("ip_address"),
            when=data.get("reported_at"),
        )
        self.instance.company = data["company"] = company
        return data


@override(AbuseReport, "admin")
class AbuseReportAdmin(generated_admin(AbuseReport)):
    """Staff record and change reports through ``monitoring.abuse``."""

    form = AbuseReportForm

    def save_model(self, request, obj, form, change):
        from monitoring import abuse

        data = form.cleaned_data
        if change:
            changed = {name: data[name] for name in form.changed_data if name in abuse.EDITABLE}
            abuse.abuse_report_update(abusereport=obj, actor=request.user, **changed)
        else:
            fields = {
                name: data.get(name)
                for name in (
                    "company",
                    "service",
                    "ip_address",
                    "kind",
                    "summary",
                    "details",
                    "reported_at",
                    "respond_by",
                    "description",
                    "comments",
                )
            }
            obj.pk = abuse.abuse_report_create(actor=request.user, **fields).pk

    def delete_model(self, request, obj):
        from monitoring import abuse

        abuse.abuse_report_delete(abusereport=obj)


@override(BandwidthReport, "admin")
class BandwidthReportAdmin(generated_admin(BandwidthReport)):
    readonly_fields = (*generated_admin(BandwidthReport).readonly_fields, "report_csv")

    @admin.display(description=_("CSV"))
    def report_csv(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("monitoring:bandwidth_report_csv", args=[f"{obj.period_start:%Y-%m}"])
        usages = reverse("admin:monitoring_bandwidthusage_changelist") + f"?period_start={obj.period_start:%Y-%m-%d}"
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>', url, _("Download CSV"), usages, _("All usage"))
