"""Numbers for people (``core.units`` and the ``units`` template filters)."""

from datetime import date

import pytest
from django.template import Context, Template

from core import units


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (499995.86666666664, "500 kbit/s"),
        (499_000, "499 kbit/s"),
        (999, "999 bit/s"),
        (999_600, "1 Mbit/s"),  # rounding carries into the next unit
        (12_345_678, "12.3 Mbit/s"),
        (1_500_000_000, "1.5 Gbit/s"),
        (0, "0 bit/s"),
        (None, "—"),
        ("", "—"),
        ("not a number", "—"),
        (float("nan"), "—"),
    ],
)
def test_bitrate(value, text):
    assert units.bitrate(value) == text


def test_sizes_power_and_commits():
    assert units.filesize(1_500_000_000) == "1.5 GB"
    assert units.filesize(512) == "512 B"
    assert units.power(850) == "850 W"
    assert units.power(1250) == "1.25 kW"
    assert units.mbitrate(1000) == "1 Gbit/s"
    assert units.mbitrate(100) == "100 Mbit/s"
    assert units.percent(1, 3) == "33 %" and units.percent(1, 0) == "—"


def test_periods_show_the_last_day_included():
    january = units.period(date(2026, 1, 1), date(2026, 2, 1))
    assert "Jan" in january and "31" in january and "Feb" not in january
    assert units.period(date(2026, 1, 1), date(2026, 1, 2)) == units.period(date(2026, 1, 1), None).rstrip(" –")
    assert units.period(None, None) == "—"


def test_filters_in_templates():
    template = Template(
        "{% load units %}{{ rate|bitrate }}|{{ commit|mbitrate }}|{{ size|filesize }}|{{ watts|power }}|"
        "{{ start|period:end }}"
    )
    text = template.render(
        Context(
            {
                "rate": 499995.866,
                "commit": 10000,
                "size": 2e9,
                "watts": 3400,
                "start": date(2026, 3, 1),
                "end": date(2026, 4, 1),
            }
        )
    )
    assert text.startswith("500 kbit/s|10 Gbit/s|2 GB|3.4 kW|") and "31" in text and "Apr" not in text
