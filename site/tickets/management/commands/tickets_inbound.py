"""Turn a received e-mail into a reply on its ticket: ``manage.py tickets_inbound [FILE]`` (stdin without FILE).

Wire it to the mail server's delivery for the reply address, e.g. in Postfix aliases:
``support: "|/srv/serverstock/.venv/bin/python /srv/serverstock/manage.py tickets_inbound"``.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from tickets import services


class Command(BaseCommand):
    help = "Read one RFC 822 e-mail (from FILE or stdin) and add it as a reply to the ticket it references."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The message file; standard input when omitted.")

    def handle(self, *args, file=None, **options):
        if file:
            try:
                with open(file, "rb") as handle:
                    raw = handle.read()
            except OSError as error:
                raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        else:
            raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("The message is empty; nothing was added.")
        try:
            message = services.ticket_reply_from_email(raw=raw)
        except services.InboundRefused as error:
            raise CommandError(f"Refused: {' '.join(error.messages)}") from error
        self.stdout.write(f"Added a reply from {message.author.email} to {message.ticket.number}.")
