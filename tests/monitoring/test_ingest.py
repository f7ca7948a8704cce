"""The ingest at scale: constant statements per batch, the same meaning as before, bad input refused, thresholds
evaluated only for what arrived, and two collectors posting at once (PostgreSQL)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dcim.models import Interface
from monitoring import services
from monitoring.models import DeviceHealth, InterfaceState, MonitoringEvent
from tests.monitoring.factories import make_device, make_interface, snmp_device

INGEST = "/api/monitoring/collector/ingest/"
T0 = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)


def switch(company=None, *, ports: int, speed: int = 1000, name=None):
    device = snmp_device(company, name=name)
    interfaces = [make_interface(device, name=f"Gi1/0/{port}", speed=speed) for port in range(1, ports + 1)]
    return device, interfaces


def rate(interface, *, in_bps=1e6, at=T0, **fields):
    return {
        "device": interface.device_id,
        "interface": interface.name,
        "if_index": 1,
        "oper_status": "up",
        "speed_mbps": interface.speed,
        "at": at.isoformat(),
        "in_bps": in_bps,
        "out_bps": in_bps / 2,
        "in_errors_ps": 0,
        "out_errors_ps": 0.5,
        "in_discards_ps": None,
        "out_discards_ps": 0,
        **fields,
    }


def batch_of(interfaces, *, at=T0, events=()):
    return {"events": list(events), "rates": [rate(interface, at=at) for interface in interfaces], "discovered": []}


def queries_of(batch) -> int:
    with CaptureQueriesContext(connection) as captured:
        services.ingest_batch(batch=batch)
    return len(captured.captured_queries)


def test_statements_per_batch_do_not_grow_with_interfaces(db, acme):
    small = [switch(acme, ports=4)[1] for _ in range(2)]
    large = [switch(acme, ports=48)[1] for _ in range(8)]

    def batch(groups, at):
        interfaces = [interface for group in groups for interface in group]
        events = [
            {"type": "link", "device": group[0].device_id, "interface": group[0].name, "status": "down", "at": at}
            for group in groups
        ] + [{"type": "device", "device": group[-1].device_id, "status": "unreachable", "at": at} for group in groups]
        return batch_of(interfaces, at=datetime.fromisoformat(at), events=events)

    # First batches create the states, later ones update them: both kinds at two sizes.
    first = (
        queries_of(batch(small, "2030-01-01T10:00:00+00:00")),
        queries_of(batch(large, "2030-01-01T10:00:00+00:00")),
    )
    later = (
        queries_of(batch(small, "2030-01-01T10:01:00+00:00")),
        queries_of(batch(large, "2030-01-01T10:01:00+00:00")),
    )
    assert first[0] == first[1] and later[0] == later[1], (first, later)
    assert later[1] <= 13
    assert InterfaceState.objects.filter(rates_at=T0 + timedelta(minutes=1)).count() == 8 + 384
    assert MonitoringEvent.objects.filter(kind="link").count() == 2 * (2 + 8)  # a later "down" is recorded again


def test_rates_are_stored_with_the_meaning_they_had(db, acme):
    device, (first, second, third) = switch(acme, ports=3)
    InterfaceState.objects.create(interface=second, oper_status="down")
    other = make_device(acme)  # not polled
    other_port = make_interface(other, name="eth0")
    result = services.ingest_batch(
        batch={
            "rates": [
                rate(first, in_bps=2.5e6),
                {**rate(second), "in_bps": "3e6"},  # numbers as text were accepted before
                rate(third, in_bps=float("nan")),
                {**rate(first), "interface": "Gi9/9"},  # unknown interface
                rate(other_port),  # device not polled
            ]
        }
    )
    assert (result.rates, result.ignored) == (3, 2)
    states = {state.interface_id: state for state in InterfaceState.objects.filter(interface__device=device)}
    assert states[first.pk].in_mbps == 2.5 and states[first.pk].out_errors_ps == 0.5
    assert states[first.pk].oper_status == "up"  # a new state takes the link state of the rate
    assert states[second.pk].oper_status == "down"  # a known link state changes only through events
    assert states[second.pk].in_bps == 3e6
    assert states[third.pk].in_bps is None  # not a number: unknown
    assert states[first.pk].rates_at == T0
    assert not InterfaceState.objects.filter(interface=other_port).exists()
    health = DeviceHealth.objects.get(device=device)
    assert health.last_seen_at is not None and health.reachable is None

    # A batch from a backlog that is older than what is stored does not overwrite the newer rates.
    services.ingest_batch(batch={"rates": [rate(first, in_bps=9e6, at=T0 + timedelta(minutes=1))]})
    stale = services.ingest_batch(batch={"rates": [rate(first, in_bps=1e6, at=T0 - timedelta(minutes=5))]})
    assert (stale.rates, stale.ignored) == (0, 1)
    assert InterfaceState.objects.get(interface=first).in_bps == 9e6


def test_discovery_creates_interfaces_with_history_and_keeps_states(db, acme):
    device = snmp_device(acme)
    existing = make_interface(device, name="Gi1/0/1", speed=100)
    discovered = {
        "device": device.pk,
        "interfaces": [
            {
                "if_index": n,
                "name": f"Gi1/0/{n}",
                "descr": "port",
                "alias": f"to {n}",
                "speed_mbps": 1000,
                "oper_status": "up",
            }
            for n in (1, 2, 3)
        ]
        + [{"name": ""}, "junk"],
    }
    result = services.ingest_batch(batch={"discovered": [discovered]})
    assert result.interfaces_created == 2
    existing.refresh_from_db()
    assert existing.speed == 1000 and existing.history.count() == 2
    new = Interface.objects.get(device=device, name="Gi1/0/3")
    assert new.history.count() == 1 and new.speed == 1000
    state = InterfaceState.objects.get(interface=new)
    assert (state.if_index, state.alias, state.oper_status) == (3, "to 3", "up")
    InterfaceState.objects.filter(interface=new).update(oper_status="down")
    assert services.ingest_batch(batch={"discovered": [discovered]}).interfaces_created == 0
    assert InterfaceState.objects.get(interface=new).oper_status == "down"  # discovery never overrides it


def test_events_in_order_once_each(db, acme, django_capture_on_commit_callbacks):
    device, (port,) = switch(acme, ports=1)
    at = [(T0 + timedelta(seconds=n)).isoformat() for n in range(4)]
    events = [
        {"type": "device", "device": device.pk, "status": "unreachable", "at": at[0]},
        {"type": "device", "device": device.pk, "status": "reachable", "at": at[1]},
        {"type": "link", "device": device.pk, "interface": port.name, "status": "down", "previous": "up", "at": at[2]},
        {"type": "link", "device": device.pk, "interface": port.name, "status": "up", "at": at[3]},
        {"type": "link", "device": device.pk, "interface": "Gi7/7", "status": "up", "at": at[3]},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.ingest_batch(batch={"events": events})
    assert [(event.kind, event.status, event.previous) for event in result.events] == [
        ("device", "unreachable", ""),
        ("device", "reachable", ""),
        ("link", "down", "up"),
        ("link", "up", "down"),
    ]
    assert result.ignored == 1
    assert result.events[2].message == f"{device.name} Gi1/0/1 is down (was up)"
    assert result.events[0].severity == "critical" and result.events[1].severity == "info"
    health = DeviceHealth.objects.get(device=device)
    assert health.reachable is True and health.changed_at == T0 + timedelta(seconds=1)
    state = InterfaceState.objects.get(interface=port)
    assert (state.oper_status, state.status_changed_at) == ("up", T0 + timedelta(seconds=3))
    # The latest changes re-sent (a collector's backlog): nothing recorded twice.
    assert services.ingest_batch(batch={"events": [events[1], events[3]]}).events == []
    assert MonitoringEvent.objects.filter(device=device).count() == 4


@pytest.mark.parametrize(
    "body",
    [
        {"events": [{"device": "x"}]},
        {"rates": [{"device": True, "interface": "a"}]},
        {"rates": [{"device": "²", "interface": "a"}]},
        {"rates": [{"device": 2**70, "interface": "a"}]},
        {"discovered": [{"interface": "a"}]},
        {"rates": "many"},
        {"rates": [1, 2]},
        {"rates": [{"device": 1, "interface": "a", "in_bps": "fast"}]},
        [{"device": 1}],
    ],
)
def test_bad_batches_are_refused_with_400(db, body):
    _token, raw = services.collector_token_create(name="t")
    response = Client(headers={"Authorization": f"Bearer {raw}"}).post(INGEST, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()  # says what was wrong


def test_thresholds_only_for_interfaces_whose_rates_arrived(db, acme, django_capture_on_commit_callbacks):
    device, (busy, quiet, idle) = switch(acme, ports=3, speed=100)
    # ``idle`` is over its commit already but sends nothing in this batch: it is not looked at.
    InterfaceState.objects.create(interface=idle, in_bps=150e6, rates_at=T0)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.ingest_batch(batch={"rates": [rate(busy, in_bps=85e6), rate(quiet, in_bps=10e6)]})
    assert [(notice.interface_id, notice.level) for notice in result.bandwidth_notices] == [(busy.pk, 80)]
    assert InterfaceState.objects.get(interface=idle).threshold_level == 0
    # The next batch at the same level announces nothing; a jump over 100 % announces every level passed, once.
    later = T0 + timedelta(minutes=1)
    assert services.ingest_batch(batch={"rates": [rate(busy, in_bps=86e6, at=later)]}).bandwidth_notices == []
    over = services.ingest_batch(batch={"rates": [rate(busy, in_bps=120e6, at=later + timedelta(minutes=1))]})
    assert [notice.level for notice in over.bandwidth_notices] == [100, 101]
    assert InterfaceState.objects.get(interface=busy).threshold_level == 101
    assert list(MonitoringEvent.objects.filter(kind="bandwidth").values_list("status", flat=True).order_by("pk")) == [
        "80%",
        "100%",
        "101%",
    ]


def test_threshold_queries_do_not_grow_with_interfaces_or_crossings(db, acme, django_capture_on_commit_callbacks):
    from monitoring import bandwidth

    counts = []
    for ports in (5, 100):
        _device, interfaces = switch(acme, ports=ports, speed=100)
        services.ingest_batch(batch=batch_of(interfaces))
        # A fifth of the ports cross 80 % at once.
        busy = interfaces[: ports // 5]
        InterfaceState.objects.filter(interface__in=busy).update(in_bps=90e6)
        with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
            notices = bandwidth.thresholds_evaluate(interface_ids=[interface.pk for interface in interfaces])
        assert sorted(notice.interface_id for notice in notices) == sorted(interface.pk for interface in busy)
        assert all(notice.pk for notice in notices)
        assert MonitoringEvent.objects.filter(kind="bandwidth", interface__in=busy).count() == len(busy)
        counts.append(len(captured.captured_queries))
    # Its savepoint (2), services on the ports (1), ports at a level (1), their customers (3), notices sent (1),
    # levels kept (1); then, with something new, notices sent again under the lock (1; PostgreSQL also takes the
    # lock: 1), recipients (2), notices and events (2).
    assert counts[0] == counts[1] <= (15 if connection.vendor == "postgresql" else 14), counts


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_collectors_posting_at_once_lose_nothing_and_never_deadlock():
    """Two portal workers take overlapping batches of the same switches at the same moment, in opposite orders,
    many times: every batch succeeds (no deadlock), the newest rates win, each state change is recorded once."""
    devices = [switch(ports=24, name=f"sw{n}") for n in range(6)]
    interfaces = [interface for _device, group in devices for interface in group]
    rounds = 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def collector(number: int):
        try:
            for round_number in range(rounds):
                at = T0 + timedelta(minutes=round_number, seconds=number)
                order = interfaces if number == 0 else interfaces[::-1]
                events = [
                    {
                        "type": "device",
                        "device": device.pk,
                        "status": "unreachable" if round_number % 2 else "reachable",
                    }
                    | {"at": (T0 + timedelta(minutes=round_number)).isoformat()}
                    for device, _group in (devices if number == 0 else devices[::-1])
                ]
                batch = {
                    "events": events,
                    "rates": [rate(interface, in_bps=1e6 * (round_number + 1) + number, at=at) for interface in order],
                }
                barrier.wait(timeout=30)
                services.ingest_batch(batch=batch)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=collector, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    last = T0 + timedelta(minutes=rounds - 1, seconds=1)
    assert set(InterfaceState.objects.values_list("rates_at", "in_bps")) == {(last, 1e6 * rounds + 1)}
    # Rounds alternate reachable / unreachable: both collectors report each change, it is recorded once.
    for device, _group in devices:
        statuses = list(
            MonitoringEvent.objects.filter(device=device, kind="device")
            .order_by("occurred_at", "pk")
            .values_list("status", flat=True)
        )
        assert statuses == ["reachable" if number % 2 == 0 else "unreachable" for number in range(rounds)], statuses


def test_a_batch_bigger_than_the_sites_upload_limit_is_taken(db, acme, settings):
    """A 10,000-interface batch is some 3.5 MB of JSON: over Django's 2.5 MB default, which would refuse it."""
    _device, (port,) = switch(acme, ports=1)
    padding = "x" * 2000
    body = {"rates": [{**rate(port), "note": padding} for _ in range(1500)]}
    assert len(str(body)) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    _token, raw = services.collector_token_create(name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    response = client.post(INGEST, body, content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["rates"] == 1 and response.json()["ignored"] == 1499  # duplicates of one interface
    assert client.post(INGEST, "{not json", content_type="application/json").status_code == 400
