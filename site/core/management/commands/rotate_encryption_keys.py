"""Re-encrypt every encrypted field under the newest key of FIELD_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand
from django.db import transaction

from core.fields import encrypted_fields


class Command(BaseCommand):
    help = (
        "Re-encrypt all stored secrets with the first (newest) key in FIELD_ENCRYPTION_KEYS. Afterwards the older "
        "keys can be removed from the list."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int = 500, **options):
        from core.services import encrypted_rows_rotate

        total = 0
        targets = encrypted_fields()
        for number, (model, names) in enumerate(targets, start=1):
            with transaction.atomic():
                count = encrypted_rows_rotate(model=model, field_names=names, batch_size=batch_size)
            total += count
            self.stdout.write(f"[{number}/{len(targets)}] {model._meta.label}: {count} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} rows in {len(targets)} models."))
