"""Overrides of the generated IPAM admins: add buttons, search page, utilisation bars, reserve/release."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action, display

from accounts.models import Company
from core.registry import generated_admin, override
from ipam import pdf, reports, selectors, services
from ipam.choices import AssignmentKind
from ipam.forms import AddAddressForm, AddRangeForm, AddSubnetForm, AssignForm, ReserveForm, SearchForm
from ipam.models import Aggregate, Assignment, IPAddress, Prefix

# Rows per page of each paginated table of the ARIN report page.
ARIN_REPORT_PAGE_SIZE = 100


def _chosen(value, candidates):
    """The candidate whose pk is ``value`` (a query-string filter), or None for no filter or an unknown one."""
    return next((candidate for candidate in candidates if str(candidate.pk) == value), None) if value else None


def _page_links(request, parameter: str, page) -> dict:
    """URLs of the first, previous, next and last pages of ``page``, keeping the other query-string values."""

    def link(number):
        query = request.GET.copy()
        query[parameter] = number
        return f"?{query.urlencode()}"

    return {
        "first": link(1) if page.has_previous() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "last": link(page.paginator.num_pages) if page.has_next() else None,
    }


def _form_page(model_admin, request, form, title, submit):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "form": form,
        "submit_label": submit,
    }
    return TemplateResponse(request, "ipam/admin/form.html", context)


def _run(model_admin, request, form, call, done_message):
    """Call a service with the form's data; its ValidationError lands on the form, nothing is written."""
    try:
        result = call(**form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error.messages)
        return None
    model_admin.message_user(request, done_message(result), messages.SUCCESS)
    return result


def utilisation_bar(percent: int, detail: str = "", unit: str = "") -> str:
    """A coloured bar with the percentage; ``detail`` ("3 of 256 /64 subnets used") as tooltip, ``unit`` after."""
    colour = "#dc2626" if percent >= 90 else "#d97706" if percent >= 70 else "#16a34a"
    return format_html(
        '<div title="{}" style="display:flex;align-items:center;gap:6px">'
        '<div style="width:80px;height:8px;background:#e5e7eb;border-radius:4px">'
        '<div style="width:{}%;height:8px;background:{};border-radius:4px"></div></div>{}%{}</div>',
        detail or f"{percent}%",
        percent,
        colour,
        percent,
        format_html(' <span style="font-size:0.75em">{}</span>', unit) if unit else "",
    )


class AddButtonsMixin:
    """The changelist buttons "Add subnet", "Add IP", "Add range" and "Search", shared by both admins."""

    actions_list = ["add_subnet", "add_address", "add_range", "open_search"]

    def save_model(self, request, obj, form, change):
        """The change form saves through the service (validation, and the per-prefix figures it touches)."""
        services.record_save(instance=obj)

    @action(description=_("Add subnet"), url_path="add-subnet", permissions=["add_subnet"], icon="add_box")
    def add_subnet(self, request):
        form = AddSubnetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            created = _run(
                self,
                request,
                form,
                services.prefix_add,
                lambda prefix: (
                    _("Added %(prefix)s with %(count)s address records.")
                    % {"prefix": prefix, "count": prefix.addresses.count()}
                ),
            )
            if created:
                return redirect(reverse("admin:ipam_prefix_changelist"))
        return _form_page(self, request, form, _("Add subnet"), _("Add subnet"))

    @action(description=_("Add IP"), url_path="add-ip", permissions=["add_address"], icon="add")
    def add_address(self, request):
        form = AddAddressForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if _run(self, request, form, services.ip_add, lambda ip: _("Added %(ip)s.") % {"ip": ip}):
                return redirect(reverse("admin:ipam_ipaddress_changelist"))
        return _form_page(self, request, form, _("Add IP address"), _("Add address"))

    @action(description=_("Add range"), url_path="add-range", permissions=["add_address"], icon="playlist_add")
    def add_range(self, request):
        form = AddRangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            done = _run(
                self,
                request,
                form,
                services.ip_range_add,
                lambda rows: _("Added %(count)s addresses.") % {"count": len(rows)},
            )
            if done is not None:
                return redirect(reverse("admin:ipam_ipaddress_changelist"))
        return _form_page(self, request, form, _("Add address range"), _("Add range"))

    def has_add_subnet_permission(self, request, obj=None):
        return request.user.has_perm("ipam.add_prefix")

    def has_add_address_permission(self, request, obj=None):
        return request.user.has_perm("ipam.add_ipaddress")

    @action(description=_("Search"), url_path="open-search", permissions=["view"], icon="search")
    def open_search(self, request):
        return redirect(reverse("admin:ipam_search"))


GeneratedPrefixAdmin = generated_admin(Prefix)


@override(Prefix, "admin")
class PrefixAdmin(AddButtonsMixin, GeneratedPrefixAdmin):
    list_display = [*GeneratedPrefixAdmin.list_display, "utilisation_column"]
    actions = ["release_blocks"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_utilisation()

    def has_add_permission(self, request, obj=None):
        # Rows are made by the "Add" buttons (services), never by the raw model form.
        return False

    @display(description=_("utilisation"))
    def utilisation_column(self, obj):
        # IPv6 is a share of /64 subnets, which the column says; IPv4 a share of addresses.
        return utilisation_bar(obj.utilisation, obj.utilisation_detail, _("of /64s") if obj.family == 6 else "")

    @action(description=_("Release selected blocks from their customers"), permissions=["change"])
    def release_blocks(self, request, queryset):
        done = 0
        for block in queryset.filter(company__isnull=False):
            services.block_release(prefix=block, actor=request.user, reason="released in the admin")
            done += 1
        self.message_user(request, _("%(count)d blocks released.") % {"count": done}, messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("search/", view(self.search_view), name="ipam_search"),
            path("arin-report/", view(self.arin_report_view), name="ipam_arin_report"),
            path("arin-report/<str:part>.csv", view(self.arin_report_csv), name="ipam_arin_report_csv"),
            path("arin-report.pdf", view(self.arin_report_pdf), name="ipam_arin_report_pdf"),
            *super().get_urls(),
        ]

    def arin_report_view(self, request):
        """Utilisation per aggregate (in full), then the prefixes and the customer reassignments a page at a time.

        Both tables are paginated in SQL (``reports.prefix_queryset``, ``reports.reassignment_queryset``), so a
        page costs the same queries with 300 rows in the report or 300,000; the CSV and PDF carry everything.
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        aggregates = list(Aggregate.objects.order_by("family", "network_start"))
        customers = list(
            Company.objects.filter(
                Exists(Assignment.objects.current().filter(company=OuterRef("pk"), kind=AssignmentKind.ASSIGNED))
            ).order_by("name")
        )
        aggregate = _chosen(request.GET.get("aggregate"), aggregates)
        customer = _chosen(request.GET.get("customer"), customers)
        customer_id = customer.pk if customer else None
        prefixes = Paginator(
            reports.prefix_queryset(aggregate_id=aggregate.pk if aggregate else None, company_id=customer_id),
            ARIN_REPORT_PAGE_SIZE,
        ).get_page(request.GET.get("prefix_page"))
        reassignments = Paginator(
            reports.reassignment_queryset(company_id=customer_id, aggregate=aggregate), ARIN_REPORT_PAGE_SIZE
        ).get_page(request.GET.get("reassignment_page"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("ARIN report"),
            "aggregate_rows": reports.aggregate_rows(),
            "aggregates": aggregates,
            "customers": customers,
            "aggregate": aggregate,
            "customer": customer,
            "prefix_page": prefixes,
            "prefix_links": _page_links(request, "prefix_page", prefixes),
            "prefix_rows": reports.prefix_rows(prefixes.object_list),
            "reassignment_page": reassignments,
            "reassignment_links": _page_links(request, "reassignment_page", reassignments),
            "reassignment_rows": [reports.reassignment_row(values) for values in reassignments.object_list],
            "reassignment_header": reports.REASSIGNMENT_HEADER,
        }
        return TemplateResponse(request, "ipam/admin/arin_report.html", context)

    def arin_report_csv(self, request, part):
        if not self.has_view_permission(request):
            raise PermissionDenied
        makers = {"utilisation": reports.utilisation_csv, "reassignments": reports.reassignments_csv}
        if part not in makers:
            raise Http404
        response = HttpResponse(makers[part](), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="arin-{part}.csv"'
        return response

    def arin_report_pdf(self, request):
        """The same report as PDF (WeasyPrint); too large a report is refused with the way to get it offline."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            content = pdf.render_arin_report_pdf(max_rows=pdf.PDF_MAX_ROWS)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return redirect(reverse("admin:ipam_arin_report"))
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="arin-report-{timezone.localdate():%Y-%m-%d}.pdf"'
        return response

    def search_view(self, request):
        """Free / reserved / in-use for an address, a prefix or a customer."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = SearchForm(request.GET or None)
        result = selectors.ip_search(form.data.get("q", "")) if form.is_bound else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("IP search"),
            "form": form,
            "result": result,
        }
        return TemplateResponse(request, "ipam/admin/search.html", context)


GeneratedIPAddressAdmin = generated_admin(IPAddress)


@override(IPAddress, "admin")
class IPAddressAdmin(AddButtonsMixin, GeneratedIPAddressAdmin):
    actions = ["reserve", "release"]
    actions_detail = ["assign"]
    list_select_related = ["company", "prefix", "current_assignment"]
    list_display = [*GeneratedIPAddressAdmin.list_display, "reason_column"]

    def has_add_permission(self, request, obj=None):
        return False

    @display(description=_("reason / since"))
    def reason_column(self, obj):
        current = obj.current_assignment
        return f"{current.reason} · {current.started_at:%Y-%m-%d}".strip(" ·") if current else ""

    @action(description=_("Reserve selected addresses"), permissions=["change"])
    def reserve(self, request, queryset):
        form = ReserveForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for record in queryset:
                try:
                    services.ip_reserve(address=record, reason=form.cleaned_data["reason"], actor=request.user)
                    done += 1
                except ValidationError as error:
                    refused.extend(error.messages)
            self.message_user(request, _("%(count)d addresses reserved.") % {"count": done}, messages.SUCCESS)
            for message in refused:
                self.message_user(request, message, messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Reserve addresses"),
            "form": form,
            "queryset": queryset,
            "action": "reserve",
        }
        return TemplateResponse(request, "ipam/admin/reserve.html", context)

    @action(description=_("Release selected addresses"), permissions=["change"])
    def release(self, request, queryset):
        done, refused = 0, []
        for record in queryset:
            try:
                services.ip_release(address=record, actor=request.user, reason="released in the admin")
                done += 1
            except ValidationError as error:
                refused.extend(error.messages)
        self.message_user(request, _("%(count)d addresses released.") % {"count": done}, messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @action(description=_("Assign to a customer"), url_path="assign", permissions=["change"], icon="person_add")
    def assign(self, request, object_id):
        record = IPAddress.objects.get(pk=object_id)
        form = AssignForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data

            def call(**_fields):
                return services.ip_assign(
                    address=record,
                    company=data["company"],
                    justification_fields={
                        "purpose": data["purpose"],
                        "hosts_now": data["hosts_now"],
                        "hosts_in_12_months": data["hosts_in_12_months"],
                    },
                    reason=data["reason"],
                    actor=request.user,
                )

            if _run(self, request, form, call, lambda a: _("%(a)s saved.") % {"a": a}):
                return redirect(reverse("admin:ipam_ipaddress_change", args=[record.pk]))
        return _form_page(self, request, form, _("Assign %(address)s") % {"address": record}, _("Assign"))
