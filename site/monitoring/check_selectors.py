"""Reads of service monitoring: the collectors' check targets, the NOC board's problems, portal notices."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from monitoring.check_models import Check, Incident, MaintenanceWindow
from monitoring.choices import CheckKind, CheckState
from monitoring.incidents import check_message


def check_targets(*, shard_index: int = 0, shard_count: int = 1) -> list[dict]:
    """The checks of one shard the collectors should run (not paused, with an address), in a constant
    number of queries. SNMP checks carry the device's SNMP settings (secrets in the clear: collector only)."""
    from collector.shard import shard_of

    checks = (
        Check.objects.filter(paused=False)
        .select_related("device", "ip_address")
        .only(
            "id",
            "kind",
            "host",
            "port",
            "path",
            "expected_status",
            "keyword",
            "verify_tls",
            "cert_warning_days",
            "dns_name",
            "dns_record_type",
            "dns_expected",
            "interval_seconds",
            "timeout_seconds",
            "retries",
            "device__management_ip",
            "device__snmp_enabled",
            "device__snmp_version",
            "device__snmp_port",
            "device__snmp_community",
            "ip_address__address",
        )
        .order_by("pk")
    )
    targets = []
    for check in checks:
        if shard_of(check.pk, shard_count) != shard_index:
            continue
        address = check.address
        if not address:
            continue
        item = {
            "id": check.pk,
            "kind": check.kind,
            "address": address,
            "port": check.effective_port,
            "interval": check.interval_seconds,
            "timeout": check.timeout_seconds,
            "retries": check.retries,
        }
        if check.kind in (CheckKind.HTTP, CheckKind.HTTPS):
            item.update(
                path=check.path or "/",
                expected_status=check.expected_status,
                keyword=check.keyword,
                verify_tls=check.verify_tls,
                cert_warning_days=check.cert_warning_days,
                host_header=check.host or "",
            )
        elif check.kind == CheckKind.DNS:
            item.update(query=check.dns_name, record_type=check.dns_record_type, expected=check.dns_expected)
        elif check.kind == CheckKind.SNMP:
            item.update(community=check.device.snmp_community or "public", version=check.device.snmp_version)
        targets.append(item)
    return targets


def noc_problems(*, limit: int = 500) -> dict:
    """Every current problem for the NOC board, worst and oldest first, in a constant number of queries:
    checks down (with their open incident), devices unreachable, links down, bandwidth over its commit."""
    from monitoring.models import DeviceHealth, InterfaceState

    open_incidents = {
        incident.service_check_id: incident
        for incident in Incident.objects.filter(closed_at__isnull=True).select_related("acknowledged_by")
    }
    problems = []
    down_checks = (
        Check.objects.filter(state=CheckState.DOWN)
        .select_related("company", "device", "ip_address")
        .order_by("state_changed_at")[:limit]
    )
    for check in down_checks:
        message = check_message(check, incident=open_incidents.get(check.pk))
        problems.append({"key": f"check-{check.pk}", "type": "check", "severity": "critical", **message})
    for health in DeviceHealth.objects.filter(reachable=False).select_related("device__company")[:limit]:
        device = health.device
        problems.append(
            {
                "key": f"device-{device.pk}",
                "type": "device",
                "severity": "critical",
                "name": device.name,
                "company_name": device.company.name if device.company_id else "",
                "target": device.management_ip or "",
                "message": "unreachable",
                "since": health.changed_at.isoformat() if health.changed_at else None,
            }
        )
    links = (
        InterfaceState.objects.filter(oper_status__in=["down", "lowerLayerDown"], interface__enabled=True)
        .select_related("interface__device__company")
        .order_by("status_changed_at")[:limit]
    )
    for state in links:
        device = state.interface.device
        problems.append(
            {
                "key": f"link-{state.interface_id}",
                "type": "link",
                "severity": "warning",
                "name": f"{device.name} {state.interface.name}",
                "company_name": device.company.name if device.company_id else "",
                "target": state.alias,
                "message": f"link {state.oper_status}",
                "since": state.status_changed_at.isoformat() if state.status_changed_at else None,
            }
        )
    for state in InterfaceState.objects.filter(threshold_level__gte=100).select_related("interface__device__company"):
        device = state.interface.device
        problems.append(
            {
                "key": f"bandwidth-{state.interface_id}",
                "type": "bandwidth",
                "severity": "critical" if state.threshold_level > 100 else "warning",
                "name": f"{device.name} {state.interface.name}",
                "company_name": device.company.name if device.company_id else "",
                "target": "",
                "message": "over its commit" if state.threshold_level > 100 else "at 100 % of its commit",
                "since": state.rates_at.isoformat() if state.rates_at else None,
            }
        )
    order = {"critical": 0, "warning": 1, "info": 2}
    problems.sort(key=lambda item: (order.get(item["severity"], 3), item.get("since") or ""))
    totals = {
        "checks": Check.objects.filter(paused=False).count(),
        "checks_down": sum(1 for item in problems if item["type"] == "check"),
        "devices_unreachable": sum(1 for item in problems if item["type"] == "device"),
        "links_down": sum(1 for item in problems if item["type"] == "link"),
        "bandwidth": sum(1 for item in problems if item["type"] == "bandwidth"),
        "unacknowledged": sum(1 for incident in open_incidents.values() if incident.acknowledged_at is None),
    }
    return {"problems": problems, "totals": totals, "generated_at": timezone.now().isoformat()}


def company_checks(*, company):
    """A company's checks for the portal, with what a row shows, in one query."""
    return (
        Check.objects.filter(company=company).select_related("company", "device", "ip_address").order_by("name", "pk")
    )


def company_incidents(*, company, limit: int = 50):
    """A company's latest incidents, newest first."""
    return Incident.objects.filter(company=company).select_related("service_check")[:limit]


def active_windows(*, check_ids) -> set[int]:
    now = timezone.now()
    return set(
        MaintenanceWindow.objects.filter(service_check_id__in=list(check_ids))
        .filter(Q(starts_at__lte=now) & Q(ends_at__gt=now))
        .values_list("service_check_id", flat=True)
    )


def open_incidents(company):
    """``company``'s incidents not closed yet (``incident_notices``' probe)."""
    return Incident.objects.filter(company=company, closed_at__isnull=True)


def incident_notices(company) -> list[dict]:
    """The open incidents of ``company`` as dashboard notices (one query); the shape of portal.notices.Notice."""
    from django.urls import reverse
    from django.utils.timesince import timesince
    from django.utils.translation import gettext

    notices = []
    for incident in open_incidents(company).select_related("service_check"):
        check = incident.service_check
        notices.append(
            {
                "kind": "monitoring_incident",
                "level": "danger",
                "title": gettext("%(check)s is down") % {"check": check.name},
                "body": gettext("Since %(since)s ago: %(cause)s")
                % {"since": timesince(incident.opened_at), "cause": incident.cause},
                "url": reverse("portal:monitoring_check", args=[check.pk]),
            }
        )
    return notices


incident_notices.probe = open_incidents
