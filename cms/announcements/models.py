"""Service announcements: maintenance windows, incidents and news, for the public site or for customers."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.announcements.choices import Audience, Severity
from cms.announcements.querysets import AnnouncementQuerySet
from core.models import TimestampedModel


class Announcement(index.Indexed, TimestampedModel):
    """One announcement, shown while ``display_from <= now < display_until`` to its audience.

    ``site_reference`` names a datacenter site loosely (DCIM's site slug) so that announcements work before
    and without DCIM; it is compared case-insensitively with the sites a company has equipment in.
    """

    title = models.CharField(_("title"), max_length=160)
    summary = models.CharField(_("summary"), max_length=300, help_text=_("One or two sentences shown in lists."))
    body = RichTextField(_("details"), blank=True, features=["bold", "italic", "link", "ul", "ol"])
    severity = models.CharField(_("kind"), max_length=20, choices=Severity.choices, default=Severity.NEWS)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC)
    site_reference = models.SlugField(
        _("datacenter site"),
        max_length=100,
        blank=True,
        help_text=_("The DCIM site's slug, e.g. ash1; only for the audience 'customers of one site'."),
    )
    display_from = models.DateTimeField(_("show from"), default=timezone.now)
    display_until = models.DateTimeField(_("show until"), null=True, blank=True)
    event_starts = models.DateTimeField(
        _("window starts"), null=True, blank=True, help_text=_("When the maintenance or incident begins.")
    )
    event_ends = models.DateTimeField(_("window ends"), null=True, blank=True)

    objects = AnnouncementQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldRowPanel([FieldPanel("severity"), FieldPanel("audience"), FieldPanel("site_reference")]),
        MultiFieldPanel([FieldRowPanel([FieldPanel("display_from"), FieldPanel("display_until")])], heading=_("Shown")),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("event_starts"), FieldPanel("event_ends")])],
            heading=_("Maintenance or incident window"),
        ),
    ]
    search_fields = [index.SearchField("title"), index.SearchField("summary"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-display_from", "-pk"]
        indexes = [models.Index(fields=["audience", "display_from"])]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        self.site_reference = (self.site_reference or "").strip().lower()
        if self.audience == Audience.SITE and not self.site_reference:
            raise ValidationError({"site_reference": _("Name the datacenter site whose customers should see this.")})
        if self.display_until and self.display_from and self.display_until <= self.display_from:
            raise ValidationError({"display_until": _("'Show until' must be after 'show from'.")})
        if self.event_starts and self.event_ends and self.event_ends <= self.event_starts:
            raise ValidationError({"event_ends": _("The window must end after it starts.")})
