import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters and cached stock must not leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()
