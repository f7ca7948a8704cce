"""Reusable reads of the accounts app."""

from django.db import models
from django.utils import timezone


class CompanyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status="active")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True).exclude(company__status="closed")


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )
