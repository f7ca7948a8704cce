"""Numbers for people: rates, sizes and power in SI units with three significant digits, and periods.

Used by the ``units`` template filters (portal, admin, website) and by admin ``@display`` columns, so a
rate reads "500 kbit/s" everywhere, never ``499995.86666666664``.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from django.utils.formats import date_format

EMPTY = "—"

BITRATE_UNITS = ("bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s")
BYTE_UNITS = ("B", "kB", "MB", "GB", "TB", "PB")
POWER_UNITS = ("W", "kW", "MW")


def _number(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _significant(value: float) -> str:
    """At most three significant digits, no trailing zeros: 499.99 → "500", 1.234 → "1.23", 1.0 → "1"."""
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, 2 - magnitude)
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    # Rounding can carry into the next magnitude (999.6 → "1000"): the caller's unit step handles that.
    return text


def scaled(value, units: tuple[str, ...], step: int = 1000) -> str:
    """``value`` in the largest unit of ``units`` that keeps it at or above 1, three significant digits."""
    number = _number(value)
    if number is None:
        return EMPTY
    index = 0
    while abs(number) >= step and index < len(units) - 1:
        number /= step
        index += 1
    text = _significant(number)
    if abs(float(text)) >= step and index < len(units) - 1:
        number, index = number / step, index + 1
        text = _significant(number)
    return f"{text} {units[index]}"


def bitrate(bits_per_second) -> str:
    """A rate in bit/s as "500 kbit/s", "1.23 Mbit/s", "10 Gbit/s"."""
    return scaled(bits_per_second, BITRATE_UNITS)


def mbitrate(megabits_per_second) -> str:
    """A rate given in Mbit/s (commits, link speeds) in the same units as :func:`bitrate`."""
    number = _number(megabits_per_second)
    return EMPTY if number is None else bitrate(number * 1_000_000)


def filesize(size_bytes) -> str:
    """A size in bytes in decimal units: "1.5 GB"."""
    return scaled(size_bytes, BYTE_UNITS)


def power(watts) -> str:
    """Power in watts: "850 W", "1.25 kW"."""
    return scaled(watts, POWER_UNITS)


def percent(part, whole) -> str:
    """``part`` as a whole percentage of ``whole`` ("42 %"), or "—" without a whole."""
    part, whole = _number(part), _number(whole)
    if part is None or not whole:
        return EMPTY
    return f"{round(part / whole * 100)} %"


def period(start: date | None, end: date | None, *, end_exclusive: bool = True) -> str:
    """A billing period as people read it: both days included ("1 Jan 2026 – 31 Jan 2026").

    The data model stores periods with an exclusive end (the first day not covered); every page shows the
    last day covered, so an invoice's header and its lines read the same.
    """
    if start is None and end is None:
        return EMPTY
    last = end - timedelta(days=1) if end is not None and end_exclusive else end
    if last is not None and start is not None and last < start:
        last = start
    first_text = date_format(start, "DATE_FORMAT") if start else EMPTY
    last_text = date_format(last, "DATE_FORMAT") if last else ""
    if first_text == last_text:
        return first_text
    return f"{first_text} – {last_text}" if last_text else f"{first_text} –"
