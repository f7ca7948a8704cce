"""Portal pages of service monitoring: the company's checks, their incidents and graphs, and its contacts.

Thin: querysets come through ``for_user`` (another company's check or contact is a 404), writes through
``monitoring.checks``; a rule the service refuses comes back as a form error.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.tenancy import for_user
from dcim.models import Device
from ipam.models import IPAddress
from monitoring import check_graphs
from monitoring import checks as services
from monitoring.check_models import Check, Incident, MonitoringContact
from portal.monitoring.forms import CheckForm, ContactForm
from portal.views import member_required

GRAPH_PERIODS = ("day", "week")


def _scoped(model, request, membership):
    return for_user(model, request.user, company=membership.company, staff_scope=False)


def _check(request, membership, pk) -> Check:
    check = _scoped(Check, request, membership).select_related("company", "device", "ip_address").filter(pk=pk).first()
    if check is None:
        raise Http404
    return check


def _contact(request, membership, pk) -> MonitoringContact:
    contact = _scoped(MonitoringContact, request, membership).filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has it, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _graph_url(check, period: str) -> str:
    return reverse("monitoring:check_graph", args=[check.pk, period, "png"])


@member_required("technical")
def monitoring(request, membership):
    company = membership.company
    checks = list(_scoped(Check, request, membership).select_related("company", "device", "ip_address"))
    rows = [
        {"check": check, "graph_url": _graph_url(check, "day") if check_graphs.check_rrd(check).exists() else ""}
        for check in checks
    ]
    context = {
        "rows": rows,
        "down": sum(1 for check in checks if check.state == "down"),
        "limit": services.check_limit(company=company),
        "incidents": _scoped(Incident, request, membership).select_related("service_check")[:25],
        "contacts": _scoped(MonitoringContact, request, membership).order_by("name"),
    }
    return render(request, "portal/monitoring/overview.html", context)


@member_required("technical")
def check_detail(request, pk, membership):
    check = _check(request, membership, pk)
    has_data = check_graphs.check_rrd(check).exists()
    context = {
        "check": check,
        "graphs": [{"period": period, "url": _graph_url(check, period)} for period in GRAPH_PERIODS]
        if has_data
        else [],
        "incidents": check.incidents.select_related("acknowledged_by")[:50],
        "windows": check.maintenance_windows.order_by("-starts_at")[:20],
    }
    return render(request, "portal/monitoring/check_detail.html", context)


def _check_form(request, membership, *, data=None, initial=None):
    devices = _scoped(Device, request, membership).filter(management_ip__isnull=False).order_by("name")
    addresses = _scoped(IPAddress, request, membership).order_by("family", "value")
    return CheckForm(data, initial=initial, devices=devices, addresses=addresses)


@member_required("technical")
def check_add(request, membership):
    form = _check_form(request, membership, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.check_create(company=membership.company, actor=request.user, **form.service_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(check)s is being checked from now on.") % {"check": check.name})
            return redirect("portal:monitoring_check", pk=check.pk)
    return render(request, "portal/monitoring/check_form.html", {"form": form, "check": None})


@member_required("technical")
def check_edit(request, pk, membership):
    check = _check(request, membership, pk)
    initial = {name: getattr(check, name) for name in services.CHECK_FIELDS}
    form = _check_form(request, membership, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {key: value for key, value in form.service_fields().items() if key in services.CHECK_FIELDS}
        fields.pop("paused", None)
        try:
            services.check_update(check=check, actor=request.user, **fields)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(check)s saved.") % {"check": check.name})
            return redirect("portal:monitoring_check", pk=check.pk)
    return render(request, "portal/monitoring/check_form.html", {"form": form, "check": check})


@member_required("technical")
@require_POST
def check_pause(request, pk, membership):
    check = _check(request, membership, pk)
    paused = request.POST.get("paused") == "1"
    services.check_pause(check=check, paused=paused, actor=request.user)
    text = _("%(check)s is paused.") if paused else _("%(check)s is checked again.")
    messages.success(request, text % {"check": check.name})
    return redirect("portal:monitoring_check", pk=check.pk)


@member_required("technical")
def check_delete(request, pk, membership):
    check = _check(request, membership, pk)
    if request.method == "POST":
        services.check_delete(check=check, actor=request.user)
        messages.success(request, _("%(check)s removed.") % {"check": check.name})
        return redirect("portal:monitoring")
    return render(request, "portal/monitoring/confirm_delete.html", {"object": check, "what": _("check")})


@member_required("technical")
def contact_add(request, membership):
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(company=membership.company, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s will be told.") % {"name": form.cleaned_data["name"]})
            return redirect(reverse("portal:monitoring") + "#contacts")
    return render(request, "portal/monitoring/contact_form.html", {"form": form, "contact": None})


@member_required("technical")
def contact_edit(request, pk, membership):
    contact = _contact(request, membership, pk)
    initial = {name: getattr(contact, name) for name in services.CONTACT_FIELDS}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(monitoringcontact=contact, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": contact.name})
            return redirect(reverse("portal:monitoring") + "#contacts")
    return render(request, "portal/monitoring/contact_form.html", {"form": form, "contact": contact})


@member_required("technical")
def contact_delete(request, pk, membership):
    contact = _contact(request, membership, pk)
    if request.method == "POST":
        services.contact_delete(monitoringcontact=contact, actor=request.user)
        messages.success(request, _("%(name)s removed.") % {"name": contact.name})
        return redirect(reverse("portal:monitoring") + "#contacts")
    return render(request, "portal/monitoring/confirm_delete.html", {"object": contact, "what": _("contact")})
