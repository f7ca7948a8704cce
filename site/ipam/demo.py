"""Demo IP space: ARIN documentation ranges, subnets, Acme and Globex assignments with justifications."""

from accounts.models import Company
from core.demo import demo_step
from ipam import services
from ipam.choices import IPAddressStatus, PrefixRole, PrefixStatus
from ipam.models import RIR, VLAN, Aggregate, IPAddress, Prefix

AGGREGATES = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"]
# (prefix, status, role, create address records)
PREFIXES = [
    ("192.0.2.0/24", PrefixStatus.CONTAINER, "", False),
    ("192.0.2.0/28", PrefixStatus.ACTIVE, PrefixRole.INFRASTRUCTURE, True),
    ("198.51.100.0/24", PrefixStatus.ACTIVE, PrefixRole.CUSTOMER, True),
    ("203.0.113.0/24", PrefixStatus.CONTAINER, "", False),
    ("203.0.113.248/29", PrefixStatus.RESERVED, PrefixRole.INFRASTRUCTURE, False),
    ("2001:db8::/48", PrefixStatus.CONTAINER, "", False),
    ("2001:db8:0:ff::/64", PrefixStatus.ACTIVE, PrefixRole.INFRASTRUCTURE, False),
]
# (block or address, company, purpose, hosts now, in 6 months, in 12 months)
ASSIGNMENTS = [
    (
        "192.0.2.64/27",
        "Acme Hosting",
        "Shared web hosting cluster (virtual hosts, one address per TLS site)",
        20,
        26,
        30,
    ),
    ("2001:db8:0:1::/64", "Acme Hosting", "IPv6 for the shared hosting cluster", 20, 26, 30),
    ("198.51.100.10", "Acme Hosting", "Mail relay", 1, 1, 1),
    ("198.51.100.11", "Acme Hosting", "Customer VPN concentrator", 1, 1, 1),
    ("192.0.2.96/29", "Globex", "Dedicated servers behind a firewall (NAT for the office)", 5, 6, 6),
    ("2001:db8:0:2::/64", "Globex", "IPv6 for the dedicated servers", 5, 6, 6),
    ("198.51.100.20", "Globex", "Public web server", 1, 1, 1),
]
RESERVED = [
    ("198.51.100.1", "Default gateway (VRRP virtual address)"),
    ("198.51.100.2", "Core router A"),
    ("198.51.100.3", "Core router B"),
    ("192.0.2.1", "Management gateway"),
]


def _company(name: str) -> Company | None:
    return Company.objects.filter(name=name).first()


@demo_step("IP addresses", order=30)
def load_ipam() -> str:
    """ARIN space, subnets, customer blocks and addresses with justifications, reserved gateways."""
    rir = RIR.objects.filter(slug="arin").first() or services.rir_create(name="ARIN", slug="arin")
    for prefix in AGGREGATES:
        if not Aggregate.objects.filter(prefix=prefix).exists():
            services.aggregate_create(prefix=prefix, rir=rir, description="ARIN allocation (documentation range)")
    vlan = VLAN.objects.filter(vid=100).first() or services.vlan_create(vid=100, name="customers")
    for prefix, status, role, records in PREFIXES:
        if not Prefix.objects.filter(prefix=prefix).exists():
            services.prefix_add(
                prefix=prefix,
                status=status,
                role=role,
                vlan=vlan if role == PrefixRole.CUSTOMER else None,
                create_addresses=records,
            )
    for target, company_name, purpose, now, six, twelve in ASSIGNMENTS:
        company = _company(company_name)
        if company is None:
            continue
        fields = {"purpose": purpose, "hosts_now": now, "hosts_in_6_months": six, "hosts_in_12_months": twelve}
        if "/" in target:
            if not Prefix.objects.filter(prefix=target, company__isnull=False).exists():
                services.block_assign(prefix=target, company=company, justification_fields=fields, reason="demo")
        elif not IPAddress.objects.filter(address=target, status=IPAddressStatus.ASSIGNED).exists():
            services.ip_assign(address=target, company=company, justification_fields=fields, reason="demo")
    for address, reason in RESERVED:
        if not IPAddress.objects.filter(address=address, status=IPAddressStatus.RESERVED).exists():
            services.ip_reserve(address=address, reason=reason)
    return (
        f"{Aggregate.objects.count()} aggregates, {Prefix.objects.count()} prefixes, "
        f"{IPAddress.objects.held().count()} addresses in use or reserved"
    )
