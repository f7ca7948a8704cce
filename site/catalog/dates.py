"""Calendar arithmetic for contracts and billing periods (no third-party dependency)."""

from __future__ import annotations

import calendar
from datetime import date

from catalog.choices import PERIOD_MONTHS


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the end of shorter months (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end_after(*, anchor: date, period: str, day: date) -> date:
    """The first period boundary strictly after ``day`` for periods starting at ``anchor`` (exclusive end).

    ``anchor`` is the first day billed; boundaries are ``anchor`` plus whole periods.
    """
    months = PERIOD_MONTHS.get(period, 1)
    count = 1
    boundary = add_months(anchor, months)
    while boundary <= day:
        count += 1
        boundary = add_months(anchor, months * count)
    return boundary
