"""Bandwidth usage per billing period from the RRD files: 95th percentiles and transferred volume.

The billing figures come from the 5-minute samples (``collector.rrd`` keeps a 5-minute AVERAGE archive of
35 days for this): one ``rrdtool xport`` per service reads every port of the service at once, rrdtool adds
the ports up per sample (``ADDNAN``) and marks unknown samples -1, and each column is sorted in C and cut at 0
by bisection, so a month of 8,640 samples costs one call and no Python loop per sample.

Rules, as the month-end report and the portal show them:

* A sample is the average rate over 5 minutes; an interval the collectors missed (a gap longer than the
  RRD heartbeat, or a counter reset, which the DERIVE data sources turn into an unknown) is *unknown* and
  is neither billed nor counted: the percentile is taken over the known samples.
* The 95th percentile drops the top 5 % of the known samples (``n // 20`` of them, rounded down) and is the
  highest that remains: of the 8,640 samples of a 30-day month, the 8,208th smallest (index 8,207).
* In and out are measured apart; the billed figure is the larger of the two unless the product says
  otherwise (``catalog.Product.bandwidth_measure``: in, out, or in + out added per sample).
* Volume is the sum of the known samples times 300 s (bytes); unknown intervals add nothing.
"""

from __future__ import annotations

import operator
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from itertools import chain
from pathlib import Path

from django.utils import timezone

from monitoring.graphs import rrd_daemon_arguments, rrd_source_name, xport

SAMPLE_SECONDS = 300
_known = partial(operator.is_not, None)


@dataclass(frozen=True)
class UsageFigures:
    """What the samples of one period say (rates in bit/s, volumes in bytes)."""

    samples: int
    expected_samples: int
    in_p95_bps: float | None
    out_p95_bps: float | None
    sum_p95_bps: float | None
    in_bytes: int
    out_bytes: int

    def billed_bps(self, measure: str) -> float | None:
        """The 95th percentile billed under ``measure`` (``catalog.choices.BandwidthMeasure``)."""
        if measure == "in":
            return self.in_p95_bps
        if measure == "out":
            return self.out_p95_bps
        if measure == "sum":
            return self.sum_p95_bps
        known = [value for value in (self.in_p95_bps, self.out_p95_bps) if value is not None]
        return max(known) if known else None


def percentile_95(values: Sequence[float | None]) -> float | None:
    """The 95th percentile of the known values: the top 5 % (``n // 20``) dropped, the highest left; None if
    nothing is known."""
    return _percentile_of_sorted(sorted(filter(_known, values)))


def _percentile_of_sorted(known: Sequence[float]) -> float | None:
    count = len(known)
    return known[count - count // 20 - 1] if count else None


def _known_sorted(column: list[float]) -> list[float]:
    """The known samples of a column, sorted; rrdtool marked unknown ones -1 (rates are never negative), so
    sorting in C puts them first and a bisection cuts them off: no Python loop over the samples."""
    column.sort()
    return column[bisect_left(column, 0.0) :]


def month_period(day: date) -> tuple[date, date]:
    """The calendar month containing ``day``: (first day, first day of the next month)."""
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def previous_month(day: date) -> tuple[date, date]:
    """The calendar month before the one containing ``day``."""
    return month_period(day.replace(day=1) - timedelta(days=1))


def period_timestamps(period_start: date, period_end: date) -> tuple[int, int]:
    """The period's bounds as Unix times, midnight in the site's time zone (``TIME_ZONE``)."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(period_start, time.min, tzinfo=zone)
    end = datetime.combine(period_end, time.min, tzinfo=zone)
    return int(start.timestamp()), int(end.timestamp())


def xport_arguments(paths: Sequence[Path], *, start: int, end: int, with_sum: bool = False) -> list[str]:
    """``rrdtool xport`` arguments: in and out bit/s of the ports added up per 5-minute sample (through rrdcached
    when the collectors write through it, so the samples it holds are counted too)."""
    args = [*rrd_daemon_arguments(), "--start", str(start), "--end", str(end), "--step", str(SAMPLE_SECONDS)]
    args += ["--maxrows", str((end - start) // SAMPLE_SECONDS + 2)]
    for index, path in enumerate(paths):
        source = rrd_source_name(path)
        args.append(f"DEF:i{index}={source}:in:AVERAGE:step={SAMPLE_SECONDS}")
        args.append(f"DEF:o{index}={source}:out:AVERAGE:step={SAMPLE_SECONDS}")
    for direction in ("i", "o"):
        expression = f"{direction}0"
        for index in range(1, len(paths)):
            expression += f",{direction}{index},ADDNAN"
        args.append(f"CDEF:{direction}=" + expression + ",8,*")
    # Unknown samples are exported as -1 (see _known_sorted).
    args += ["CDEF:ik=i,UN,-1,i,IF", "CDEF:ok=o,UN,-1,o,IF", "XPORT:ik:in_bps", "XPORT:ok:out_bps"]
    if with_sum:
        args += ["CDEF:s=i,o,ADDNAN", "CDEF:sk=s,UN,-1,s,IF", "XPORT:sk:sum_bps"]
    return args


def usage_from_rrd(paths: Sequence[Path], *, start: int, end: int, with_sum: bool = False) -> UsageFigures:
    """The figures of the samples of ``[start, end)`` over the RRD files ``paths`` (missing files skipped).

    One ``rrdtool xport``; exactly the 5-minute samples inside the period count (8,640 for a 30-day month).
    """
    expected = max((end - start) // SAMPLE_SECONDS, 0)
    existing = [path for path in paths if Path(path).exists()]
    if not existing or expected == 0:
        return UsageFigures(0, expected, None, None, None, 0, 0)
    result = xport(*xport_arguments(existing, start=start, end=end, with_sum=with_sum))
    meta = result["meta"]
    step = int(meta["step"])
    rows = result["data"]
    # Row i is the sample of [first + i*step, first + (i+1)*step); keep those inside [start, end).
    first = int(meta["start"])
    skip = max(0, -(-(start - first) // step))
    count = max(0, (end - (first + skip * step)) // step)
    rows = rows[skip : skip + count]
    if not rows:
        return UsageFigures(0, expected, None, None, None, 0, 0)
    width = 3 if with_sum else 2
    flat = list(chain.from_iterable(rows))
    known_in = _known_sorted(flat[0::width])
    known_out = _known_sorted(flat[1::width])
    return UsageFigures(
        samples=max(len(known_in), len(known_out)),
        expected_samples=expected,
        in_p95_bps=_percentile_of_sorted(known_in),
        out_p95_bps=_percentile_of_sorted(known_out),
        sum_p95_bps=_percentile_of_sorted(_known_sorted(flat[2::width])) if with_sum else None,
        in_bytes=int(sum(known_in) * step / 8),
        out_bytes=int(sum(known_out) * step / 8),
    )
