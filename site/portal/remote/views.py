"""Portal views of remote access: thin, company-scoped through ``for_user``; the rules live in ``remote``."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from core.tenancy import for_user
from dcim.models import Device
from portal.views import member_required
from remote import graphs, reauth, selectors, services
from remote.choices import RequestSource
from remote.models import PowerJob
from remote.views import console_reauth_form, power_form


def _server(request, membership, pk) -> Device:
    device = for_user(Device, request.user, company=membership.company, staff_scope=False).filter(pk=pk).first()
    if device is None:
        raise Http404
    return device


@member_required("technical")
def power(request, pk, membership):
    device = _server(request, membership, pk)
    form, jobs = power_form(request, devices=[device], source=RequestSource.PORTAL)
    if jobs:
        return redirect("portal:server_power_job", pk=device.pk, job_pk=jobs[0].pk)
    context = {
        "device": device,
        "form": form,
        "allowed": services.may_control_power(device=device, user=request.user),
        "problems": services.bmc_problems(device),
        "jobs": selectors.recent_power_jobs(device=device),
    }
    return render(request, "remote/power.html", context, status=400 if form.is_bound else 200)


@member_required("technical")
def power_job(request, pk, job_pk, membership):
    device = _server(request, membership, pk)
    job = (
        for_user(PowerJob, request.user, company=membership.company, staff_scope=False)
        .filter(pk=job_pk, device=device)
        .first()
    )
    if job is None:
        raise Http404
    return render(request, "remote/power_job.html", {"device": device, "job": job})


@never_cache
@member_required("technical")
def console(request, pk, membership):
    device = _server(request, membership, pk)
    allowed = services.may_use_console(device=device, user=request.user)
    form, done = console_reauth_form(request) if allowed else (None, False)
    if done:
        return redirect("portal:server_console", pk=device.pk)
    confirmed = allowed and reauth.recently_reauthenticated(user=request.user, session=request.session)
    context = {
        "device": device,
        "allowed": allowed,
        "confirmed": confirmed,
        "form": form,
        "problems": services.bmc_problems(device),
        "sessions": selectors.recent_console_sessions(device=device),
    }
    return render(request, "remote/console.html", context, status=400 if form is not None and form.is_bound else 200)


@member_required("technical")
def sensor_graph(request, pk, sensor, membership):
    device = _server(request, membership, pk)
    status = getattr(device, "bmc_status", None) if hasattr(device, "bmc_status") else None
    known = {item.get("name"): item.get("kind", "") for item in (status.sensors if status else [])}
    known.update({"power_state": "state", "power_watts": "power"})
    if sensor not in known:
        raise Http404
    path = graphs.sensor_path(device, sensor)
    if not path.exists():
        raise Http404
    period = request.GET.get("period", "day")
    if period not in graphs.PERIODS:
        period = "day"
    title = {"power_state": "Power state", "power_watts": "Power draw"}.get(sensor, sensor)
    image = graphs.render_sensor_graph(path, title=f"{device.name} {title}", kind=known[sensor], period=period)
    return HttpResponse(image, content_type="image/svg+xml")
