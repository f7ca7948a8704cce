"""Abstract base models every ServerStock model builds on (NetBox's ``PrimaryModel`` idea)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TimestampedModel(models.Model):
    """Adds creation and last-update timestamps."""

    created = models.DateTimeField(_("created"), auto_now_add=True, editable=False)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class PrimaryModel(TimestampedModel):
    """A business object: timestamps, a short description, free-form comments and a change history.

    ``HistoricalRecords(inherit=True)`` gives every concrete subclass its own historical table, so each
    change records who made it and when (shown in the admin's History view).
    """

    description = models.CharField(_("description"), max_length=200, blank=True)
    comments = models.TextField(_("comments"), blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
