"""IPAM objects for tests, made through the services (the generic suites use the registered ones)."""

import itertools

from ipam import services
from ipam.models import RIR, VLAN, Aggregate, Assignment, IPAddress, IPJustification, Prefix
from tests.factories import register_factory, register_foreign_portal_object

_blocks = itertools.count()


def documentation_space() -> Aggregate:
    """ARIN as RIR and the three IPv4 documentation /24s plus 2001:db8::/32 as aggregates (idempotent)."""
    rir = RIR.objects.filter(slug="arin").first() or services.rir_create(name="ARIN", slug="arin")
    first = None
    for prefix in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"):
        aggregate = Aggregate.objects.filter(prefix=prefix).first() or services.aggregate_create(prefix=prefix, rir=rir)
        first = first or aggregate
    private = RIR.objects.filter(slug="rfc1918").first() or services.rir_create(
        name="RFC 1918", slug="rfc1918", is_private=True
    )
    if not Aggregate.objects.filter(prefix="10.0.0.0/8").exists():
        services.aggregate_create(prefix="10.0.0.0/8", rir=private)
    return first


def justification_for(company, **fields) -> IPJustification:
    defaults = {"purpose": "Web hosting", "hosts_now": 4, "hosts_in_6_months": 6, "hosts_in_12_months": 8}
    return services.justification_create(company=company, **{**defaults, **fields})


def customer_block(company) -> Prefix:
    """A fresh /29 in 10/8, assigned to ``company`` with a justification."""
    documentation_space()
    number = next(_blocks)
    prefix = f"10.{number // 32 % 256}.{number % 32}.{number // 8192 * 8 % 256}/29"
    assignment = services.block_assign(prefix=prefix, company=company, justification=justification_for(company))
    return assignment.prefix


@register_factory(Prefix)
def make_prefix(company) -> Prefix:
    return customer_block(company)


@register_factory(IPAddress)
def make_address(company) -> IPAddress:
    block = customer_block(company)
    first, _last = block.usable_range()
    import ipaddress

    return services.ip_assign(address=str(ipaddress.IPv4Address(first)), company=company).address


@register_factory(Assignment)
def make_assignment(company) -> Assignment:
    return customer_block(company).assignments.get()


@register_factory(IPJustification)
def make_justification(company) -> IPJustification:
    return justification_for(company)


@register_foreign_portal_object("ip_block_detail")
def _globex_block(globex, bob):
    return [customer_block(globex).pk]


# --- registries, aggregates and VLANs, through the services ------------------------------------------------


@register_factory(RIR)
def rir_for(company) -> RIR:
    number = next(_blocks)
    return services.rir_create(name=f"Registry {number}", slug=f"registry-{number}")


@register_factory(Aggregate)
def aggregate_for(company) -> Aggregate:
    number = next(_blocks)
    return services.aggregate_create(prefix=f"100.{64 + number // 256 % 64}.{number % 256}.0/24", rir=rir_for(company))


@register_factory(VLAN)
def vlan_for(company) -> VLAN:
    number = next(_blocks)
    return services.vlan_create(vid=2 + number % 4000, name=f"VLAN {number}")
