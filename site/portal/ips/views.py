"""Portal pages of a customer's IP space: their blocks and addresses, with the ARIN justification of each."""

from django.http import Http404
from django.shortcuts import render

from core.tenancy import for_user
from ipam import selectors
from ipam.models import IPAddress, Prefix
from portal.views import member_required


@member_required()
def ips(request, membership):
    company = membership.company
    blocks = selectors.company_prefixes(for_user(Prefix, request.user, company=company, staff_scope=False))
    addresses = selectors.address_table(
        for_user(IPAddress, request.user, company=company, staff_scope=False), limit=500
    )
    return render(request, "portal/ips/list.html", {"blocks": blocks, "addresses": addresses})


@member_required()
def ip_block_detail(request, pk, membership):
    block = (
        for_user(Prefix, request.user, company=membership.company, staff_scope=False)
        .prefetch_related(selectors.current_assignments_prefetch())
        .filter(pk=pk)
        .first()
    )
    if block is None:
        raise Http404
    result = selectors.ip_search(block.prefix)
    # Only rows inside this customer's block: the search also lists neighbouring prefixes for staff.
    rows = [row for row in result.addresses if row.company is None or row.company == membership.company]
    return render(request, "portal/ips/block.html", {"ipblock": block, "rows": rows, "truncated": result.truncated})
