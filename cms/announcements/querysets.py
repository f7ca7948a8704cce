from django.db import models
from django.db.models import Q
from django.utils import timezone

from cms.announcements.choices import Audience


class AnnouncementQuerySet(models.QuerySet):
    def current(self, now=None):
        """Announcements whose display window contains ``now``."""
        now = now or timezone.now()
        return self.filter(display_from__lte=now).filter(Q(display_until__isnull=True) | Q(display_until__gt=now))

    def public(self):
        return self.filter(audience=Audience.PUBLIC)

    def for_customers_of_sites(self, site_references):
        """Public, all-customer and the given sites' announcements (site references compared case-insensitively)."""
        references = {str(reference).strip().lower() for reference in site_references if reference}
        condition = Q(audience__in=[Audience.PUBLIC, Audience.CUSTOMERS])
        if references:
            condition |= Q(audience=Audience.SITE, site_reference__in=references)
        return self.filter(condition)

    def newest_first(self):
        return self.order_by("-display_from", "-pk")
