"""The business-hours arithmetic: weekends, holidays, pauses, time zones and DST."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tickets import sla

OFFICE = sla.Calendar.build(time_zone="UTC", hours=[(day, time(9), time(17)) for day in range(5)])
FRIDAY = date(2026, 5, 8)  # a Friday


def at(day: date, hour: int, minute: int = 0, tz=UTC) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def test_target_set_late_on_friday_falls_due_on_monday():
    due = sla.add_business_seconds(at(FRIDAY, 16), 4 * 3600, OFFICE)
    assert due == at(FRIDAY + timedelta(days=3), 12)


def test_time_over_the_weekend_is_not_counted():
    assert sla.business_seconds_between(at(FRIDAY, 16), at(FRIDAY + timedelta(days=3), 10), OFFICE) == 2 * 3600
    assert sla.business_seconds_between(at(FRIDAY, 18), at(FRIDAY + timedelta(days=1), 12), OFFICE) == 0


def test_reversed_interval_is_negative():
    assert sla.business_seconds_between(at(FRIDAY, 12), at(FRIDAY, 10), OFFICE) == -2 * 3600


def test_opened_on_saturday_counts_from_monday_morning():
    saturday = FRIDAY + timedelta(days=1)
    assert sla.add_business_seconds(at(saturday, 10), 3600, OFFICE) == at(FRIDAY + timedelta(days=3), 10)


def test_holidays_are_skipped():
    monday = FRIDAY + timedelta(days=3)
    calendar = sla.Calendar.build(
        time_zone="UTC", hours=[(day, time(9), time(17)) for day in range(5)], holidays=[monday]
    )
    assert sla.add_business_seconds(at(FRIDAY, 16), 4 * 3600, calendar) == at(monday + timedelta(days=1), 12)
    assert sla.business_seconds_between(at(FRIDAY, 17), at(monday + timedelta(days=1), 9), calendar) == 0


def test_split_working_day():
    lunch = sla.Calendar.build(time_zone="UTC", hours=[(4, time(9), time(12)), (4, time(13), time(17))])
    assert sla.add_business_seconds(at(FRIDAY, 11), 2 * 3600, lunch) == at(FRIDAY, 14)


def test_pause_moves_the_due_time_by_the_paused_business_time():
    opened = at(FRIDAY, 9)
    assert sla.due_at(opened, 240, 0, OFFICE) == at(FRIDAY, 13)
    assert sla.due_at(opened, 240, 3 * 3600, OFFICE) == at(FRIDAY, 16)
    # Paused into the weekend: 4 h + 5 h of pause from Friday 09:00 is Monday 10:00.
    assert sla.due_at(opened, 240, 5 * 3600, OFFICE) == at(FRIDAY + timedelta(days=3), 10)


def test_paused_clock_stands_still():
    due = at(FRIDAY, 15)
    paused_since = at(FRIDAY, 13)
    for now in (at(FRIDAY, 14), at(FRIDAY, 16), at(FRIDAY + timedelta(days=3), 11)):
        assert sla.remaining_seconds(due, now, OFFICE, paused_since=paused_since) == 2 * 3600
    assert sla.remaining_seconds(due, at(FRIDAY, 16), OFFICE) == -3600


def test_local_working_hours_in_another_time_zone():
    berlin = sla.Calendar.build(time_zone="Europe/Berlin", hours=[(day, time(9), time(17)) for day in range(5)])
    # 09:00 in Berlin on a May Friday is 07:00 UTC.
    assert sla.add_business_seconds(at(FRIDAY, 6), 3600, berlin) == at(FRIDAY, 8)


def test_round_the_clock_across_daylight_saving_change():
    berlin = sla.Calendar.always_open("Europe/Berlin")
    zone = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 29, 0, 0, tzinfo=zone)  # clocks jump from 02:00 to 03:00
    end = datetime(2026, 3, 29, 4, 0, tzinfo=zone)
    assert sla.business_seconds_between(start, end, berlin) == 3 * 3600
    assert sla.add_business_seconds(start, 3 * 3600, berlin) == end


def test_zero_target_and_empty_calendar():
    assert sla.add_business_seconds(at(FRIDAY, 20), 0, OFFICE) == at(FRIDAY, 20)
    with pytest.raises(ValueError, match="no working hours"):
        sla.add_business_seconds(at(FRIDAY, 9), 60, sla.Calendar.build(time_zone="UTC", hours=[]))
    with pytest.raises(ValueError):
        sla.Calendar.build(time_zone="UTC", hours=[(0, time(17), time(9))])


def test_format_duration():
    assert sla.format_duration(2 * 3600 + 5 * 60) == "2 h 05 min"
    assert sla.format_duration(-45 * 60) == "-45 min"
