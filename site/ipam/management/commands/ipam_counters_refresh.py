"""Recount the per-prefix figures that utilisation and next-free read (``ipam.counters``)."""

import time

from django.core.management.base import BaseCommand

from ipam import services


class Command(BaseCommand):
    help = "Recount every prefix's address records, held records and container space from the rows."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = services.prefix_counters_refresh()
        self.stdout.write(f"Recounted the figures of {count:,} prefixes in {time.perf_counter() - started:.1f} s.")
