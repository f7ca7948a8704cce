"""Write the ARIN report as two CSV files: utilisation per aggregate/prefix and per-customer reassignments."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from ipam import reports


class Command(BaseCommand):
    help = "Write arin-utilisation.csv and arin-reassignments.csv (utilisation and justifications) for ARIN."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default=".", help="Directory for the two CSV files (default: here).")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} aggregates")
        if done == total:
            sys.stderr.write("\n")

    def handle(self, *args, output_dir: str = ".", **options):
        target = Path(output_dir)
        target.mkdir(parents=True, exist_ok=True)
        rows = reports.utilisation_rows(progress=self._progress)
        utilisation = target / "arin-utilisation.csv"
        utilisation.write_text(reports.to_csv(reports.UTILISATION_HEADER, (row.as_list() for row in rows)))
        reassignments = reports.reassignment_rows()
        reassignment_file = target / "arin-reassignments.csv"
        reassignment_file.write_text(reports.to_csv(reports.REASSIGNMENT_HEADER, reassignments))
        aggregates = [row for row in rows if row.level == "aggregate"]
        for row in aggregates:
            self.stdout.write(
                f"{row.prefix:<20} {row.percent_used:5.1f}% used ({row.assigned} assigned, {row.reserved} reserved, "
                f"{row.free} free {row.unit})"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(aggregates)} aggregates, {len(rows) - len(aggregates)} prefixes, {len(reassignments)} "
                f"customer reassignments written to {utilisation} and {reassignment_file}."
            )
        )
