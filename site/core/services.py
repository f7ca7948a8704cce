"""Writes owned by core."""

from django.db import models, transaction


@transaction.atomic
def encrypted_rows_rotate(*, model: type[models.Model], field_names: list[str], batch_size: int = 500) -> int:
    """Re-encrypt ``field_names`` of every row of ``model`` under the newest key; returns the row count.

    Reading decrypts with any configured key and writing encrypts with the first, so reading each value and
    writing it back is the rotation. ``update()`` is used so no timestamps or history entries change.
    """
    count = 0
    queryset = model._default_manager.order_by("pk").only("pk", *field_names)
    for row in queryset.iterator(chunk_size=batch_size):
        values = {name: getattr(row, name) for name in field_names}
        model._default_manager.filter(pk=row.pk).update(**values)
        count += 1
    return count
