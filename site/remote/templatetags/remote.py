"""``{% server_remote_controls device %}``: the power, console and BMC-sensor section of a server page."""

from django import template

from remote import graphs, services
from remote.models import BmcStatus, PowerJob

register = template.Library()


@register.inclusion_tag("remote/_server_controls.html", takes_context=True)
def server_remote_controls(context, device):
    """Three queries: the BMC status, the last job, and (inside the permission helpers) the membership."""
    user = context["request"].user
    status = BmcStatus.objects.filter(device=device).first()
    sensors = status.sensors if status else []
    graph_rows = []
    for name, title in (("power_watts", "Power draw"), *((s.get("name"), s.get("name")) for s in sensors)):
        if name and graphs.sensor_path(device, name).exists():
            graph_rows.append({"name": name, "title": title})
    return {
        "device": device,
        "status": status,
        "sensors": sensors,
        "graphs": graph_rows,
        "problems": services.bmc_problems(device),
        "last_job": PowerJob.objects.filter(device=device).order_by("-requested_at").first(),
        "may_power": services.may_control_power(device=device, user=user),
        "may_console": services.may_use_console(device=device, user=user),
    }
