"""Response-time graphs of service checks, from the RRD files the collectors write (collector/rrd.py)."""

from __future__ import annotations

from pathlib import Path

import rrdtool
from django.conf import settings

from collector.rrd import check_rrd_path
from monitoring.graphs import PERIODS


def check_rrd(check) -> Path:
    """The RRD file of ``check``."""
    return check_rrd_path(settings.MONITORING_RRD_DIR, check.pk)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(":", "\\:")


def render_check_graph(path: Path, *, title: str, period: str, image_format: str = "png") -> bytes:
    """Response time in ms (area) with failed intervals marked in red beneath it, average and maximum."""
    source = _escape(str(path))
    result = rrdtool.graphv(
        "-",
        "--imgformat",
        image_format.upper(),
        "--start",
        f"end-{PERIODS[period]}",
        "--end",
        "now",
        "--title",
        title,
        "--vertical-label",
        "ms",
        "--width",
        "600",
        "--height",
        "160",
        "--lower-limit",
        "0",
        f"DEF:rtt={source}:rtt:AVERAGE",
        f"DEF:rttMax={source}:rtt:MAX",
        f"DEF:ok={source}:ok:AVERAGE",
        "CDEF:failed=ok,1,LT,INF,UNKN,IF",
        "VDEF:avg=rtt,AVERAGE",
        "VDEF:max=rttMax,MAXIMUM",
        "VDEF:last=rtt,LAST",
        "AREA:failed#F0443833:Failed",
        "AREA:rtt#1F5FBF80:Response time",
        "LINE1:rtt#174A96",
        "GPRINT:avg:avg %6.1lf ms",
        "GPRINT:max:max %6.1lf ms",
        "GPRINT:last:last %6.1lf ms\\l",
    )
    return result["image"]
