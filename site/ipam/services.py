"""Every write of the IPAM app: space, subnets and addresses, assignment, reservation and release.

Each function is keyword-only and atomic; bad input raises ``ValidationError`` in the user's terms and
changes nothing. Every assignment, reservation and release is kept in ``Assignment`` with its dates, which is
what ``selectors.address_holder_at`` reads.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import instance_delete, instance_save, plain_services
from ipam import counters
from ipam.addressing import parse_address, parse_network, to_hex
from ipam.bulk import bulk_insert, ipv4_series_insert
from ipam.choices import HELD_STATUSES, AssignmentKind, IPAddressStatus, PrefixRole, PrefixStatus
from ipam.models import RIR, VLAN, Aggregate, Assignment, IPAddress, IPJustification, Prefix

# The most address records one request may create: an IPv4 /16 (65,534) or an IPv6 /112 fits, an IPv6 /64
# (18 quintillion) does not. IPv6 subnets are managed without pre-created records: free space is computed.
MAX_BULK_ADDRESSES = 65_536


def _validation_error(error: ValidationError) -> ValidationError:
    """Flatten a field error dict into one message list (the caller shows it as a whole)."""
    return ValidationError(error.messages)


def _save(instance):
    try:
        instance.full_clean()
    except ValidationError as error:
        raise _validation_error(error) from error
    instance.save()
    return instance


@transaction.atomic
def prefix_counters_refresh() -> int:
    """Recount every prefix's kept figures (records, held records, child space) from the rows; returns how many
    prefixes there are. For after a bulk load, an import, or a write that went around these services."""
    counters.counters_refresh()
    return Prefix.objects.count()


# --- space ------------------------------------------------------------------------------------------------


@transaction.atomic
def rir_create(*, name: str, slug: str, is_private: bool = False) -> RIR:
    """Declare a registry (or private space such as RFC 1918)."""
    return _save(RIR(name=name, slug=slug, is_private=is_private))


@transaction.atomic
def aggregate_create(*, prefix: str, rir: RIR, date_allocated=None, description: str = "") -> Aggregate:
    """Record space the provider holds; refused when it overlaps an existing aggregate."""
    return _save(Aggregate(prefix=prefix, rir=rir, date_allocated=date_allocated, description=description))


@transaction.atomic
def vlan_create(*, vid: int, name: str, description: str = "") -> VLAN:
    """Declare a VLAN prefixes can be carried on."""
    return _save(VLAN(vid=vid, name=name, description=description))


@transaction.atomic
def prefix_add(
    *,
    prefix: str,
    status: str = PrefixStatus.ACTIVE,
    role: str = "",
    vlan: VLAN | None = None,
    is_pool: bool = False,
    description: str = "",
    create_addresses: bool = False,
    **fields,
) -> Prefix:
    """Add a subnet (or container) and, when asked, a record for each of its usable addresses in bulk.

    A /24 creates 254 records (network and broadcast excluded), a /31 two, a pool /24 all 256. Refused when
    the prefix is malformed, a host address, outside every aggregate, overlaps a prefix that is not a container,
    or would create more than ``MAX_BULK_ADDRESSES`` records.
    """
    new = _save(
        Prefix(prefix=prefix, status=status, role=role, vlan=vlan, is_pool=is_pool, description=description, **fields)
    )
    counters.prefix_added(new)
    if create_addresses:
        if new.status == PrefixStatus.CONTAINER:
            raise ValidationError(_("%(prefix)s is a container: addresses go into its subnets.") % {"prefix": new})
        first, last = new.usable_range()
        _bulk_create_addresses(prefix=new, first=first, last=last)
    return new


def _bulk_create_addresses(*, prefix: Prefix, first: int, last: int) -> int:
    count = last - first + 1
    if count > MAX_BULK_ADDRESSES:
        raise ValidationError(
            _(
                "%(prefix)s has %(count)s addresses; at most %(max)s records can be created at once. Leave "
                "'create address records' off: free addresses are computed."
            )
            % {"prefix": prefix, "count": f"{count:,}", "max": f"{MAX_BULK_ADDRESSES:,}"}
        )
    existing = IPAddress.objects.in_range(prefix.family, to_hex(first), to_hex(last))
    taken = list(existing.values_list("address", flat=True)[:3])
    if taken:
        raise ValidationError(
            _("%(addresses)s already exist in %(prefix)s; nothing was added.")
            % {"addresses": ", ".join(taken), "prefix": prefix}
        )
    _insert_available_addresses(prefix=prefix, first=first, last=last)
    counters.records_added(prefix_id=prefix.pk, records=count)
    prefix.address_records += count
    return count


def _insert_available_addresses(*, prefix: Prefix, first: int, last: int) -> None:
    """Insert an ``available`` record for every address from ``first`` to ``last`` in bulk (``ipam.bulk``: COPY on
    PostgreSQL, one prepared statement elsewhere): the same columns and encoding as the model, no per-row history,
    exactly like ``bulk_create``. The caller has checked the range is free and holds the transaction.

    IPv4: one ``INSERT … SELECT`` over a series the database counts (``ipam.bulk.ipv4_series_insert``), the rows
    made by the database; measured at a million addresses on PostgreSQL, a /16 in about 60% of COPY's time (COPY
    sends every row from Python), and one statement on SQLite whatever the size. (An earlier measurement on an
    empty table had found it slower than COPY.)
    """
    make = ipaddress.IPv4Address if prefix.family == 4 else ipaddress.IPv6Address
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    values = {
        "created": now,
        "last_updated": now,
        "description": "",
        "comments": "",
        "family": prefix.family,
        "prefix": prefix.pk,
        "status": IPAddressStatus.AVAILABLE.value,
        "dns_name": "",
    }
    if prefix.family == 4:
        ipv4_series_insert(IPAddress, values, first=first, last=last)
        return
    fixed = tuple(values.values())
    bulk_insert(
        IPAddress,
        [*values, "address", "value"],
        ((*fixed, str(make(number)), to_hex(number)) for number in range(first, last + 1)),
    )


@transaction.atomic
def ip_add(*, address: str, dns_name: str = "", description: str = "") -> IPAddress:
    """Record one address inside a subnet; refused when malformed, existing, or outside every subnet."""
    record = _save(IPAddress(address=address, dns_name=dns_name, description=description))
    counters.records_added(prefix_id=record.prefix_id, records=1)
    return record


@transaction.atomic
def ip_range_add(*, start: str, end: str, description: str = "") -> list[IPAddress]:
    """Record every address from ``start`` to ``end`` (inclusive) in bulk; they must lie in one subnet."""
    first_ip, last_ip = parse_address(start), parse_address(end)
    if first_ip.version != last_ip.version:
        raise ValidationError(_("%(start)s and %(end)s are of different families.") % {"start": start, "end": end})
    if int(last_ip) < int(first_ip):
        raise ValidationError(_("%(end)s comes before %(start)s.") % {"start": first_ip, "end": last_ip})
    probe = IPAddress(address=str(first_ip))
    try:
        probe.clean()
    except ValidationError as error:
        raise _validation_error(error) from error
    prefix = probe.prefix
    _first_usable, last_usable = prefix.usable_range()
    if int(last_ip) > last_usable:
        raise ValidationError(
            _("%(start)s–%(end)s runs past the last usable address of %(prefix)s: add it subnet by subnet.")
            % {"start": first_ip, "end": last_ip, "prefix": prefix}
        )
    _bulk_create_addresses(prefix=prefix, first=int(first_ip), last=int(last_ip))
    records = IPAddress.objects.in_range(prefix.family, to_hex(first_ip), to_hex(last_ip))
    if description:
        records.update(description=description)
    return list(records.order_by("value"))


# --- justification ----------------------------------------------------------------------------------------


@transaction.atomic
def justification_create(
    *,
    company,
    purpose: str,
    hosts_now: int,
    hosts_in_6_months: int = 0,
    hosts_in_12_months: int = 0,
    customer_name: str = "",
    network_name: str = "",
    utilisation_plan: str = "",
    requested_family: int = 4,
    requested_prefix_length: int | None = None,
    actor=None,
    **fields,
) -> IPJustification:
    """Record a customer's stated need for addresses (ARIN reassignment / additional-space justification)."""
    return _save(
        IPJustification(
            company=company,
            customer_name=customer_name or company.legal_name or company.name,
            network_name=network_name,
            purpose=purpose,
            hosts_now=hosts_now,
            hosts_in_6_months=hosts_in_6_months,
            hosts_in_12_months=hosts_in_12_months,
            utilisation_plan=utilisation_plan,
            requested_family=requested_family,
            requested_prefix_length=requested_prefix_length,
            submitted_by=actor,
            **fields,
        )
    )


def justification_status_set(*, justification: IPJustification, status: str, actor=None) -> IPJustification:
    """Record staff's decision on a justification (approved when its request is fulfilled, rejected, …)."""
    justification.status = status
    return _save(justification)


# --- assignment -------------------------------------------------------------------------------------------


def _describe_holder(record: IPAddress) -> str:
    current = record.current_assignment
    if record.status == IPAddressStatus.RESERVED:
        reason = current.reason if current else ""
        return _("reserved (%(reason)s)") % {"reason": reason} if reason else _("reserved")
    if record.status == IPAddressStatus.DEPRECATED:
        return _("deprecated")
    holder = record.company or (current.reason if current else "") or _("infrastructure")
    since = timezone.localtime(current.started_at).date().isoformat() if current else ""
    return _("assigned to %(holder)s since %(since)s") % {"holder": holder, "since": since}


def _address_record(address: IPAddress | str) -> IPAddress:
    """The locked record of ``address``, created (as available) when it is free and has none yet."""
    if isinstance(address, IPAddress):
        return IPAddress.objects.select_for_update().get(pk=address.pk)
    ip = parse_address(address)
    record = IPAddress.objects.select_for_update().filter(family=ip.version, value=to_hex(ip)).first()
    return record or ip_add(address=str(ip))


def _check_service_and_interface(*, service, interface) -> dict:
    extra = {}
    if service is not None:
        from django.contrib.contenttypes.models import ContentType

        extra["service_type"] = ContentType.objects.get_for_model(service)
        extra["service_id"] = service.pk
    if interface is not None:
        if not hasattr(Assignment, "interface"):
            raise ValidationError(_("Interfaces can be linked once DCIM is installed."))
        extra["interface"] = interface
    return extra


def _require_justification(*, company, justification: IPJustification | None, what: str) -> None:
    if company is None:
        return
    if justification is None:
        raise ValidationError(
            _("Assigning %(what)s to %(company)s needs a justification (purpose and number of hosts) for ARIN.")
            % {"what": what, "company": company}
        )
    if justification.company_id != company.pk:
        raise ValidationError(
            _("That justification belongs to %(other)s, not %(company)s.")
            % {"other": justification.company, "company": company}
        )


@transaction.atomic
def ip_assign(
    *,
    address: IPAddress | str,
    company=None,
    service=None,
    interface=None,
    justification: IPJustification | None = None,
    justification_fields: dict | None = None,
    reason: str = "",
    actor=None,
    when: datetime | None = None,
) -> Assignment:
    """Assign one address to a customer (with a justification), a service and/or a device interface.

    Refused when the address is held already, or lies in a block assigned to another customer.
    ``justification_fields`` (purpose, hosts_now…) create the justification in the same transaction.
    """
    if justification is None and justification_fields and company is not None:
        justification = justification_create(company=company, actor=actor, **justification_fields)
    if company is None and service is None and interface is None:
        raise ValidationError(_("Say whom the address is for: a customer, a service or an interface."))
    record = _address_record(address)
    if record.status != IPAddressStatus.AVAILABLE:
        raise ValidationError(_("%(address)s is %(holder)s.") % {"address": record, "holder": _describe_holder(record)})
    block = record.prefix
    if block.company_id and company is not None and block.company_id != company.pk:
        raise ValidationError(
            _("%(address)s is in %(block)s, assigned to %(holder)s.")
            % {"address": record, "block": block, "holder": block.company}
        )
    if block.status in (PrefixStatus.RESERVED, PrefixStatus.DEPRECATED):
        raise ValidationError(
            _("%(address)s is in %(block)s, which is %(status)s.")
            % {"address": record, "block": block, "status": block.get_status_display().lower()}
        )
    if not block.company_id:
        _require_justification(company=company, justification=justification, what=str(record))
    assignment = Assignment(
        kind=AssignmentKind.ASSIGNED,
        network=f"{record.address}/{32 if record.family == 4 else 128}",
        family=record.family,
        start=record.value,
        end=record.value,
        address=record,
        company=company,
        justification=justification,
        reason=reason,
        started_at=when or timezone.now(),
        assigned_by=actor,
        **_check_service_and_interface(service=service, interface=interface),
    )
    _save(assignment)
    record.status = IPAddressStatus.ASSIGNED
    record.company = company or block.company
    record.current_assignment = assignment
    record.save(update_fields=["status", "company", "current_assignment", "last_updated"])
    counters.records_added(prefix_id=record.prefix_id, held=1)
    return assignment


@transaction.atomic
def ip_reserve(*, address: IPAddress | str, reason: str, actor=None, when: datetime | None = None) -> Assignment:
    """Hold an address back from assignment, saying why (and recording by whom)."""
    if not (reason or "").strip():
        raise ValidationError(_("Say why the address is reserved."))
    record = _address_record(address)
    if record.status != IPAddressStatus.AVAILABLE:
        raise ValidationError(_("%(address)s is %(holder)s.") % {"address": record, "holder": _describe_holder(record)})
    assignment = _save(
        Assignment(
            kind=AssignmentKind.RESERVED,
            network=f"{record.address}/{32 if record.family == 4 else 128}",
            family=record.family,
            start=record.value,
            end=record.value,
            address=record,
            reason=reason.strip(),
            started_at=when or timezone.now(),
            assigned_by=actor,
        )
    )
    record.status = IPAddressStatus.RESERVED
    record.current_assignment = assignment
    record.save(update_fields=["status", "current_assignment", "last_updated"])
    counters.records_added(prefix_id=record.prefix_id, held=1)
    return assignment


@transaction.atomic
def ip_release(
    *, address: IPAddress | str, actor=None, reason: str = "", company=None, when: datetime | None = None
) -> IPAddress:
    """Give an address back: the current assignment or reservation is closed (kept as history).

    When ``company`` is given (a customer releasing through the portal or API), only its own address may be
    released.
    """
    record = _address_record(address)
    current = record.current_assignment
    if record.status == IPAddressStatus.AVAILABLE or current is None:
        raise ValidationError(_("%(address)s is not assigned or reserved.") % {"address": record})
    if company is not None and current.company_id != company.pk:
        raise ValidationError(_("%(address)s is not held by %(company)s.") % {"address": record, "company": company})
    _close(current, actor=actor, reason=reason, when=when)
    record.status = IPAddressStatus.AVAILABLE
    record.company = record.prefix.company
    record.current_assignment = None
    record.save(update_fields=["status", "company", "current_assignment", "last_updated"])
    counters.records_added(prefix_id=record.prefix_id, held=-1)
    return record


def _close(assignment: Assignment, *, actor, reason: str, when: datetime | None) -> None:
    assignment.ended_at = when or timezone.now()
    if assignment.ended_at < assignment.started_at:
        raise ValidationError(_("A release cannot come before the assignment it ends."))
    assignment.released_by = actor
    assignment.release_reason = reason
    assignment.save(update_fields=["ended_at", "released_by", "release_reason", "last_updated"])


def _block(prefix: Prefix | str) -> Prefix:
    if isinstance(prefix, Prefix):
        return Prefix.objects.select_for_update().get(pk=prefix.pk)
    network = parse_network(prefix)
    found = Prefix.objects.select_for_update().filter(prefix=str(network)).first()
    return found or prefix_add(prefix=str(network), role=PrefixRole.CUSTOMER)


@transaction.atomic
def block_assign(
    *,
    prefix: Prefix | str,
    company,
    justification: IPJustification | None = None,
    justification_fields: dict | None = None,
    service=None,
    interface=None,
    reason: str = "",
    actor=None,
    when: datetime | None = None,
) -> Assignment:
    """Assign a whole block to a customer (creating the subnet if needed); its addresses become theirs.

    Refused for containers, blocks assigned already, and blocks where another holder has addresses.
    """
    if justification is None and justification_fields:
        justification = justification_create(company=company, actor=actor, **justification_fields)
    block = _block(prefix)
    if block.status != PrefixStatus.ACTIVE:
        raise ValidationError(
            _("%(block)s is %(status)s; only an active subnet can be assigned.")
            % {"block": block, "status": block.get_status_display().lower()}
        )
    if block.company_id:
        raise ValidationError(
            _("%(block)s is already assigned to %(holder)s.") % {"block": block, "holder": block.company}
        )
    _require_justification(company=company, justification=justification, what=str(block))
    foreign = block.addresses.held().exclude(company=company).select_related("company", "current_assignment")
    clash = foreign.first()
    if clash is not None:
        raise ValidationError(
            _("%(block)s contains %(address)s, which is %(holder)s.")
            % {"block": block, "address": clash, "holder": _describe_holder(clash)}
        )
    assignment = _save(
        Assignment(
            kind=AssignmentKind.ASSIGNED,
            network=block.prefix,
            family=block.family,
            start=block.network_start,
            end=block.network_end,
            prefix=block,
            company=company,
            justification=justification,
            reason=reason,
            started_at=when or timezone.now(),
            assigned_by=actor,
            **_check_service_and_interface(service=service, interface=interface),
        )
    )
    block.company = company
    block.save(update_fields=["company", "last_updated"])
    block.addresses.update(company=company)
    return assignment


@transaction.atomic
def block_release(
    *, prefix: Prefix, actor=None, reason: str = "", company=None, when: datetime | None = None
) -> Prefix:
    """Take a block back from its customer, closing its assignment and those of the addresses inside."""
    block = _block(prefix)
    if not block.company_id:
        raise ValidationError(_("%(block)s is not assigned.") % {"block": block})
    if company is not None and block.company_id != company.pk:
        raise ValidationError(_("%(block)s is not held by %(company)s.") % {"block": block, "company": company})
    for current in Assignment.objects.current().filter(prefix=block):
        _close(current, actor=actor, reason=reason, when=when)
    for record in block.addresses.filter(status=IPAddressStatus.ASSIGNED, company=block.company):
        ip_release(address=record, actor=actor, reason=reason, when=when)
    block.company = None
    block.save(update_fields=["company", "last_updated"])
    block.addresses.update(company=None)
    return block


# --- the generated admin's and API's writes (named by ipam/specs.py) ---------------------------------------
# Validated by the models (bounds, overlaps, containing prefix). Prefixes and addresses also keep the per-prefix
# figures (``ipam.counters``) right in the same transaction; deletes do so through ``ipam.signals``.

rir_record_create, rir_update, rir_delete = plain_services(RIR)
aggregate_record_create, aggregate_update, aggregate_delete = plain_services(Aggregate)
vlan_record_create, vlan_update, vlan_delete = plain_services(VLAN)
ipjustification_record_create, ipjustification_update, ipjustification_delete = plain_services(IPJustification)


@transaction.atomic
def prefix_record_create(**fields) -> Prefix:
    """Create a prefix from its fields (generated admin and API); the containers around it count its space."""
    prefix = instance_save(Prefix(), **fields)
    counters.prefix_added(prefix)
    return prefix


@transaction.atomic
def prefix_update(*, record: Prefix, **fields) -> Prefix:
    """Change a prefix (``record``: its field ``prefix`` is the CIDR); it and the containers around its old and
    new place are recounted."""
    old_network = Prefix.objects.filter(pk=record.pk).values_list("prefix", flat=True).first()
    prefix = instance_save(record, **fields)
    counters.prefix_changed(prefix, old_network=old_network)
    return prefix


@transaction.atomic
def prefix_delete(*, record: Prefix) -> None:
    """Delete a prefix; the containers around it are recounted (``ipam.signals``)."""
    instance_delete(record)


def _address_figures(prefix_id: int | None, status: str, sign: int) -> None:
    if prefix_id is not None:
        counters.records_added(prefix_id=prefix_id, records=sign, held=sign if status in HELD_STATUSES else 0)


@transaction.atomic
def ipaddress_record_create(**fields) -> IPAddress:
    """Record an address from its fields (generated admin and API); its subnet's figures move by one."""
    record = instance_save(IPAddress(), **fields)
    _address_figures(record.prefix_id, record.status, +1)
    return record


@transaction.atomic
def ipaddress_update(*, record: IPAddress, **fields) -> IPAddress:
    """Change an address record; when it moves to another subnet (or changes status) the figures follow it."""
    before = IPAddress.objects.filter(pk=record.pk).values("prefix_id", "status").first()
    record = instance_save(record, **fields)
    if before is not None and (before["prefix_id"], before["status"]) != (record.prefix_id, record.status):
        _address_figures(before["prefix_id"], before["status"], -1)
        _address_figures(record.prefix_id, record.status, +1)
    return record


@transaction.atomic
def ipaddress_delete(*, record: IPAddress) -> None:
    """Delete an address record; its subnet's figures move by one (``ipam.signals``)."""
    instance_delete(record)
