"""The 95th percentile and volume of a billing period from real RRD files, against hand-computed figures."""

from datetime import UTC, date, datetime

import pytest

from monitoring.usage import month_period, percentile_95, period_timestamps, previous_month, usage_from_rrd
from tests.monitoring.rrdmonth import write_samples

NOV_2026 = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
MONTH_SAMPLES = 30 * 288  # 8,640 five-minute samples in a 30-day month


def test_percentile_drops_the_top_five_percent():
    assert percentile_95([]) is None
    assert percentile_95([None, None]) is None
    assert percentile_95([7.0]) == 7.0
    # 20 values 1..20: the top 5 % is one value (20), the 95th is 19.
    assert percentile_95([float(v) for v in range(20, 0, -1)]) == 19.0
    # 19 values: 5 % of 19 rounds down to 0 dropped, the 95th is the maximum.
    assert percentile_95([float(v) for v in range(1, 20)]) == 19.0
    # 100 values: 5 dropped (96..100), the 95th is 95; unknowns are left out, not counted as zero.
    assert percentile_95([*map(float, range(1, 101)), None, None]) == 95.0
    # 8,640 values: 432 dropped, the 8,208th smallest.
    assert percentile_95([float(v) for v in range(1, MONTH_SAMPLES + 1)]) == 8208.0


def test_periods():
    assert month_period(date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 3, 1))
    assert previous_month(date(2027, 1, 1)) == (date(2026, 12, 1), date(2027, 1, 1))
    start, end = period_timestamps(date(2026, 11, 1), date(2026, 12, 1))
    assert (start, end) == (NOV_2026, NOV_2026 + 30 * 86400)


def _rates():
    # Sample k: in = (k + 1) × 1,000 bytes/s (a permutation, so sorting matters), out = twice the reverse.
    ins = [((k * 7919) % MONTH_SAMPLES + 1) * 1000 for k in range(MONTH_SAMPLES)]
    outs = [(MONTH_SAMPLES - k) * 2000 for k in range(MONTH_SAMPLES)]
    return ins, outs


def test_the_8640_sample_month(tmp_path):
    ins, outs = _rates()
    path = write_samples(tmp_path / "a.rrd", start=NOV_2026, in_rates=ins, out_rates=outs)
    figures = usage_from_rrd([path], start=NOV_2026, end=NOV_2026 + 30 * 86400)
    assert figures.samples == figures.expected_samples == MONTH_SAMPLES
    # Top 432 dropped: in's 8,208th smallest is 8,208,000 bytes/s = 65.664 Mbit/s; out's is twice that.
    assert figures.in_p95_bps == pytest.approx(8208 * 1000 * 8)
    assert figures.out_p95_bps == pytest.approx(8208 * 2000 * 8)
    assert figures.billed_bps("larger") == figures.out_p95_bps
    assert figures.billed_bps("in") == figures.in_p95_bps
    # Volume: every sample × 300 s.
    assert figures.in_bytes == pytest.approx(sum(ins) * 300, rel=1e-9)
    assert figures.out_bytes == pytest.approx(sum(outs) * 300, rel=1e-9)


def test_gaps_are_left_out_and_counter_resets_change_nothing(tmp_path):
    ins, outs = _rates()
    # Two outages (2 h and 25 min, longer than the 10-minute heartbeat) and three agent restarts.
    gaps = set(range(1000, 1024)) | set(range(5000, 5005))
    resets = {200, 3000, 8000}
    path = write_samples(tmp_path / "b.rrd", start=NOV_2026, in_rates=ins, out_rates=outs, gaps=gaps, resets=resets)
    figures = usage_from_rrd([path], start=NOV_2026, end=NOV_2026 + 30 * 86400)
    known = [k for k in range(MONTH_SAMPLES) if k not in gaps]
    assert figures.samples == len(known) == MONTH_SAMPLES - 29
    expected_in = sorted(ins[k] for k in known)[len(known) - len(known) // 20 - 1] * 8
    expected_out = sorted(outs[k] for k in known)[len(known) - len(known) // 20 - 1] * 8
    assert figures.in_p95_bps == pytest.approx(expected_in)
    assert figures.out_p95_bps == pytest.approx(expected_out)
    # A reset is one unknown minute of five: the sample is the other four's average, so nothing is lost.
    assert figures.in_bytes == pytest.approx(sum(ins[k] for k in known) * 300, rel=1e-9)
    assert figures.out_bytes == pytest.approx(sum(outs[k] for k in known) * 300, rel=1e-9)


def test_ports_of_a_service_are_added_per_sample(tmp_path):
    day = 288
    a = write_samples(tmp_path / "a.rrd", start=NOV_2026, in_rates=[1000] * day, out_rates=[k * 10 for k in range(day)])
    # The second port is down for the first half of the day (unknown): it adds nothing there.
    b = write_samples(
        tmp_path / "b.rrd", start=NOV_2026, in_rates=[500] * day, out_rates=[5000] * day, gaps=set(range(144))
    )
    figures = usage_from_rrd([a, b, tmp_path / "missing.rrd"], start=NOV_2026, end=NOV_2026 + 86400, with_sum=True)
    assert figures.samples == day
    outs = sorted([k * 10 + (5000 if k >= 144 else 0) for k in range(day)])
    assert figures.out_p95_bps == pytest.approx(outs[day - day // 20 - 1] * 8)
    assert figures.in_p95_bps == pytest.approx(1500 * 8)
    sums = sorted(1000 + k * 10 + (5500 if k >= 144 else 0) for k in range(day))
    assert figures.sum_p95_bps == pytest.approx(sums[day - day // 20 - 1] * 8)
    # Only the period's samples count: the next day has none.
    assert usage_from_rrd([a], start=NOV_2026 + 86400, end=NOV_2026 + 2 * 86400).samples == 0
    assert usage_from_rrd([tmp_path / "missing.rrd"], start=NOV_2026, end=NOV_2026 + 86400).in_p95_bps is None


def test_reading_months_leaks_no_memory(tmp_path):
    """The rrdtool binding's xport keeps a reference to its whole result (about 1.2 MB a month of samples):
    monitoring.graphs.xport releases it, so a month-end run over thousands of services stays flat."""
    import tracemalloc

    ins, outs = _rates()
    path = write_samples(tmp_path / "a.rrd", start=NOV_2026, in_rates=ins, out_rates=outs)
    period = {"start": NOV_2026, "end": NOV_2026 + 30 * 86400}
    expected = usage_from_rrd([path], **period)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10):
            assert usage_from_rrd([path], **period) == expected
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert growth < 500_000, f"{growth:,} bytes kept after 10 months read (a leaked month is about 1.2 MB)"
