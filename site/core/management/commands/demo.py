"""Load the demo data, idempotently (ARCHITECTURE.md: staff admin/billing/support/noc, Acme and Globex)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.demo import demo_steps


class Command(BaseCommand):
    help = "Create the demo users, companies and each app's demo data (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production, and the demo creates users with the password 'demo'. "
                "Run with --force if you really mean it."
            )
        steps = demo_steps()
        for number, step in enumerate(steps, start=1):
            with transaction.atomic():
                summary = step.run()
            self.stdout.write(f"[{number}/{len(steps)}] {step.name}: {summary}")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({len(steps)} steps)."))
