"""Write known 5-minute rates into real RRD files (the collector's layout), for hand-computable usage tests.

``write_samples`` makes the file with ``collector.rrd.create_arguments`` and feeds it raw octet counters every
60 s, the way the collector does: sample ``k`` of the period (``[start + 300k, start + 300(k+1))``) carries
``in_rates[k]`` / ``out_rates[k]`` bytes per second. ``gaps`` are sample indices with no updates at all (a
collector outage longer than the heartbeat: unknown); ``resets`` are sample indices where the counters
restart from 0 one minute in (an agent reboot: the minute is unknown, the 5-minute average is the rest).
"""

from __future__ import annotations

from pathlib import Path

import rrdtool

from collector.rrd import create_arguments, rrd_path

SAMPLE = 300
MINUTE = 60


def write_samples(
    path: Path,
    *,
    start: int,
    in_rates,
    out_rates,
    gaps=frozenset(),
    resets=frozenset(),
    speed_mbps: int | None = None,
) -> Path:
    """Create ``path`` and write the samples (see the module)."""
    assert start % SAMPLE == 0
    path.parent.mkdir(parents=True, exist_ok=True)
    rrdtool.create(str(path), *create_arguments(speed_mbps=speed_mbps, start=start - MINUTE))
    counter_in = counter_out = 0
    updates = [f"{start}:0:0:0:0:0:0:1"]
    for k, (rate_in, rate_out) in enumerate(zip(in_rates, out_rates, strict=True)):
        for minute in range(1, 6):
            timestamp = start + k * SAMPLE + minute * MINUTE
            counter_in += int(rate_in * MINUTE)
            counter_out += int(rate_out * MINUTE)
            if k in resets and minute == 1:
                counter_in = counter_out = 0  # the agent restarted: counters from zero
            if k in gaps:
                continue
            updates.append(f"{timestamp}:{counter_in}:{counter_out}:0:0:0:0:1")
    for index in range(0, len(updates), 2000):
        rrdtool.update(str(path), *updates[index : index + 2000])
    return path


def interface_file(settings, interface) -> Path:
    return rrd_path(settings.MONITORING_RRD_DIR, interface.device_id, interface.name)
