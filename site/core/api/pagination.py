"""The API's pagination: limit/offset with bounds, so an absurd ``?limit=`` or ``?offset=`` is not a 500."""

from rest_framework.pagination import LimitOffsetPagination

# Beyond any table's row count (an offset past the count gives an empty page, whatever the table).
MAX_OFFSET = 10**12


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``?limit=`` is capped at ``max_limit``; ``?offset=`` beyond any table gives an empty page.

    The page is read before the total: a page that holds rows but fewer than the limit ends the list, so the total
    is its offset plus its length and no ``COUNT(*)`` is asked (most customers' lists fit on one page). A full
    page, or an empty one past the start, still asks for the count. The answer is the same either way.
    """

    max_limit = 1000

    def get_offset(self, request):
        return min(super().get_offset(request), MAX_OFFSET)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        page = list(queryset[self.offset : self.offset + self.limit])
        if len(page) < self.limit and (page or self.offset == 0):
            self.count = self.offset + len(page)
        else:
            self.count = self.get_count(queryset)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.count == 0 or self.offset > self.count:
            return []
        return page
