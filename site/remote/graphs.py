"""Graphs of a server's BMC sensors from the RRD files the IPMI collector writes (rrdtool graphv)."""

from __future__ import annotations

from pathlib import Path

import rrdtool
from django.conf import settings

from collector.ipmi import sensor_rrd_path

PERIODS = {"day": 86400, "week": 7 * 86400, "month": 31 * 86400}
KIND_LABELS = {"temperature": "°C", "fan": "RPM", "power": "W", "state": "on/off"}
KIND_COLOURS = {"temperature": "#d9480f", "fan": "#1c7ed6", "power": "#2b8a3e", "state": "#5f3dc4"}


def sensor_path(device, name: str) -> Path:
    return sensor_rrd_path(settings.MONITORING_RRD_DIR, device.pk, name)


def render_sensor_graph(path: Path, *, title: str, kind: str, period: str = "day") -> bytes:
    """An SVG line graph of one sensor with its last, average and maximum values."""
    source = str(path).replace("\\", "\\\\").replace(":", "\\:")
    unit = KIND_LABELS.get(kind, "")
    colour = KIND_COLOURS.get(kind, "#343a40")
    result = rrdtool.graphv(
        "-",
        "--imgformat",
        "SVG",
        "--start",
        f"end-{PERIODS[period]}",
        "--end",
        "now",
        "--title",
        title,
        "--vertical-label",
        unit,
        "--width",
        "520",
        "--height",
        "140",
        "--lower-limit",
        "0",
        f"DEF:v={source}:value:AVERAGE",
        f"DEF:vmax={source}:value:MAX",
        f"LINE2:v{colour}:{title.replace(':', ' ')}",
        "GPRINT:v:LAST:now %6.1lf",
        "GPRINT:v:AVERAGE:avg %6.1lf",
        "GPRINT:vmax:MAX:max %6.1lf",
    )
    return result["image"]
