"""Portal views of abuse reports: the report, acknowledging it, answering in its ticket (``monitoring.abuse``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.tenancy import for_user
from monitoring.abuse import abuse_report_acknowledge, abuse_report_answer
from monitoring.models import AbuseReport
from portal.views import member_required


def _report(request, membership, pk):
    queryset = for_user(AbuseReport, request.user, company=membership.company, staff_scope=False)
    return get_object_or_404(queryset.select_related("service__plan__product", "ticket"), pk=pk)


@member_required()
def abuse_report(request, pk, membership):
    report = _report(request, membership, pk)
    context = {"report": report, "may_answer": membership.can("technical")}
    return render(request, "portal/abuse/detail.html", context)


@require_POST
@member_required("technical")
def abuse_acknowledge(request, pk, membership):
    report = _report(request, membership, pk)
    try:
        abuse_report_acknowledge(abuse_report=report, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Thank you: the report is acknowledged. Tell us what you found below."))
    return redirect("portal:abuse_report", pk=report.pk)


@require_POST
@member_required("technical")
def abuse_answer(request, pk, membership):
    report = _report(request, membership, pk)
    try:
        ticket = abuse_report_answer(abuse_report=report, user=request.user, body=request.POST.get("body", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("portal:abuse_report", pk=report.pk)
    messages.success(request, _("Your answer is in ticket %(number)s.") % {"number": ticket.number})
    return redirect("portal:abuse_report", pk=report.pk)
