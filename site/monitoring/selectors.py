"""Reads spanning models: the collectors' targets, the bandwidth commits the catalog sells for interfaces."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps

from dcim.models import Device, Interface

# A service that is only ordered (pending) commits no bandwidth yet; cancelled and terminated ones no longer do.
COMMITTING_STATUSES = ("provisioning", "active", "suspended", "cancellation_requested")


def interface_commits_mbps(*, interface_ids: Iterable[int] | None = None) -> dict[int, int]:
    """The committed bandwidth in Mbit/s of each DCIM interface, from the catalog (read only).

    An interface's commit is the sum, over the bandwidth services in force that use it (``Service.interfaces``),
    of the product's ``commit_mbps`` times the service's quantity. Interfaces without one are absent. The
    catalog is reached through the app registry, so this does not depend on how its modules are laid out.
    """
    service_model = apps.get_model("catalog", "Service")
    links = service_model.interfaces.through.objects.filter(
        service__status__in=COMMITTING_STATUSES,
        service__plan__product__kind="bandwidth",
        service__plan__product__commit_mbps__isnull=False,
    )
    if interface_ids is not None:
        links = links.filter(interface_id__in=list(interface_ids))
    commits: dict[int, Decimal] = defaultdict(Decimal)
    for interface_id, commit, quantity in links.values_list(
        "interface_id", "service__plan__product__commit_mbps", "service__quantity"
    ):
        commits[interface_id] += Decimal(commit) * (quantity or Decimal(1))
    return {interface_id: int(total) for interface_id, total in commits.items() if total > 0}


# The device columns a target needs (the rest of the device is never read).
TARGET_DEVICE_FIELDS = (
    "name",
    "management_ip",
    "snmp_port",
    "snmp_polling_interval",
    "snmp_version",
    "snmp_community",
    "snmp_v3_user",
    "snmp_auth_protocol",
    "snmp_auth_key",
    "snmp_priv_protocol",
    "snmp_priv_key",
)
TARGET_CHUNK = 5000  # device ids per statement (SQLite allows 32,766 parameters; PostgreSQL plans lists fast)


def collector_targets(*, shard_index: int = 0, shard_count: int = 1) -> list[dict]:
    """The SNMP devices of one shard with their settings (secrets decrypted) and interfaces.

    Only for the collector channel: the payload carries SNMP communities and v3 keys in the clear.

    Built for shards of hundreds of thousands of interfaces: the shard's devices are picked from their ids
    alone (the shard hash is not SQL), then only they are read, and their interfaces and link states come as
    plain rows of one joined query per chunk of devices (no model instances, no other shard's rows); only the
    shard's secrets are decrypted.
    """
    from collector.shard import shard_of

    polled = Device.objects.filter(snmp_enabled=True, management_ip__isnull=False)
    mine = [pk for pk in polled.order_by("pk").values_list("pk", flat=True) if shard_of(pk, shard_count) == shard_index]
    targets = []
    for offset in range(0, len(mine), TARGET_CHUNK):
        chunk = mine[offset : offset + TARGET_CHUNK]
        interfaces: dict[int, list[dict]] = defaultdict(list)
        rows = (
            Interface.objects.filter(device_id__in=chunk)
            .order_by("device_id", "name")  # each device's interfaces in their usual order (Meta.ordering)
            .values_list(
                "device_id", "pk", "name", "speed", "monitoring_state__if_index", "monitoring_state__oper_status"
            )
        )
        for device_id, pk, name, speed, if_index, oper_status in rows.iterator(chunk_size=20_000):
            interfaces[device_id].append(
                {"id": pk, "name": name, "speed": speed, "if_index": if_index, "oper_status": oper_status or ""}
            )
        devices = (
            Device.objects.filter(pk__in=chunk)
            .order_by("pk")
            .only(*TARGET_DEVICE_FIELDS, "monitoring_health__reachable")
            .select_related("monitoring_health")
        )
        for device in devices:
            health = getattr(device, "monitoring_health", None)
            targets.append(
                {
                    "id": device.pk,
                    "name": device.name,
                    "address": device.management_ip,
                    "port": device.snmp_port,
                    "interval": device.snmp_polling_interval,
                    "snmp": _snmp_settings(device),
                    "reachable": health.reachable if health else None,
                    "interfaces": interfaces.get(device.pk, []),
                }
            )
    return targets


def _snmp_settings(device) -> dict:
    if device.snmp_version == "v3":
        return {
            "version": "v3",
            "user": device.snmp_v3_user,
            "auth_protocol": device.snmp_auth_protocol,
            "auth_key": device.snmp_auth_key,
            "priv_protocol": device.snmp_priv_protocol,
            "priv_key": device.snmp_priv_key,
        }
    return {"version": "v2c", "community": device.snmp_community or "public"}


# --- dashboard notices (providers for portal.notices.PROVIDERS) ----------------------------------------------
# Each takes a company and returns dicts shaped like portal.notices.Notice (kind, level, title, body, url), in a
# constant number of queries. Each one's ``probe`` is the queryset it reads from, before the joins: the dashboard
# asks all probes in one query and calls only the providers whose probe finds a row.


def _portal_url(name: str, *args) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def current_bandwidth_notices(company):
    """The bandwidth notices of ``company``'s current month (``bandwidth_notices``' probe)."""
    from django.utils import timezone

    from monitoring.models import BandwidthNotice

    today = timezone.localdate()
    return BandwidthNotice.objects.filter(company=company, period_end__gt=today, period_start__lte=today)


def bandwidth_notices(company) -> list[dict]:
    """The bandwidth levels reached this month, the highest per service or port, until the month ends."""
    highest: dict[tuple, object] = {}
    notices = (
        current_bandwidth_notices(company)
        .select_related("service__plan__product", "interface__device")
        .order_by("level")
    )
    for notice in notices:
        highest[(notice.service_id, None if notice.service_id else notice.interface_id)] = notice
    result = []
    for notice in sorted(highest.values(), key=lambda item: -item.level):
        url = (
            _portal_url("portal:bandwidth_service", notice.service_id)
            if notice.service_id
            else _portal_url("portal:bandwidth_interface", notice.interface_id)
        )
        result.append(
            {
                "kind": "bandwidth",
                "level": "danger" if notice.level > 100 else "warning",
                "title": f"Bandwidth: {notice.subject_name} reached {notice.level} % of its commit",
                "body": f"{notice.message}. Usage over the commit's 95th percentile is billed at month end.",
                "url": url,
            }
        )
    return result


def recent_overages(company, today=None):
    """``company``'s usage over commit this month and last (``overage_notices``' probe)."""
    from django.utils import timezone

    from monitoring.models import BandwidthUsage
    from monitoring.usage import month_period, previous_month

    today = today or timezone.localdate()
    current, last = month_period(today)[0], previous_month(today)[0]
    return BandwidthUsage.objects.filter(service__company=company, period_start__in=[current, last], overage_mbps__gt=0)


def overage_notices(company) -> list[dict]:
    """Services over commit: this month so far (95th percentile to date) and last month's billed overage."""
    from django.utils import timezone

    from monitoring.usage import month_period

    today = timezone.localdate()
    current = month_period(today)[0]
    usages = (
        recent_overages(company, today).select_related("service__plan__product").order_by("-period_start", "service_id")
    )
    result = []
    for usage in usages:
        url = _portal_url("portal:bandwidth_service", usage.service_id)
        if usage.period_start == current:
            result.append(
                {
                    "kind": "overage",
                    "level": "warning",
                    "title": f"{usage.service} is over its commit this month",
                    "body": (
                        f"95th percentile so far {usage.billed_p95_mbps:,.2f} Mbit/s on a {usage.commit_mbps:,} "
                        f"Mbit/s commit: {usage.overage_mbps} Mbit/s over, about {usage.overage_amount} "
                        f"{usage.currency} if it stays so until the month ends."
                    ),
                    "url": url,
                }
            )
        elif usage.final and usage.overage_amount > 0:
            result.append(
                {
                    "kind": "overage",
                    "level": "info",
                    "title": (
                        f"Bandwidth overage for {usage.period_start:%B %Y}: {usage.overage_amount} {usage.currency}"
                    ),
                    "body": (
                        f"{usage.service}: 95th percentile {usage.billed_p95_mbps:,.2f} Mbit/s on a "
                        f"{usage.commit_mbps:,} Mbit/s commit; the overage is on your next invoice."
                    ),
                    "url": url,
                }
            )
    return result


def unresolved_abuse_reports(company):
    """``company``'s abuse reports not resolved yet (``abuse_notices``' probe)."""
    from monitoring.choices import AbuseStatus
    from monitoring.models import AbuseReport

    return AbuseReport.objects.filter(company=company).exclude(status=AbuseStatus.RESOLVED)


def abuse_notices(company) -> list[dict]:
    """Abuse reports not resolved yet: the customer is asked to acknowledge and answer."""
    from monitoring.choices import AbuseStatus

    result = []
    reports = unresolved_abuse_reports(company).order_by("-reported_at")
    for report in reports:
        waiting = report.status == AbuseStatus.OPEN
        due = f" Please answer by {report.respond_by:%d %B %Y}." if report.respond_by else ""
        result.append(
            {
                "kind": "abuse",
                "level": "danger" if waiting else "warning",
                "title": f"Abuse report: {report.summary}",
                "body": (
                    "Acknowledge it and tell us what you did."
                    if waiting
                    else "Acknowledged; we follow it in the ticket."
                )
                + due,
                "url": _portal_url("portal:abuse_report", report.pk),
            }
        )
    return result


bandwidth_notices.probe = current_bandwidth_notices
overage_notices.probe = recent_overages
abuse_notices.probe = unresolved_abuse_reports

NOTICE_PROVIDERS = (abuse_notices, bandwidth_notices, overage_notices)
