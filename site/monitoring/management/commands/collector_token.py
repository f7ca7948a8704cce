"""``manage.py collector_token NAME``: create a collector token and print it (shown only once)."""

from django.core.management.base import BaseCommand

from monitoring.services import collector_token_create


class Command(BaseCommand):
    help = "Create a collector token (for COLLECTOR_TOKEN) and print it once."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", default="collector")

    def handle(self, *args, name: str, **options):
        token, raw = collector_token_create(name=name)
        self.stderr.write(self.style.SUCCESS(f"Created collector token {token}; set COLLECTOR_TOKEN to:"))
        self.stdout.write(raw)
