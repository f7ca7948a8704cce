"""Small input checks shared by views and serializers: ids as people and programs send them."""

from __future__ import annotations

# The largest id a BigAutoField holds (PostgreSQL bigint, SQLite INTEGER).
MAX_OBJECT_ID = 2**63 - 1


def object_id(value) -> int | None:
    """``value`` as an object id, or None when it cannot be one.

    Only ASCII digits count (``"²".isdigit()`` is true, but ``int("²")`` fails) and only up to ``MAX_OBJECT_ID``
    (a 25-digit id overflows the database's integer).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_OBJECT_ID else None
    text = str(value).strip() if value is not None else ""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_OBJECT_ID else None
