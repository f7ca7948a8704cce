"""Counter arithmetic: rates from two samples, without spikes from wraps, agent restarts or garbage.

Pure functions, no I/O. A rate is ``None`` when it cannot be trusted; the reason says why, so the runner
can count dropped samples.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTER32_MODULUS = 2**32
COUNTER64_MODULUS = 2**64
TIMETICKS_MODULUS = 2**32
# A measured delta may exceed speed × interval by this factor before it is treated as garbage: the agent
# updates counters on its own schedule, so a port at line rate can show slightly more than one interval.
OVERSIZE_TOLERANCE = 1.05

# Reasons a rate is not produced.
FIRST = "first"  # no previous sample
RESTART = "restart"  # sysUpTime went back: the agent restarted and its counters began again
OVERSIZE = "oversize"  # more than the interface could have carried in the interval
NO_TIME = "no-time"  # the samples are not ordered in time
MISSING = "missing"  # one of the samples lacks the counter


@dataclass(frozen=True)
class Rate:
    """A per-second rate, or ``None`` with the reason it was dropped."""

    value: float | None
    reason: str | None = None

    @property
    def dropped(self) -> bool:
        """True when the sample was thrown away as implausible (counted by the runner)."""
        return self.reason == OVERSIZE


def counter_delta(previous: int, current: int, *, bits: int = 64) -> int:
    """The increase of a counter from ``previous`` to ``current``, assuming at most one wrap."""
    modulus = 2**bits
    if not (0 <= previous < modulus and 0 <= current < modulus):
        raise ValueError(f"Counter values must fit in {bits} bits.")
    return (current - previous) % modulus


def agent_restarted(previous_uptime: int, current_uptime: int, *, elapsed: float) -> bool:
    """Whether the agent restarted between two samples, judged by ``sysUpTime`` (hundredths of a second).

    ``sysUpTime`` going back means a restart, except when it wrapped at 2^32 ticks (after 497 days): then the
    expected value ``previous + elapsed`` lies past the wrap and the current value is close to it.
    """
    if current_uptime >= previous_uptime:
        return False
    expected = previous_uptime + int(elapsed * 100)
    if expected >= TIMETICKS_MODULUS:
        slack = max(1000, int(elapsed * 100 * 0.5))
        return abs(expected - TIMETICKS_MODULUS - current_uptime) > slack
    return True


def counter_rate(
    previous: int | None,
    current: int | None,
    *,
    elapsed: float,
    bits: int = 64,
    restarted: bool = False,
    max_per_second: float | None = None,
) -> Rate:
    """The rate of a counter between two samples ``elapsed`` seconds apart.

    * ``restarted`` (see :func:`agent_restarted`): the counter began again, so no rate (no spike);
    * a wrap of the ``bits``-wide counter is handled by modular arithmetic;
    * ``max_per_second`` (e.g. interface speed in bytes/s): a larger rate is dropped as ``OVERSIZE``.
    """
    if previous is None:
        return Rate(None, FIRST)
    if current is None:
        return Rate(None, MISSING)
    if elapsed <= 0:
        return Rate(None, NO_TIME)
    if restarted:
        return Rate(None, RESTART)
    delta = counter_delta(previous, current, bits=bits)
    if max_per_second is not None and max_per_second > 0 and delta > max_per_second * elapsed * OVERSIZE_TOLERANCE:
        return Rate(None, OVERSIZE)
    return Rate(delta / elapsed)


def octets_limit(speed_mbps: int | float | None) -> float | None:
    """The most bytes per second an interface of ``speed_mbps`` can carry (None when unknown)."""
    if not speed_mbps:
        return None
    return speed_mbps * 1_000_000 / 8


def elapsed_seconds(previous_time: float, current_time: float, previous_uptime: int | None, current_uptime) -> float:
    """Seconds between two samples: the agent's own clock (sysUpTime) when it is usable, else the poller's."""
    wall = current_time - previous_time
    if previous_uptime is not None and current_uptime is not None and current_uptime > previous_uptime:
        agent = (current_uptime - previous_uptime) / 100
        # Trust the agent unless it disagrees wildly (a stuck or jumping sysUpTime).
        if wall <= 0 or 0.5 * wall <= agent <= 2 * wall:
            return agent
    return wall
