"""A big drain is posted as several bounded batches; nothing is lost or sent twice."""

from collector.runner import split_batch


def test_split_keeps_everything_once_and_events_first():
    batch = {
        "shard": "0/1",
        "sent_at": "t",
        "events": [{"type": "device", "device": 1, "status": "unreachable"}],
        "rates": [{"device": 1, "interface": f"Gi{n}"} for n in range(25)],
        "discovered": [{"device": 1, "interfaces": []}],
        "stats": {"polls": 3},
    }
    parts = split_batch(batch, max_rates=10)
    assert [len(part["rates"]) for part in parts] == [10, 10, 5]
    assert [rate for part in parts for rate in part["rates"]] == batch["rates"]
    assert parts[0]["events"] == batch["events"] and parts[0]["discovered"] == batch["discovered"]
    assert all(part["events"] == [] and part["discovered"] == [] for part in parts[1:])
    assert all(part["shard"] == "0/1" for part in parts)
    assert split_batch(batch, max_rates=25) == [batch]
    assert split_batch(None) == []
