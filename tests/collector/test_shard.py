"""Sharding: stable, disjoint, covering and evenly spread."""

import subprocess
import sys
from pathlib import Path

import pytest

from collector.shard import Shard, shard_of


def test_parse():
    assert Shard.parse("1/4") == Shard(1, 4)
    assert str(Shard(1, 4)) == "1/4"


@pytest.mark.parametrize("text", ["4/4", "-1/2", "a/b", "3", "1/0"])
def test_parse_rejects_nonsense(text):
    with pytest.raises(ValueError):
        Shard.parse(text)


def test_two_collectors_poll_disjoint_devices_that_cover_all():
    ids = range(1, 2001)
    first = {device for device in ids if Shard(0, 2).owns(device)}
    second = {device for device in ids if Shard(1, 2).owns(device)}
    assert first.isdisjoint(second)
    assert first | second == set(ids)


def test_spread_is_even():
    counts = [0, 0, 0, 0]
    for device in range(10_000):
        counts[shard_of(device, 4)] += 1
    assert all(2_300 < count < 2_700 for count in counts), counts


def test_assignment_is_stable_across_processes():
    """Python's hash() is salted per process; the shard must not be."""
    here = [shard_of(device, 7) for device in range(50)]
    code = "from collector.shard import shard_of; print([shard_of(d, 7) for d in range(50)])"
    there = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert there.stdout.strip() == str(here)
