"""Reads of the IPAM app that span models: search, holder at a time, customer views, utilisation figures."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from ipam.addressing import from_hex, network_bounds, parse_address, parse_network, to_hex
from ipam.choices import IPAddressStatus, PrefixStatus
from ipam.models import Assignment, IPAddress, Prefix

# A prefix search lists every address (free ones included) up to this many; larger prefixes list held ones.
SEARCH_LIST_ALL_UP_TO = 256


@dataclass
class AddressState:
    """One address as search shows it: free, reserved (why, by whom) or in use (by whom, for what)."""

    address: str
    state: str  # "free", "reserved", "in use", "deprecated", "not usable" (network/broadcast), "unmanaged"
    prefix: Prefix | None = None
    record: IPAddress | None = None
    company: object = None
    service: object = None
    interface: object = None
    reason: str = ""
    by: object = None
    since: datetime | None = None
    via_block: str = ""


@dataclass
class SearchResult:
    """What ``ip_search`` found: the kind of query, the addresses, and the prefixes involved."""

    query: str
    kind: str  # "address", "prefix", "company", "empty"
    addresses: list[AddressState] = field(default_factory=list)
    prefixes: list[Prefix] = field(default_factory=list)
    truncated: bool = False
    error: str = ""


def _assignment_queryset():
    return Assignment.objects.select_related(
        "company", "assigned_by", "justification", "service_type", "interface__device"
    )


def _records(queryset):
    return queryset.select_related(
        "prefix",
        "prefix__company",
        "company",
        "current_assignment",
        "current_assignment__assigned_by",
        "current_assignment__interface__device",
    ).prefetch_related("current_assignment__service")


def _state_of(value: int, family: int, record: IPAddress | None, prefix: Prefix | None, blocks) -> AddressState:
    text = str(ipaddress.IPv4Address(value) if family == 4 else ipaddress.IPv6Address(value))
    row = AddressState(address=text, state="free", prefix=prefix, record=record)
    current = record.current_assignment if record is not None else None
    if record is not None and record.status != IPAddressStatus.AVAILABLE:
        row.state = {
            IPAddressStatus.ASSIGNED: "in use",
            IPAddressStatus.RESERVED: "reserved",
            IPAddressStatus.DEPRECATED: "deprecated",
        }[record.status]
        row.company = record.company
        if current is not None:
            row.reason, row.by, row.since = current.reason, current.assigned_by, current.started_at
            row.service = current.service
            row.interface = getattr(current, "interface", None)
        return row
    hex_value = to_hex(value)
    block = next((b for b in blocks if b.family == family and b.start <= hex_value <= b.end), None)
    if block is not None:
        row.state, row.company, row.via_block = "in use", block.company, block.network
        row.service, row.since, row.by, row.reason = block.service, block.started_at, block.assigned_by, block.reason
        return row
    if prefix is None:
        row.state = "unmanaged"
    elif not prefix.usable_range()[0] <= value <= prefix.usable_range()[1]:
        row.state = "not usable"
        row.reason = _("network address") if value < prefix.usable_range()[0] else _("broadcast address")
    elif prefix.status in (PrefixStatus.RESERVED, PrefixStatus.DEPRECATED):
        row.state = "reserved" if prefix.status == PrefixStatus.RESERVED else "deprecated"
        row.reason = prefix.description or _("in %(status)s prefix %(prefix)s") % {
            "status": prefix.get_status_display().lower(),
            "prefix": prefix,
        }
    return row


def _current_blocks(family: int, start: str, end: str) -> list[Assignment]:
    return list(
        _assignment_queryset()
        .prefetch_related("service")
        .current()
        .filter(prefix__isnull=False, family=family, start__lte=end, end__gte=start)
    )


def address_state(address: str) -> AddressState:
    """The state of one address in three indexed queries whatever the size: its subnet, its record and the
    block assignment of that subnet (a block assignment always sits on the subnet it covers)."""
    ip = parse_address(address)
    value = to_hex(ip)
    prefix = Prefix.objects.around(ip).exclude(status=PrefixStatus.CONTAINER).order_by("-prefix_length").first()
    record = _records(IPAddress.objects.filter(family=ip.version, value=value)).first()
    blocks = list(_assignment_queryset().prefetch_related("service").current().filter(prefix=prefix)) if prefix else []
    return _state_of(int(ip), ip.version, record, prefix, blocks)


def ip_search(query: str, *, limit: int = SEARCH_LIST_ALL_UP_TO) -> SearchResult:
    """Search by address, prefix or customer name, as staff type it.

    * an address: its state and the prefixes containing it, with their utilisation;
    * a prefix: every address in it (free ones computed) up to ``limit``, otherwise the held ones;
    * anything else: the companies whose name matches, with their blocks and held addresses.
    """
    text = (query or "").strip()
    if not text:
        return SearchResult(query=text, kind="empty")
    if "/" in text:
        try:
            network = parse_network(text)
        except ValidationError as error:
            return SearchResult(query=text, kind="prefix", error=" ".join(error.messages))
        return _search_network(text, network, limit)
    if ":" in text or text.replace(".", "").isdigit():
        try:
            ip = parse_address(text)
        except ValidationError as error:
            return SearchResult(query=text, kind="address", error=" ".join(error.messages))
        containing = list(
            Prefix.objects.around(ip)
            .with_utilisation(family=ip.version)
            .select_related("company")
            .order_by("prefix_length")
        )
        return SearchResult(query=text, kind="address", addresses=[address_state(str(ip))], prefixes=containing)
    return _search_company(text, limit)


def _search_network(text: str, network, limit: int) -> SearchResult:
    start, end = network_bounds(network)
    family = network.version
    # The prefixes around it by their exact CIDR text, and the first ``limit`` inside it: two bounded index reads.
    around = Prefix.objects.around(network.network_address).filter(prefix_length__lte=network.prefixlen)
    inside = Prefix.objects.within(family, start, end).filter(prefix_length__gt=network.prefixlen)
    prefixes = sorted(
        [
            *around.with_utilisation(family=family).select_related("company", "vlan"),
            *inside.with_utilisation(family=family).select_related("company", "vlan").order_by("network_start")[:limit],
        ],
        key=lambda p: (p.network_start, p.prefix_length),
    )
    subnets = [p for p in prefixes if p.status != PrefixStatus.CONTAINER]
    blocks = _current_blocks(family, start, end)
    records = {r.value: r for r in _records(IPAddress.objects.in_range(family, start, end).order_by("value")[:limit])}
    result = SearchResult(query=text, kind="prefix", prefixes=prefixes)

    def subnet_of(hex_value: str) -> Prefix | None:
        return next(
            (
                p
                for p in sorted(subnets, key=lambda p: -p.prefix_length)
                if p.network_start <= hex_value <= p.network_end
            ),
            None,
        )

    if network.num_addresses <= limit:
        for number in range(int(network.network_address), int(network.broadcast_address) + 1):
            hex_value = to_hex(number)
            result.addresses.append(_state_of(number, family, records.get(hex_value), subnet_of(hex_value), blocks))
    else:
        held = [r for r in records.values() if r.status != IPAddressStatus.AVAILABLE]
        for record in held:
            result.addresses.append(_state_of(int(record.value, 16), family, record, record.prefix, blocks))
        result.truncated = True
    return result


def _search_company(text: str, limit: int) -> SearchResult:
    from accounts.models import Company

    companies = list(Company.objects.filter(Q(name__icontains=text) | Q(legal_name__icontains=text))[:20])
    result = SearchResult(query=text, kind="company")
    if not companies:
        return result
    result.prefixes = list(
        Prefix.objects.filter(company__in=companies).with_utilisation().select_related("company", "vlan")
    )
    held = _records(IPAddress.objects.filter(company__in=companies).held().order_by("family", "value")[:limit])
    for record in held:
        result.addresses.append(_state_of(int(record.value, 16), record.family, record, record.prefix, []))
    return result


def address_holder_at(address: str, when: datetime) -> Assignment | None:
    """Who held ``address`` at ``when``: the most specific assignment or reservation in force then, or None.

    Answers for block assignments and for addresses whose record was deleted, because the history keeps the
    range itself.
    """
    ip = parse_address(address)
    return (
        _assignment_queryset()
        .covering(ip.version, to_hex(ip))
        .at(when)
        .order_by("-start", "end", "-started_at")
        .first()
    )


def address_history(address: str):
    """Every assignment and reservation that ever covered ``address``, newest first."""
    ip = parse_address(address)
    return _assignment_queryset().covering(ip.version, to_hex(ip)).order_by("-started_at")


def company_prefixes(queryset):
    """A company's blocks (from a tenancy-scoped queryset) with their utilisation and justification."""
    return queryset.with_utilisation().select_related("vlan").order_by("family", "network_start")


def describe(family: int, value: str) -> str:
    return str(from_hex(family, value))
