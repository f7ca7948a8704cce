"""Business-hours arithmetic for SLA targets: pure functions, no database.

A :class:`Calendar` is a time zone, working intervals per weekday (local wall-clock time) and holiday dates.
Targets are counted only inside working intervals and outside holidays, so a four-hour response target
set at 17:00 on a Friday falls due on Monday morning. Pausing (while the provider waits for the customer)
is expressed as business seconds added to the target: the due time moves by exactly the working time that
passed while the ticket was paused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_SECONDS = 24 * 60 * 60
# A calendar with working hours yields some within a week; ten years without any means it has none.
MAX_DAYS_SEARCHED = 3660


def _seconds_of_day(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


@dataclass(frozen=True)
class Calendar:
    """Working intervals per weekday (0 = Monday) as (start, end) seconds after local midnight."""

    time_zone: ZoneInfo
    hours: Mapping[int, tuple[tuple[int, int], ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def build(
        cls, *, time_zone: str, hours: Iterable[tuple[int, time, time]], holidays: Iterable[date] = ()
    ) -> Calendar:
        """A calendar from (weekday, start, end) rows; an end of 00:00 means midnight at the end of the day."""
        by_day: dict[int, list[tuple[int, int]]] = {}
        for weekday, start, end in hours:
            start_seconds = _seconds_of_day(start)
            end_seconds = _seconds_of_day(end) or DAY_SECONDS
            if end_seconds <= start_seconds:
                raise ValueError(f"Working hours on day {weekday} end before they start.")
            by_day.setdefault(weekday, []).append((start_seconds, end_seconds))
        merged = {day: tuple(sorted(intervals)) for day, intervals in by_day.items()}
        return cls(time_zone=ZoneInfo(time_zone), hours=merged, holidays=frozenset(holidays))

    @classmethod
    def always_open(cls, time_zone: str = "UTC") -> Calendar:
        """Round the clock, every day (24×7 contracts)."""
        return cls.build(time_zone=time_zone, hours=[(day, time(0), time(0)) for day in range(7)])

    def intervals_on(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The working intervals of one local date as aware datetimes (none on holidays)."""
        if day in self.holidays:
            return
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.time_zone)
        for start, end in self.hours.get(day.weekday(), ()):
            # Adding to an aware datetime is wall-clock arithmetic, so DST changes land on the right hour.
            start_at = midnight + timedelta(seconds=start)
            end_at = (
                midnight + timedelta(seconds=end)
                if end < DAY_SECONDS
                else datetime.combine(day + timedelta(days=1), time(0), self.time_zone)
            )
            # In UTC from here on: subtracting two datetimes of one zone ignores a DST change between them.
            yield start_at.astimezone(UTC), end_at.astimezone(UTC)

    def _days_from(self, moment: datetime) -> Iterator[date]:
        day = moment.astimezone(self.time_zone).date()
        for offset in range(MAX_DAYS_SEARCHED):
            yield day + timedelta(days=offset)


def business_seconds_between(start: datetime, end: datetime, calendar: Calendar) -> int:
    """Working seconds from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -business_seconds_between(end, start, calendar)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = 0.0
    last_day = end.astimezone(calendar.time_zone).date()
    for day in calendar._days_from(start):
        if day > last_day:
            break
        for interval_start, interval_end in calendar.intervals_on(day):
            overlap = (min(end, interval_end) - max(start, interval_start)).total_seconds()
            if overlap > 0:
                total += overlap
    return int(total)


def add_business_seconds(start: datetime, seconds: int, calendar: Calendar) -> datetime:
    """The moment ``seconds`` of working time after ``start``.

    Zero returns ``start`` itself, even outside working hours (nothing is owed yet).
    """
    if seconds < 0:
        raise ValueError("Cannot add negative business time.")
    if seconds == 0:
        return start
    remaining = float(seconds)
    start = start.astimezone(UTC)
    for day in calendar._days_from(start):
        for interval_start, interval_end in calendar.intervals_on(day):
            begin = max(start, interval_start)
            available = (interval_end - begin).total_seconds()
            if available <= 0:
                continue
            if remaining <= available:
                return begin + timedelta(seconds=remaining)
            remaining -= available
    raise ValueError("The business calendar has no working hours; give it some or use a 24×7 calendar.")


def due_at(opened: datetime, target_minutes: int, paused_seconds: int, calendar: Calendar) -> datetime:
    """When a target of ``target_minutes`` business minutes falls due, after ``paused_seconds`` of pause."""
    return add_business_seconds(opened, target_minutes * 60 + max(paused_seconds, 0), calendar)


def remaining_seconds(due: datetime, now: datetime, calendar: Calendar, *, paused_since: datetime | None = None) -> int:
    """Business seconds left until ``due``; negative once overdue. A paused clock stands at ``paused_since``."""
    reference = paused_since or now
    return business_seconds_between(reference, due, calendar)


def format_duration(seconds: int) -> str:
    """A short human form of a business duration: ``2 h 05 min``, ``-45 min`` when overdue."""
    sign = "-" if seconds < 0 else ""
    minutes = abs(int(seconds)) // 60
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    return f"{sign}{minutes} min"
