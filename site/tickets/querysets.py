"""Reusable reads of the tickets app."""

from django.db import models

from tickets.choices import DONE_STATUSES


class TicketQuerySet(models.QuerySet):
    def open(self):
        """Tickets still being worked (neither resolved nor closed)."""
        return self.exclude(status__in=DONE_STATUSES)

    def for_list(self):
        """With what ticket lists show."""
        return self.select_related("company", "queue", "assignee", "requester")


class MessageQuerySet(models.QuerySet):
    def public(self):
        """Replies only: what a customer may ever see of a thread."""
        return self.filter(is_internal=False)
