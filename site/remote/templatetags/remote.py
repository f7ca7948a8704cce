"""The remote app's sections of a server page (``remote/_server_controls.html`` and ``remote/_server_sensors.html``
use them; the portal's server page includes those two templates where it has room for them)."""

from django import template

from remote import graphs, services
from remote.models import BmcStatus, PowerJob

register = template.Library()


def _status(context, device):
    """The device's BmcStatus, read once per page even when both sections render."""
    cache = context.render_context.setdefault("remote_bmc_status", {})
    if device.pk not in cache:
        cache[device.pk] = BmcStatus.objects.filter(device=device).first()
    return cache[device.pk]


@register.inclusion_tag("remote/_controls_body.html", takes_context=True)
def server_remote_controls(context, device):
    """Power state and draw, the last power command, and links to power control and the console."""
    user = context["request"].user
    return {
        "device": device,
        "status": _status(context, device),
        "problems": services.bmc_problems(device),
        "last_job": PowerJob.objects.filter(device=device).order_by("-requested_at").first(),
        "may_power": services.may_control_power(device=device, user=user),
        "may_console": services.may_use_console(device=device, user=user),
    }


@register.inclusion_tag("remote/_sensors_body.html", takes_context=True)
def server_bmc_sensors(context, device):
    """The latest readings of every BMC sensor and the graphs of those with an RRD file."""
    status = _status(context, device)
    sensors = status.sensors if status else []
    rows = []
    for name, title in (("power_watts", "Power draw"), *((s.get("name"), s.get("name")) for s in sensors)):
        if name and graphs.sensor_path(device, name).exists():
            rows.append({"name": name, "title": title})
    return {"device": device, "sensors": sensors, "graphs": rows}
