"""Counter arithmetic: wraps, agent restarts and oversize deltas never produce a spike."""

import pytest

from collector import counters


def test_plain_delta_and_rate():
    rate = counters.counter_rate(1_000, 61_000, elapsed=60)
    assert rate.value == 1_000
    assert rate.reason is None


def test_first_sample_has_no_rate():
    assert counters.counter_rate(None, 5, elapsed=60) == counters.Rate(None, counters.FIRST)


def test_missing_current_value_has_no_rate():
    assert counters.counter_rate(5, None, elapsed=60).reason == counters.MISSING


@pytest.mark.parametrize("elapsed", [0, -3])
def test_samples_out_of_order_have_no_rate(elapsed):
    assert counters.counter_rate(1, 2, elapsed=elapsed).reason == counters.NO_TIME


def test_64_bit_wrap():
    previous = 2**64 - 1_000
    current = 5_000
    assert counters.counter_delta(previous, current, bits=64) == 6_000
    assert counters.counter_rate(previous, current, elapsed=60, bits=64).value == 100


def test_32_bit_wrap():
    assert counters.counter_delta(2**32 - 10, 20, bits=32) == 30
    assert counters.counter_rate(2**32 - 10, 50, elapsed=60, bits=32).value == 1


def test_value_outside_counter_width_is_rejected():
    with pytest.raises(ValueError):
        counters.counter_delta(2**32, 1, bits=32)


def test_restart_gives_no_rate_instead_of_a_wrap_spike():
    # Counter went back because the agent restarted: as a wrap this would be ~2^64 bytes.
    restarted = counters.agent_restarted(500_000, 1_200, elapsed=60)
    assert restarted
    rate = counters.counter_rate(10**12, 4_000, elapsed=60, restarted=restarted)
    assert rate.value is None
    assert rate.reason == counters.RESTART
    assert not rate.dropped


def test_uptime_going_forward_is_no_restart():
    assert not counters.agent_restarted(1_000, 7_000, elapsed=60)


def test_uptime_wrapping_after_497_days_is_no_restart():
    previous = 2**32 - 3_000  # 30 s before the wrap
    current = 3_000  # 60 s later
    assert not counters.agent_restarted(previous, current, elapsed=60)
    # ... but a small value far from where the wrap would land is a restart.
    assert counters.agent_restarted(previous, 200_000, elapsed=60)


def test_oversize_delta_is_dropped_and_marked():
    limit = counters.octets_limit(1000)  # 1 Gbit/s = 125,000,000 bytes/s
    assert limit == 125_000_000
    rate = counters.counter_rate(0, int(limit * 60 * 2), elapsed=60, max_per_second=limit)
    assert rate.value is None
    assert rate.reason == counters.OVERSIZE
    assert rate.dropped


def test_line_rate_is_kept():
    limit = counters.octets_limit(1000)
    assert counters.counter_rate(0, int(limit * 60), elapsed=60, max_per_second=limit).value == limit


def test_wrap_that_looks_huge_is_dropped_when_speed_known():
    # A 32-bit-style reset seen on a 64-bit counter without an uptime change is garbage.
    limit = counters.octets_limit(100)
    assert counters.counter_rate(10**9, 10, elapsed=60, max_per_second=limit).reason == counters.OVERSIZE


def test_unknown_speed_has_no_limit():
    assert counters.octets_limit(None) is None
    assert counters.octets_limit(0) is None
    assert counters.counter_rate(0, 10**15, elapsed=1, max_per_second=None).value == 10**15


def test_elapsed_prefers_the_agent_clock():
    assert counters.elapsed_seconds(100.0, 161.0, 1_000, 7_000) == 60.0
    # A sysUpTime that disagrees wildly with the wall clock is ignored.
    assert counters.elapsed_seconds(100.0, 160.0, 1_000, 900_000) == 60.0
    assert counters.elapsed_seconds(100.0, 160.0, None, 900_000) == 60.0
