"""The RRD directory's disk full under a running collector (processes from deploy/run, as test_multiprocess).

The RRD directory is a small tmpfs of this test's own (needs root). Once the first switch's files are made, the
rest of the filesystem is filled; a second switch then appears: its RRD files cannot be created. The collector
says so in one clear log line per file, keeps polling both switches (the first one's RRD goes on being updated)
and the second switch's rates still reach the portal; when space comes back its files are made and filled.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from datetime import date

import pytest
from django.db import connection

from collector.rrd import RrdcachedClient, rrd_path
from monitoring import services as monitoring_services
from monitoring.models import InterfaceState
from tests.collector.conftest import snmpd_agent  # noqa: F401 - the session's simulated switch
from tests.deploy.stack import Stack, other_redis_database, wait_until
from tests.monitoring.factories import snmp_device

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="the production process set needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
    ),
]
RUN_DATE = date(2026, 12, 1)
# A 48-port switch's files take 23–50 MB at a 1 s step (the size seen varies): room for two once the filler is gone.
TMPFS_MB = 160


@pytest.fixture
def small_rrd_filesystem(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem for the RRD directory needs root")
    target = tmp_path / "var" / "rrd"
    target.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_MB}m,mode=0755", "tmpfs", str(target)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    yield target
    if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _fill(directory) -> int:
    """Write a file until the filesystem is full; its size."""
    filler = directory / "filler"
    written = 0
    chunk = b"\0" * (1 << 16)
    with open(filler, "wb", buffering=0) as output:
        try:
            while True:
                written += output.write(chunk)
        except OSError:
            pass
    return written


def _last_update(stack: Stack, path) -> int:
    import rrdtool

    RrdcachedClient(str(stack.env["RRDCACHED_ADDRESS"])).flush(str(path.resolve()))
    return int(rrdtool.last(str(path)))


@pytest.mark.django_db(transaction=True)
def test_disk_full_on_the_rrd_directory(tmp_path, small_rrd_filesystem, snmpd_agent, acme):  # noqa: F811
    _collector, token = monitoring_services.collector_token_create(name="disk full test")
    first = snmp_device(acme, port=snmpd_agent.port, name="switch-first", snmp_polling_interval=1)
    stack = Stack(tmp_path, _database_url(), other_redis_database(os.environ["REDIS_URL"]))
    assert stack.rrd_dir == small_rrd_filesystem
    env = {"RRD_STEP": "1", "COLLECTOR_FLUSH_EVERY": "1", "COLLECTOR_TARGETS_EVERY": "2", "LOG_LEVEL": "INFO"}
    try:
        stack.start_rrdcached()
        web = stack.start_web("web1")
        collector = stack.start_collector("collector0", "0/1", portal_url=web, token=token, **env)
        first_files = rrd_path(stack.rrd_dir, first.pk, "x").parent
        wait_until(lambda: len(list(first_files.glob("*.rrd"))) >= 48, timeout=90, what="the first switch's files")
        probe = sorted(first_files.glob("*.rrd"))[0]
        filled = _fill(stack.rrd_dir)
        statvfs = os.statvfs(stack.rrd_dir)
        assert statvfs.f_bavail * statvfs.f_frsize < 500_000, "the filesystem is not full"
        before = _last_update(stack, probe)

        second = snmp_device(acme, port=snmpd_agent.port, name="switch-second", snmp_polling_interval=1)
        second_files = rrd_path(stack.rrd_dir, second.pk, "x").parent
        wait_until(lambda: "not created" in collector.output(), timeout=60, what="the collector's error line")
        # Polling goes on: the second switch's rates reach the portal, the first switch's RRD is updated.
        wait_until(
            lambda: InterfaceState.objects.filter(interface__device=second, rates_at__isnull=False).count() >= 48,
            timeout=60,
            what="the second switch's rates in the portal",
        )
        wait_until(lambda: _last_update(stack, probe) > before + 2, timeout=30, what="updates of the first switch")
        assert not list(second_files.glob("*.rrd")), "an RRD file was made on a full disk"
        stack._alive(collector)

        # Space comes back: the second switch's files are made and receive samples.
        (stack.rrd_dir / "filler").unlink()
        try:
            wait_until(lambda: len(list(second_files.glob("*.rrd"))) >= 48, timeout=60, what="the new files")
        except AssertionError as error:
            listing = subprocess.run(["ls", "-laR", str(stack.rrd_dir)], capture_output=True, text=True).stdout
            free = subprocess.run(["df", str(stack.rrd_dir)], capture_output=True, text=True).stdout
            raise AssertionError(f"{error}\n{free}\n{listing[-3000:]}\n{collector.output()[-3000:]}") from None
        probe2 = sorted(second_files.glob("*.rrd"))[0]
        created = int(time.time())
        wait_until(lambda: _last_update(stack, probe2) > created, timeout=30, what="samples in the new files")
        stack._alive(collector)
    finally:
        stack.stop()
    output = collector.output()
    errors = [line for line in output.splitlines() if "not created" in line]
    assert "Traceback" not in output, output[-3000:]
    # One line per file that could not be made, not one per poll.
    assert len(errors) <= 48 * 2, f"{len(errors)} error lines"
    # rrdcached answers a full disk with an empty "RRD Error:"; the line says how much space is left.
    assert re.search(r"\(\d{1,3}(,\d{3})* bytes free in ", errors[0]), errors[0]
    assert "ERROR" in errors[0]
    print(f"\ndisk full: filler {filled >> 20} MB; {len(errors)} error lines, e.g. {errors[0][:200]}")


def _database_url() -> str:
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"
