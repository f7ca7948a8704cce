"""The collector channel: authentication, targets per shard (with secrets), ingest."""

import pytest
from django.test import Client

from accounts.services import api_token_create
from collector.shard import shard_of
from dcim.models import Interface
from monitoring.models import DeviceHealth, InterfaceState, MonitoringEvent
from monitoring.services import collector_token_create, collector_token_revoke
from tests.monitoring.factories import snmp_device

TARGETS = "/api/monitoring/collector/targets/"
INGEST = "/api/monitoring/collector/ingest/"


@pytest.fixture
def collector_client(db):
    _token, raw = collector_token_create(name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def discovered(device, count=3):
    return {
        "device": device.pk,
        "interfaces": [
            {
                "if_index": n,
                "name": f"Gi1/0/{n}",
                "descr": f"GigabitEthernet1/0/{n}",
                "alias": "",
                "speed_mbps": 1000,
                "oper_status": "up",
            }
            for n in range(1, count + 1)
        ],
    }


def test_anonymous_and_user_tokens_are_refused(db, alice, superuser):
    assert Client().get(TARGETS).status_code == 401
    _token, raw = api_token_create(user=superuser, name="t")
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get(TARGETS).status_code == 401
    logged_in = Client()
    logged_in.force_login(superuser)
    assert logged_in.get(TARGETS).status_code in (401, 403)


def test_collector_token_has_no_other_rights(collector_client):
    assert collector_client.get("/api/dcim/devices/").status_code == 401
    assert collector_client.get("/api/accounts/companies/").status_code == 401


def test_revoked_token_is_refused(db):
    token, raw = collector_token_create(name="old")
    collector_token_revoke(token=token)
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get(TARGETS).status_code == 401


def test_targets_are_sharded_and_carry_decrypted_secrets(collector_client, acme):
    devices = [snmp_device(acme, port=1000 + n) for n in range(12)]
    v3 = snmp_device(
        None,
        snmp_version="v3",
        snmp_v3_user="collector",
        snmp_auth_protocol="SHA",
        snmp_auth_key="authpass123",
        snmp_priv_protocol="AES",
        snmp_priv_key="privpass123",
    )
    devices.append(v3)
    seen = []
    for index in (0, 1):
        response = collector_client.get(TARGETS, {"shard": f"{index}/2"})
        assert response.status_code == 200
        ids = [device["id"] for device in response.json()["devices"]]
        assert all(shard_of(device_id, 2) == index for device_id in ids)
        seen += ids
    assert sorted(seen) == sorted(device.pk for device in devices)
    everything = {d["id"]: d for d in collector_client.get(TARGETS).json()["devices"]}
    assert everything[devices[0].pk]["snmp"] == {"version": "v2c", "community": "public"}
    assert everything[v3.pk]["snmp"]["auth_key"] == "authpass123"
    assert everything[v3.pk]["snmp"]["priv_protocol"] == "AES"
    assert collector_client.get(TARGETS, {"shard": "2/2"}).status_code == 400


def test_targets_read_a_constant_number_of_queries_in_the_usual_interface_order(collector_client, acme):
    """A shard of 2 devices or of 12, with their interfaces and link states: the same statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.dcim.factories import make_interface

    def add_devices(count):
        for _ in range(count):
            device = snmp_device(acme)
            DeviceHealth.objects.create(device=device, reachable=True)
            for name in ("Gi1/0/10", "Gi1/0/2", "Gi1/0/1"):
                InterfaceState.objects.create(interface=make_interface(device, name=name), if_index=1, oper_status="up")

    add_devices(2)
    collector_client.get(TARGETS)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert len(collector_client.get(TARGETS).json()["devices"]) == 2
    add_devices(10)
    with CaptureQueriesContext(connection) as many:
        devices = collector_client.get(TARGETS).json()["devices"]
    assert len(devices) == 12 and len(many.captured_queries) == len(few.captured_queries)
    assert [interface["name"] for interface in devices[-1]["interfaces"]] == ["Gi1/0/1", "Gi1/0/10", "Gi1/0/2"]
    assert devices[-1]["reachable"] is True and devices[-1]["interfaces"][0]["oper_status"] == "up"


def test_ingest_syncs_interfaces_records_events_and_rates(collector_client, acme):
    device = snmp_device(acme)
    batch = {"discovered": [discovered(device)], "events": [], "rates": []}
    response = collector_client.post(INGEST, batch, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["interfaces_created"] == 3
    assert sorted(Interface.objects.filter(device=device).values_list("name", flat=True)) == [
        "Gi1/0/1",
        "Gi1/0/2",
        "Gi1/0/3",
    ]
    # Discovery again creates nothing new.
    collector_client.post(INGEST, batch, content_type="application/json")
    assert Interface.objects.filter(device=device).count() == 3

    down = {
        "events": [
            {
                "type": "link",
                "device": device.pk,
                "interface": "Gi1/0/2",
                "status": "down",
                "previous": "up",
                "at": "2030-01-01T10:00:00+00:00",
            },
            {"type": "device", "device": device.pk, "status": "unreachable", "at": "2030-01-01T10:00:00+00:00"},
        ],
        "rates": [
            {
                "device": device.pk,
                "interface": "Gi1/0/1",
                "in_bps": 2.5e6,
                "out_bps": 1e6,
                "in_errors_ps": 0,
                "oper_status": "up",
                "at": "2030-01-01T10:00:00+00:00",
            }
        ],
    }
    assert collector_client.post(INGEST, down, content_type="application/json").json()["events"] == 2
    # The same batch re-sent from a collector's backlog records nothing twice.
    assert collector_client.post(INGEST, down, content_type="application/json").json()["events"] == 0
    state = InterfaceState.objects.get(interface__device=device, interface__name="Gi1/0/2")
    assert state.oper_status == "down"
    assert state.status_changed_at.year == 2030
    rates = InterfaceState.objects.get(interface__device=device, interface__name="Gi1/0/1")
    assert rates.in_mbps == 2.5
    assert DeviceHealth.objects.get(device=device).reachable is False
    assert MonitoringEvent.objects.filter(device=device).count() == 2


def test_ingest_ignores_devices_that_are_not_polled(collector_client, acme):
    from tests.dcim.factories import make_device

    device = make_device(acme)
    response = collector_client.post(INGEST, {"discovered": [discovered(device)]}, content_type="application/json")
    assert response.json()["ignored"] == 1
    assert not Interface.objects.filter(device=device).exists()


def test_ingest_rejects_malformed_batches(collector_client):
    response = collector_client.post(INGEST, {"events": [{"device": "x"}]}, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("device", ["²", "9" * 25, "-1", "", None, "１２"])
def test_a_batch_naming_no_possible_device_is_a_400(collector_client, device):
    for key in ("events", "rates", "discovered"):
        response = collector_client.post(INGEST, {key: [{"device": device}]}, content_type="application/json")
        assert response.status_code == 400, (key, device, response.content)
