"""Graphs and exports read through rrdcached: with RRDCACHED_ADDRESS set, the samples the daemon still holds
(it writes a file only every ``-w`` seconds) are in the graph, so graphs do not lag behind the collectors."""

import json
import time

import pytest
import rrdtool

from collector import rrd
from monitoring import graphs
from tests.collector.test_rrd import rrdcached  # noqa: F401 - a real rrdcached (-w 3600) on a UNIX socket


@pytest.fixture
def cached_samples(tmp_path, rrdcached, settings, monkeypatch):  # noqa: F811
    """An interface's RRD with ten minutes of samples that only rrdcached holds (nothing written to the file)."""
    monkeypatch.delenv("RRDCACHED_ADDRESS", raising=False)  # only the setting may say where the daemon is
    settings.MONITORING_RRD_DIR = tmp_path / "rrd"
    now = int(time.time()) // 60 * 60
    start = now - 600
    writer = rrd.RrdWriter(settings.MONITORING_RRD_DIR, rrdcached_address=rrdcached)
    for minute in range(11):
        writer.add(device_id=7, interface_name="Gi1/0/1", timestamp=start + 60 * minute,
                   values={"in_octets": minute * 60 * 125_000, "out_octets": 0})  # fmt: skip
    writer.flush()
    assert writer.errors == []
    path = rrd.rrd_path(settings.MONITORING_RRD_DIR, 7, "Gi1/0/1")
    assert rrdtool.last(str(path)) == start - 60, "rrdcached wrote the samples already: the test shows nothing"
    return path, now, rrdcached


def _known(payload: dict) -> list[float]:
    return [row[0] for row in payload["rows"] if row[0] is not None]


def test_export_and_graph_read_the_samples_rrdcached_holds(cached_samples, settings):
    path, now, address = cached_samples
    settings.MONITORING_RRDCACHED_ADDRESS = ""
    assert _known(json.loads(graphs.export_json(path, period="day", end=now))) == []  # the file alone: nothing yet

    settings.MONITORING_RRDCACHED_ADDRESS = address
    values = _known(json.loads(graphs.export_json(path, period="day", end=now)))
    assert values and all(value == pytest.approx(1_000_000) for value in values)  # 125,000 B/s = 1 Mbit/s
    assert graphs.percentile_95(path, period="day", end=now) == pytest.approx(1_000_000)
    assert graphs.render_graph(path, title="Gi1/0/1", period="day", end=now).startswith(b"\x89PNG")


def test_usage_reads_the_samples_rrdcached_holds(cached_samples, settings):
    """The month-end figures count the last samples too, though rrdcached has not written them yet."""
    from monitoring.usage import usage_from_rrd

    path, now, address = cached_samples
    end = now // 300 * 300 + 300
    settings.MONITORING_RRDCACHED_ADDRESS = ""
    assert usage_from_rrd([path], start=end - 3600, end=end).samples == 0

    settings.MONITORING_RRDCACHED_ADDRESS = address
    figures = usage_from_rrd([path], start=end - 3600, end=end)
    assert figures.samples >= 1 and figures.in_p95_bps == pytest.approx(1_000_000)
