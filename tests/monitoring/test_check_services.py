"""Checks are aimed only at what the company holds, within its limit; the collector channel hands them out by
shard and takes results."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from collector.shard import shard_of
from monitoring import checks as check_services
from monitoring.check_selectors import check_targets
from monitoring.choices import CheckState
from monitoring.models import Incident
from monitoring.services import collector_token_create
from tests.ipam.factories import make_address
from tests.monitoring.factories import loopback_device, make_check

pytestmark = pytest.mark.django_db


def test_targets_must_be_the_companys_own(acme, globex, alice):
    theirs = loopback_device(globex)
    with pytest.raises(ValidationError, match="not a device of Acme"):
        make_check(acme, device=theirs, actor=alice)
    their_ip = make_address(globex)
    with pytest.raises(ValidationError, match="not held by Acme"):
        make_check(acme, ip_address=their_ip, actor=alice)
    mine = make_address(acme)
    assert make_check(acme, ip_address=mine, actor=alice).address == mine.address


def test_host_names_must_be_held_by_customers_but_staff_may_check_anything(acme, alice, superuser):
    with pytest.raises(ValidationError, match="not one of your addresses"):
        make_check(acme, host="www.example.org", actor=alice)
    address = make_address(acme)
    address.dns_name = "web1.acme.test"
    address.save(update_fields=["dns_name"])
    assert make_check(acme, host="WEB1.acme.test.", actor=alice).host == "web1.acme.test"
    assert make_check(acme, host="www.example.org", actor=superuser).host == "www.example.org"


def test_exactly_one_target_and_kind_rules(acme):
    device = loopback_device(acme)
    with pytest.raises(ValidationError, match="exactly one target"):
        make_check(acme, device=device, host="127.0.0.1")
    with pytest.raises(ValidationError, match="needs the port"):
        make_check(acme, kind="tcp", port=None)
    with pytest.raises(ValidationError, match="name to resolve"):
        make_check(acme, kind="dns")
    with pytest.raises(ValidationError, match="polled over SNMP"):
        make_check(acme, kind="snmp", port=None)
    with pytest.raises(ValidationError, match="shorter than the interval"):
        make_check(acme, interval_seconds=30, timeout_seconds=30)
    with pytest.raises(ValidationError, match="starts with /"):
        make_check(acme, kind="http", port=None, path="health")


def test_customers_have_a_limit_and_a_minimum_interval(acme, alice, settings):
    settings.MONITORING_CHECKS_INCLUDED = 2
    device = loopback_device(acme)
    with pytest.raises(ValidationError, match="at most every 30 seconds"):
        make_check(acme, device=device, actor=alice, interval_seconds=10, timeout_seconds=2)
    make_check(acme, device=device, actor=alice)
    make_check(acme, device=device, actor=alice, port=80)
    with pytest.raises(ValidationError, match="may have 2 checks"):
        make_check(acme, device=device, actor=alice, port=443)


def test_monitoring_services_raise_the_limit(acme, settings):
    from tests.catalog.factories import active_service, plan, product

    settings.MONITORING_CHECKS_INCLUDED = 1
    settings.MONITORING_CHECKS_PER_SERVICE = 10
    monitoring = product("managed_service", managed_service_kind="monitoring")
    active_service(acme, plan_=plan(of=monitoring), quantity=2)
    active_service(acme)  # a cabinet adds nothing
    assert check_services.check_limit(company=acme) == 21


def test_changing_the_target_starts_afresh(acme):
    check = make_check(acme, down_after=1)
    from tests.monitoring.factories import fail

    fail(check)
    assert check.state == CheckState.DOWN
    check_services.check_update(check=check, port=2222)
    check.refresh_from_db()
    assert check.state == CheckState.UNKNOWN and check.consecutive_failures == 0
    assert not Incident.objects.get().is_open


def test_targets_by_shard_in_constant_queries(acme, django_assert_max_num_queries):
    for number in range(12):
        make_check(acme, name=f"c{number}", host=f"127.0.0.{number + 1}", kind="icmp")
    paused = make_check(acme, name="paused", host="127.0.1.1", kind="icmp", paused=True)
    with django_assert_max_num_queries(1):
        shard0 = check_targets(shard_index=0, shard_count=2)
    shard1 = check_targets(shard_index=1, shard_count=2)
    ids = {item["id"] for item in shard0} | {item["id"] for item in shard1}
    assert len(ids) == 12 and paused.pk not in ids
    assert all(shard_of(item["id"], 2) == 0 for item in shard0)


def test_collector_channel(acme, client):
    _token, raw = collector_token_create(name="checks")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    check = make_check(acme, kind="http", port=None, path="/health", keyword="ok")
    response = client.get("/api/monitoring/collector/checks/?shard=0/1", **headers)
    assert response.status_code == 200
    [item] = response.json()["checks"]
    assert item == {
        "id": check.pk,
        "kind": "http",
        "address": "127.0.0.1",
        "port": 80,
        "interval": 60,
        "timeout": 5.0,
        "retries": 1,
        "path": "/health",
        "expected_status": None,
        "keyword": "ok",
        "verify_tls": True,
        "cert_warning_days": 14,
        "host_header": "",
    }
    result = {
        "check": check.pk,
        "ok": True,
        "at": timezone.now().isoformat(),
        "response_ms": 3.25,
        "message": "HTTP 200",
    }
    response = client.post(
        "/api/monitoring/collector/check-results/", {"results": [result]}, content_type="application/json", **headers
    )
    assert response.status_code == 200 and response.json()["stored"] == 1
    check.refresh_from_db()
    assert (check.state, check.last_response_ms, check.last_message) == ("up", 3.25, "HTTP 200")
    bad = client.post(
        "/api/monitoring/collector/check-results/", {"results": [{"ok": 1}]}, content_type="application/json", **headers
    )
    assert bad.status_code == 400
    assert client.get("/api/monitoring/collector/checks/?shard=3/2", **headers).status_code == 400
    assert client.get("/api/monitoring/collector/checks/").status_code in (401, 403)
