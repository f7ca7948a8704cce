"""RRD files: idempotent creation under concurrency, MRTG-style archives, rates from raw counters, rrdcached."""

import multiprocessing
import shutil
import subprocess
import time

import pytest
import rrdtool

from collector import rrd


def _create(path, results):
    results.put(rrd.ensure_rrd(path, speed_mbps=1000, start=1_000_000_000))


def test_creation_is_idempotent(tmp_path):
    path = tmp_path / "device-1" / "Gi1_0_1.rrd"
    assert rrd.ensure_rrd(path, speed_mbps=1000) is True
    before = path.stat().st_mtime_ns
    assert rrd.ensure_rrd(path, speed_mbps=1000) is False
    assert path.stat().st_mtime_ns == before
    assert [p.name for p in path.parent.iterdir()] == ["Gi1_0_1.rrd"]  # no temporary files left


def test_concurrent_creators_make_exactly_one_file(tmp_path):
    path = tmp_path / "device-7" / "xe-0_0_1.rrd"
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_create, args=(path, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    created = [results.get(timeout=5) for _ in workers]
    assert created.count(True) == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["xe-0_0_1.rrd"]
    assert rrdtool.info(str(path))["step"] == rrd.STEP


def test_archive_layout(tmp_path):
    path = tmp_path / "a.rrd"
    rrd.ensure_rrd(path, speed_mbps=1000)
    info = rrdtool.info(str(path))
    assert info["step"] == 60
    assert info["ds[in].type"] == "DERIVE"
    assert info["ds[in].min"] == 0
    assert info["ds[in].max"] == 125_000_000
    assert info["ds[inerr].max"] is None or info["ds[inerr].max"] != info["ds[inerr].max"]  # unknown (NaN)
    assert info["ds[status].type"] == "GAUGE"
    assert set(rrd.DS_NAMES) == {key[3:-7] for key in info if key.startswith("ds[") and key.endswith("].index")}
    archives = set()
    index = 0
    while f"rra[{index}].cf" in info:
        archives.add((info[f"rra[{index}].cf"], info[f"rra[{index}].pdp_per_row"] * 60, info[f"rra[{index}].rows"]))
        index += 1
    day, two_days, two_weeks, two_months, two_years = 86400, 2 * 86400, 14 * 86400, 62 * 86400, 732 * 86400
    for cf in ("AVERAGE", "MAX"):
        assert (cf, 300, two_days // 300) in archives  # 5 minutes for 2 days
        assert (cf, 1800, two_weeks // 1800) in archives  # 30 minutes for 2 weeks
        assert (cf, 7200, two_months // 7200) in archives  # 2 hours for 2 months
        assert (cf, 86400, two_years // 86400) in archives  # 1 day for 2 years
        assert (cf, 60, day // 60) in archives


def _fetch_in(path, start, end):
    (_first, _last, _step), names, rows = rrdtool.fetch(
        str(path), "AVERAGE", "-r", "60", "-s", str(start), "-e", str(end)
    )
    column = names.index("in")
    return [row[column] for row in rows]


def test_rates_and_restart_without_spike(tmp_path):
    start = 1_700_000_000 - 1_700_000_000 % 60
    writer = rrd.RrdWriter(tmp_path)
    counter = 0
    for minute in range(6):
        counter += 6_000_000  # 100,000 bytes/s
        writer.add(device_id=3, interface_name="Gi1/0/1", timestamp=start + 60 * minute, values={"in_octets": counter})
    writer.add(device_id=3, interface_name="Gi1/0/1", timestamp=start + 360, values={"in_octets": 1_000})  # restart
    writer.add(device_id=3, interface_name="Gi1/0/1", timestamp=start + 420, values={"in_octets": 6_001_000})
    assert writer.flush() == 1
    assert writer.errors == []
    values = _fetch_in(rrd.rrd_path(tmp_path, 3, "Gi1/0/1"), start + 60, start + 420)
    known = [value for value in values if value is not None]
    assert known and all(value == pytest.approx(100_000) for value in known)
    assert None in values  # the restart interval is unknown, not a spike


def test_rate_above_speed_is_unknown(tmp_path):
    start = 1_700_000_000 - 1_700_000_000 % 60
    writer = rrd.RrdWriter(tmp_path)
    writer.add(device_id=4, interface_name="eth0", timestamp=start, values={"in_octets": 0}, speed_mbps=10)
    writer.add(device_id=4, interface_name="eth0", timestamp=start + 60, values={"in_octets": 10**12}, speed_mbps=10)
    writer.flush()
    assert all(value is None for value in _fetch_in(rrd.rrd_path(tmp_path, 4, "eth0"), start + 60, start + 60))


def test_file_names_are_safe():
    assert rrd.interface_file_name("Gi1/0/1") == "Gi1_0_1.rrd"
    assert rrd.interface_file_name("../../etc") == "etc.rrd"
    assert rrd.rrd_path("/x", 5, "Port 1").as_posix() == "/x/device-5/Port_1.rrd"


@pytest.fixture
def rrdcached(tmp_path):
    """rrdcached on a UNIX socket in tmp_path (Debian package), stopped by PID."""
    executable = shutil.which("rrdcached") or "/usr/bin/rrdcached"
    if not shutil.which(executable):
        pytest.fail("rrdcached is missing: apt-get install rrdcached (Makefile DEB_PACKAGES)")
    socket_path = tmp_path / "rrdcached.sock"
    process = subprocess.Popen(
        [executable, "-g", "-l", f"unix:{socket_path}", "-p", str(tmp_path / "rrdcached.pid"), "-w", "3600"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not socket_path.exists():
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("rrdcached did not start")
        time.sleep(0.05)
    yield f"unix:{socket_path}"
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def test_batched_updates_through_rrdcached(tmp_path, rrdcached):
    start = 1_700_000_000 - 1_700_000_000 % 60
    writer = rrd.RrdWriter(tmp_path / "rrd", rrdcached_address=rrdcached)
    for port in range(1, 49):
        for minute in range(3):
            writer.add(
                device_id=9,
                interface_name=f"Gi1/0/{port}",
                timestamp=start + 60 * minute,
                values={"in_octets": port * 60 * minute * 1000},
            )
    assert writer.flush() == 48
    assert writer.errors == []
    path = rrd.rrd_path(tmp_path / "rrd", 9, "Gi1/0/48")
    writer.cached.flush(str(path.resolve()))
    assert rrdtool.last(str(path)) == start + 120
    values = [value for value in _fetch_in(path, start, start + 120) if value is not None]
    assert values and all(value == pytest.approx(48_000) for value in values)


def _octet_maxima(path):
    info = rrdtool.info(str(path))
    return info["ds[in].max"], info["ds[out].max"]


def _minutes(writer, *, device_id, name, start, minutes, bytes_per_second, speed_mbps, counter=0):
    """Queue ``minutes`` samples a minute apart growing at ``bytes_per_second``; returns the last counter."""
    for minute in minutes:
        writer.add(
            device_id=device_id,
            interface_name=name,
            timestamp=start + 60 * minute,
            values={"in_octets": counter, "out_octets": counter},
            speed_mbps=speed_mbps,
        )
        counter += bytes_per_second * 60
    return counter


def test_speed_change_retunes_the_maximum_so_faster_rates_are_kept(tmp_path):
    start = 1_700_000_000 - 1_700_000_000 % 60
    writer = rrd.RrdWriter(tmp_path)
    fast = 50_000_000  # 400 Mbit/s: more than a 100 Mbit/s port can carry
    # Minutes 0-3 at 100 Mbit/s: the faster traffic is above the maximum, stored as unknown.
    counter = _minutes(
        writer, device_id=1, name="Gi1/0/1", start=start, minutes=range(4), bytes_per_second=fast, speed_mbps=100
    )
    writer.flush()
    path = rrd.rrd_path(tmp_path, 1, "Gi1/0/1")
    assert _octet_maxima(path) == (12_500_000, 12_500_000)
    # The port becomes 1 Gbit/s: the next flush tunes the file first, then the same rates are kept.
    _minutes(
        writer,
        device_id=1,
        name="Gi1/0/1",
        start=start,
        minutes=range(4, 8),
        bytes_per_second=fast,
        speed_mbps=1000,
        counter=counter,
    )
    assert writer.flush() == 1
    assert writer.errors == []
    assert writer.tuned == 1
    assert _octet_maxima(path) == (125_000_000, 125_000_000)
    # The rows are the minutes ending at start+120 ... start+420: those written at 100 Mbit/s are unknown,
    # those written after the tune (the minute ending at start+240 onwards) are kept.
    values = _fetch_in(path, start + 60, start + 420)
    assert values[:2] == [None, None]
    assert values[2:6] == [pytest.approx(fast)] * 4


def test_restarted_writer_retunes_a_file_made_at_the_old_speed(tmp_path):
    start = 1_700_000_000 - 1_700_000_000 % 60
    first = rrd.RrdWriter(tmp_path)
    counter = _minutes(
        first, device_id=2, name="xe-0/0/1", start=start, minutes=range(2), bytes_per_second=1000, speed_mbps=1000
    )
    first.flush()
    path = rrd.rrd_path(tmp_path, 2, "xe-0/0/1")
    # Same speed after a restart: the file is read, nothing is tuned.
    same = rrd.RrdWriter(tmp_path)
    counter = _minutes(
        same,
        device_id=2,
        name="xe-0/0/1",
        start=start,
        minutes=[2],
        bytes_per_second=1000,
        speed_mbps=1000,
        counter=counter,
    )
    same.flush()
    assert same.tuned == 0
    # The port was upgraded to 10 Gbit/s while the collector was down; an unknown speed (0) changes nothing.
    upgraded = rrd.RrdWriter(tmp_path)
    _minutes(
        upgraded,
        device_id=2,
        name="xe-0/0/1",
        start=start,
        minutes=[3],
        bytes_per_second=1000,
        speed_mbps=10_000,
        counter=counter,
    )
    upgraded.flush()
    assert upgraded.tuned == 1 and upgraded.errors == []
    assert _octet_maxima(path) == (1_250_000_000, 1_250_000_000)
    unknown = rrd.RrdWriter(tmp_path)
    _minutes(
        unknown,
        device_id=2,
        name="xe-0/0/1",
        start=start,
        minutes=[4],
        bytes_per_second=1000,
        speed_mbps=0,
        counter=counter + 60_000,
    )
    unknown.flush()
    assert unknown.tuned == 0
    assert _octet_maxima(path) == (1_250_000_000, 1_250_000_000)


def test_speed_change_through_rrdcached(tmp_path, rrdcached):
    start = 1_700_000_000 - 1_700_000_000 % 60
    writer = rrd.RrdWriter(tmp_path / "rrd", rrdcached_address=rrdcached)
    slow = 1_000_000  # 8 Mbit/s, fine at 10 Mbit/s
    counter = _minutes(
        writer, device_id=3, name="eth0", start=start, minutes=range(3), bytes_per_second=slow, speed_mbps=10
    )
    writer.flush()
    fast = 10_000_000  # 80 Mbit/s after the upgrade to 100 Mbit/s
    _minutes(
        writer,
        device_id=3,
        name="eth0",
        start=start,
        minutes=range(3, 6),
        bytes_per_second=fast,
        speed_mbps=100,
        counter=counter,
    )
    writer.flush()
    assert writer.errors == [] and writer.tuned == 1
    path = rrd.rrd_path(tmp_path / "rrd", 3, "eth0")
    writer.cached.flush(str(path.resolve()))
    assert _octet_maxima(path) == (12_500_000, 12_500_000)
    # The updates rrdcached held at the old speed were written before the tune, the later ones after it.
    values = _fetch_in(path, start + 60, start + 300)
    assert values[:2] == [pytest.approx(slow)] * 2
    assert values[2:4] == [pytest.approx(fast)] * 2


def test_updates_not_later_than_the_files_last_are_skipped_not_refused(tmp_path):
    start = 1_700_000_000 - 1_700_000_000 % 60
    writer = rrd.RrdWriter(tmp_path)
    writer.add(device_id=5, interface_name="Gi1/0/1", timestamp=start, values={"in_octets": 0})
    writer.flush()
    # A second poll within the same second after a flush (a late poll, then one on time): skipped.
    writer.add(device_id=5, interface_name="Gi1/0/1", timestamp=start, values={"in_octets": 10})
    writer.add(device_id=5, interface_name="Gi1/0/1", timestamp=start + 60, values={"in_octets": 6_000})
    writer.flush()
    assert writer.errors == [] and writer.skipped == 1
    # A restarted collector (new writer) polling within the file's last second, or with a clock stepped back.
    restarted = rrd.RrdWriter(tmp_path)
    restarted.add(device_id=5, interface_name="Gi1/0/1", timestamp=start + 60, values={"in_octets": 6_001})
    restarted.add(device_id=5, interface_name="Gi1/0/1", timestamp=start + 30, values={"in_octets": 6_002})
    restarted.add(device_id=5, interface_name="Gi1/0/1", timestamp=start + 120, values={"in_octets": 12_000})
    restarted.flush()
    assert restarted.errors == [] and restarted.skipped == 2
    path = rrd.rrd_path(tmp_path, 5, "Gi1/0/1")
    assert rrdtool.last(str(path)) == start + 120
    assert _fetch_in(path, start + 60, start + 120)[0] == pytest.approx(100)  # the minute ending at start+120


def test_a_file_that_cannot_be_created_drops_its_samples_says_so_once_and_is_made_later(tmp_path):
    """A full disk (here: a file where the device's directory should be): no exception into the poll, one ERROR
    notice per file rather than one per poll, and the file is made when it can be."""
    import logging

    start = 1_700_000_000 - 1_700_000_000 % 60
    writer = rrd.RrdWriter(tmp_path)
    blocker = tmp_path / "device-5"
    blocker.write_text("in the way")
    for minute in range(3):
        writer.add(device_id=5, interface_name="Gi1/0/1", timestamp=start + 60 * minute, values={"in_octets": 0})
    writer.flush()
    path = rrd.rrd_path(tmp_path, 5, "Gi1/0/1")
    assert not path.exists() and writer.skipped == 3
    assert [level for level, _message in writer.notices] == [logging.ERROR]
    assert str(path) in writer.notices[0][1] and "not created" in writer.notices[0][1]
    writer.notices.clear()

    blocker.unlink()
    writer.add(device_id=5, interface_name="Gi1/0/1", timestamp=start + 180, values={"in_octets": 0})
    writer.add(device_id=5, interface_name="Gi1/0/1", timestamp=start + 240, values={"in_octets": 6_000})
    writer.flush()
    assert [level for level, _message in writer.notices] == [logging.WARNING]
    assert writer.errors == [] and rrdtool.last(str(path)) == start + 240
