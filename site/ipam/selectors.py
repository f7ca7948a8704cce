"""Reads of the IPAM app that span models: search, holder at a time, customer views, utilisation figures."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils.translation import gettext as _

from core.models import choice_labels
from ipam import statements
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
    if callable(blocks):
        blocks = blocks()
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


def address_state(address: str, *, containing: list[Prefix] | None = None) -> AddressState:
    """The state of one address in at most two statements whatever the size: the prefixes around it with its record
    (one hand-written statement of index lookups) and, only when nobody holds the record, the block assignment of
    its subnet (a block assignment always sits on the subnet it covers). ``containing``: the prefixes around the
    address when the caller has read them already (IPv6 search, with their utilisation); the record is then read
    alone."""
    ip = parse_address(address)
    # Hand-written (``ipam.statements``): the record with its holder and current assignment on a narrow join,
    # and the prefixes around it in the same statement unless the caller has them.
    if containing is None:
        containing, record = statements.address_lookup(ip)
    else:
        record = statements.address_record(ip.version, to_hex(ip))
    return _address_state_of(ip, containing, record)


def _address_state_of(ip, containing: list[Prefix], record: IPAddress | None) -> AddressState:
    subnets = [p for p in containing if p.status != PrefixStatus.CONTAINER]
    prefix = max(subnets, key=lambda p: p.prefix_length, default=None)

    def blocks():
        return statements.current_blocks(prefix.pk) if prefix is not None else []

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
        if ip.version == 4:
            # IPv4 utilisation comes from the figures kept on write: the prefixes' rows are all it needs, read in
            # the record's statement.
            containing, record = statements.address_lookup(ip)
            state = _address_state_of(ip, containing, record)
        else:
            containing = list(
                Prefix.objects.around(ip).with_utilisation(family=6).select_related("company").order_by("prefix_length")
            )
            state = address_state(str(ip), containing=containing)
        return SearchResult(query=text, kind="address", addresses=[state], prefixes=containing)
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


def current_assignments_prefetch() -> Prefetch:
    """Each block's current assignments with their justification, as ``current_assignments`` (a list)."""
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.current().select_related("justification"),
        to_attr="current_assignments",
    )


# The columns of a block's current assignment (and its justification) that ``company_prefixes`` reads; others
# load on access, one query each.
BLOCK_ASSIGNMENT_COLUMNS = (
    "prefix",
    "started_at",
    "justification__purpose",
    "justification__hosts_now",
    "justification__hosts_in_12_months",
)


def company_prefixes(queryset) -> list[Prefix]:
    """A company's blocks (from a tenancy-scoped queryset) with their utilisation and justification: each with
    ``current_assignments`` (``BLOCK_ASSIGNMENT_COLUMNS`` read).

    The blocks are read without the IPv6 utilisation (six correlated subqueries: compiling them cost the portal's
    IP page of an IPv4-only customer an eighth of its CPU); when some are IPv6, one more statement annotates
    just those. An IPv4-only company costs two statements (blocks, current assignments), one holding IPv6 three,
    at any number of blocks.
    """
    blocks = list(queryset.order_by("family", "network_start"))
    ipv6_pks = [block.pk for block in blocks if block.family == 6]
    if ipv6_pks:
        used = dict(Prefix.objects.filter(pk__in=ipv6_pks).with_utilisation().values_list("pk", "v6_used_units"))
        for block in blocks:
            if block.family == 6:
                block.v6_used_units = used[block.pk]
    # Only what the portal's block table shows of the current assignment and its justification.
    current = Assignment.objects.current().select_related("justification").only(*BLOCK_ASSIGNMENT_COLUMNS)
    prefetch_related_objects(blocks, Prefetch("assignments", queryset=current, to_attr="current_assignments"))
    return blocks


def address_table(queryset, *, limit: int) -> list[dict]:
    """The held addresses of a tenancy-scoped ``queryset`` (family, then address order; at most ``limit``) as
    plain rows for a table: ``address``, ``status_label``, ``prefix`` (the subnet's CIDR, or None),
    ``dns_name``, ``purpose`` (of the current assignment's justification, or None) and ``started_at`` (of the
    current assignment, or None).

    Plain values, not instances: building four instances a row, and the template's lookups through them (a
    method call for the status label, a failed lookup through a missing assignment), cost the portal's IP page
    more than half of its CPU at a hundred addresses.
    """
    labels = choice_labels(IPAddress, "status")
    rows = (
        queryset.held()
        .order_by("family", "value")
        .values_list(
            "address",
            "status",
            "prefix__prefix",
            "dns_name",
            "current_assignment__justification__purpose",
            "current_assignment__started_at",
        )[:limit]
    )
    return [
        {
            "address": address,
            "status_label": labels.get(status, status),
            "prefix": prefix,
            "dns_name": dns_name,
            "purpose": purpose,
            "started_at": started_at,
        }
        for address, status, prefix, dns_name, purpose, started_at in rows
    ]


def describe(family: int, value: str) -> str:
    return str(from_hex(family, value))


# --- next free (reads; the services that then assign take their own locks) ----------------------------------


# How many records ``next_free_ip`` reads in one go before it gallops and bisects.
NEXT_FREE_HEAD = 64


_UNREAD = object()


def next_free_ip_of(queryset, pk: int):
    """(prefix, its next free address) for subnet ``pk`` of ``queryset`` (tenancy-scoped by ``for_user``), or
    (None, None) when the caller may not see it.

    When the scoped queryset is every prefix (staff), the prefix and its first available record come from one
    hand-written statement (``ipam.statements``); otherwise the scoped queryset reads the prefix.
    """
    if queryset.query.is_empty() or not 0 < pk < 2**63:  # beyond any id (and any database integer)
        return None, None
    first_available = _UNREAD
    if queryset.query.has_filters() or queryset.model is not Prefix:
        prefix = queryset.filter(pk=pk).first()
    else:
        prefix, first_available = statements.prefix_and_first_available(pk)
    if prefix is None:
        return None, None
    return prefix, next_free_ip(prefix=prefix, prefix_is_fresh=True, first_available=first_available)


def next_free_ip(
    *, prefix: Prefix, prefix_is_fresh: bool = False, first_available=_UNREAD
) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The lowest usable address of ``prefix`` that nobody holds, or None when it is full.

    An address is free when it has no record or its record is available. The subnet's record count is kept
    on write (``ipam.counters``), so:

    * a subnet whose every address has a record (created with its records, like a busy /16) answers with one
      lookup on the (family, status, value) index: its first available record;
    * a subnet with no record answers its first usable address;
    * otherwise the first available record bounds the search for the first address without a record: a read
      of the first few records, then windows that double in size ("fewer records in low–high than addresses?",
      one indexed count each) and a bisection inside the first window with a gap, so the work follows the run
      of recorded addresses at the start, never the size of the subnet or of the table.

    ``prefix_is_fresh``: the caller has just read ``prefix`` (an API request), so its record count is as current
    as a second read would be, which saves that read. ``first_available``: the hex key of the lowest available
    record between the prefix's network and broadcast addresses (or None), read with it (``next_free_ip_of``).
    """
    if prefix.status == PrefixStatus.CONTAINER:
        raise ValidationError(_("%(prefix)s is a container: ask for a free block instead.") % {"prefix": prefix})
    first, last = prefix.usable_range()
    if last < first:
        return None
    make = ipaddress.IPv4Address if prefix.family == 4 else ipaddress.IPv6Address
    if prefix_is_fresh:
        records_count = prefix.address_records
    else:
        # The figure as committed now, not as it was when the caller loaded the prefix.
        records_count = Prefix.objects.filter(pk=prefix.pk).values_list("address_records", flat=True).first() or 0
    if records_count == 0:
        return make(first)
    if first_available is not _UNREAD and (first_available is None or first <= int(first_available, 16) <= last):
        available = first_available
    else:
        # Unread, or a record of the network or broadcast address (a pool made a plain subnet): one lookup on
        # the (family, status, value) index, hand-written (``ipam.statements``).
        available = statements.first_available_record(prefix.family, to_hex(first), to_hex(last))
    if records_count >= last - first + 1:
        return make(int(available, 16)) if available is not None else None
    high = int(available, 16) - 1 if available is not None else last
    unrecorded = _first_unrecorded(prefix.family, first, high)
    if unrecorded is not None:
        return make(unrecorded)
    return make(int(available, 16)) if available is not None else None


def _first_unrecorded(family: int, low: int, high: int) -> int | None:
    """The lowest address from ``low`` to ``high`` without a record (see ``next_free_ip``), or None."""
    if low > high:
        return None

    def values(start: int, end: int):
        return IPAddress.objects.order_by().in_range(family, to_hex(start), to_hex(end))

    candidate = low
    head = list(values(low, high).order_by("value").values_list("value", flat=True)[:NEXT_FREE_HEAD])
    for value in head:
        number = int(value, 16)
        if number > candidate:
            return candidate
        candidate = number + 1
    if len(head) < NEXT_FREE_HEAD or candidate > high:
        return candidate if candidate <= high else None
    # Every address from ``low`` to ``candidate - 1`` has a record: find the first window holding a gap.
    start, size = candidate, NEXT_FREE_HEAD
    while True:
        end = min(start + size - 1, high)
        if values(start, end).count() < end - start + 1:
            break
        if end == high:
            return None
        start, size = end + 1, size * 2
    while start < end:
        middle = (start + end) // 2
        if values(start, middle).count() < middle - start + 1:
            end = middle
        else:
            start = middle + 1
    return start


def next_free_block(*, prefix: Prefix, prefix_length: int):
    """The lowest block of ``prefix_length`` inside container ``prefix`` that overlaps no other prefix."""
    network = prefix.network
    if prefix.status != PrefixStatus.CONTAINER:
        raise ValidationError(
            _("%(prefix)s is not a container: blocks are carved from containers.") % {"prefix": prefix}
        )
    if not network.prefixlen < prefix_length <= network.max_prefixlen:
        raise ValidationError(
            _("A /%(length)s does not fit inside %(prefix)s.") % {"length": prefix_length, "prefix": prefix}
        )
    size = 2 ** (network.max_prefixlen - prefix_length)
    cursor, end = int(network.network_address), int(network.broadcast_address)
    occupied = (
        Prefix.objects.within(prefix.family, prefix.network_start, prefix.network_end)
        .exclude(pk=prefix.pk)
        .order_by("network_start")
        .values_list("network_start", "network_end")
    )

    def fits(low: int, high: int) -> int | None:
        aligned = -(-low // size) * size
        return aligned if aligned + size - 1 <= high else None

    for start_hex, end_hex in occupied.iterator(chunk_size=2000):
        start, stop = int(start_hex, 16), int(end_hex, 16)
        if start > cursor and (found := fits(cursor, start - 1)) is not None:
            return type(network)((found, prefix_length))
        cursor = max(cursor, stop + 1)
    found = fits(cursor, end) if cursor <= end else None
    return type(network)((found, prefix_length)) if found is not None else None
