"""Write the ARIN report as two CSV files (utilisation per aggregate/prefix, per-customer reassignments), and
optionally as PDF."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from ipam import reports


class Command(BaseCommand):
    help = "Write arin-utilisation.csv and arin-reassignments.csv (utilisation and justifications) for ARIN."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default=".", help="Directory for the two CSV files (default: here).")
        parser.add_argument(
            "--pdf", action="store_true", help="Also write arin-report.pdf (whatever its size; allow ~0.5 s a page)."
        )

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} aggregates")
        if done == total:
            sys.stderr.write("\n")

    def handle(self, *args, output_dir: str = ".", pdf: bool = False, **options):
        target = Path(output_dir)
        target.mkdir(parents=True, exist_ok=True)
        rows = reports.utilisation_rows(progress=self._progress)
        utilisation = target / "arin-utilisation.csv"
        utilisation.write_text(reports.to_csv(reports.UTILISATION_HEADER, (row.as_list() for row in rows)))
        reassignments = reports.reassignment_rows()
        reassignment_file = target / "arin-reassignments.csv"
        reassignment_file.write_text(reports.to_csv(reports.REASSIGNMENT_HEADER, reassignments))
        if pdf:
            from ipam.pdf import render_arin_report_pdf

            pdf_file = target / "arin-report.pdf"
            pdf_file.write_bytes(render_arin_report_pdf(utilisation=rows, reassignments=reassignments, max_rows=None))
            self.stdout.write(f"PDF written to {pdf_file}.")
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
