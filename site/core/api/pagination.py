"""The API's pagination: limit/offset with bounds, so an absurd ``?limit=`` or ``?offset=`` is not a 500."""

from rest_framework.pagination import LimitOffsetPagination

# Beyond any table's row count (an offset past the count gives an empty page before any query).
MAX_OFFSET = 10**12


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``?limit=`` is capped at ``max_limit``; ``?offset=`` beyond any table gives an empty page."""

    max_limit = 1000

    def get_offset(self, request):
        return min(super().get_offset(request), MAX_OFFSET)
