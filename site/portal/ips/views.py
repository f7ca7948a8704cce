"""Portal pages of a customer's IP space: their blocks and addresses, with the ARIN justification of each."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render

from core.tenancy import for_user
from ipam import selectors
from ipam.models import Assignment, IPAddress, Prefix
from portal.views import member_required

# The columns the address table of ``portal/ips/list.html`` reads.
ADDRESS_COLUMNS = (
    "address",
    "family",
    "value",
    "status",
    "dns_name",
    "company_id",
    "prefix",
    "prefix__prefix",
    "current_assignment",
    "current_assignment__started_at",
    "current_assignment__justification",
    "current_assignment__justification__purpose",
)


def _current_assignments():
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.current().select_related("justification"),
        to_attr="current_assignments",
    )


@member_required()
def ips(request, membership):
    company = membership.company
    blocks = selectors.company_prefixes(
        for_user(Prefix, request.user, company=company, staff_scope=False)
    ).prefetch_related(_current_assignments())
    addresses = (
        for_user(IPAddress, request.user, company=company, staff_scope=False)
        .held()
        .select_related("prefix", "current_assignment__justification")
        # Only what the table shows: four whole rows per address made the page the portal's costliest after the
        # dashboard (from_db and converters for ~60 columns a row).
        .only(*ADDRESS_COLUMNS)
        .order_by("family", "value")[:500]
    )
    return render(request, "portal/ips/list.html", {"blocks": blocks, "addresses": addresses})


@member_required()
def ip_block_detail(request, pk, membership):
    block = (
        for_user(Prefix, request.user, company=membership.company, staff_scope=False)
        .prefetch_related(_current_assignments())
        .filter(pk=pk)
        .first()
    )
    if block is None:
        raise Http404
    result = selectors.ip_search(block.prefix)
    # Only rows inside this customer's block: the search also lists neighbouring prefixes for staff.
    rows = [row for row in result.addresses if row.company is None or row.company == membership.company]
    return render(request, "portal/ips/block.html", {"ipblock": block, "rows": rows, "truncated": result.truncated})
