"""``python manage.py bill --date YYYY-MM-DD``: the recurring run for that date, with progress and a summary."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Bill every service due for the month before --date (default today); safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="run_date", help="Run date, YYYY-MM-DD (default: today).")
        parser.add_argument("--company", type=int, action="append", help="Only this company id (repeatable).")
        parser.add_argument("--no-pdf", action="store_true", help="Do not queue PDF rendering.")

    def handle(self, *args, run_date=None, company=None, no_pdf=False, **options):
        from billing.services.runs import billing_run, period_due

        try:
            day = date.fromisoformat(run_date) if run_date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must look like 2025-03-01, not {run_date!r}.") from None
        start, end = period_due(day)
        self.stdout.write(f"Billing {start:%Y-%m-%d} to {end:%Y-%m-%d} (exclusive)…")
        width = 30

        def progress(done: int, total: int) -> None:
            filled = int(width * done / total) if total else width
            self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} companies", ending="")
            self.stdout.flush()

        result = billing_run(run_date=day, company_ids=company, progress=progress, render_pdfs=not no_pdf)
        if result.companies:
            self.stdout.write("")
        for error in result.errors:
            self.stderr.write(f"  ! {error}")
        self.stdout.write(self.style.SUCCESS(result.summary()))
