"""Chainable reads of the catalog models."""

from django.db import models

from catalog.choices import CURRENT_STATUSES


class ProductQuerySet(models.QuerySet):
    def offered(self):
        """Products a customer may order: active, orderable, in an active category."""
        return self.filter(is_active=True, is_orderable=True, category__is_active=True)


class PlanQuerySet(models.QuerySet):
    def offered(self):
        """Plans a customer may order: active plans of offered products."""
        return self.filter(
            is_active=True, product__is_active=True, product__is_orderable=True, product__category__is_active=True
        )


class ServiceQuerySet(models.QuerySet):
    def current(self):
        """Services the customer still has (not cancelled or terminated)."""
        return self.filter(status__in=CURRENT_STATUSES)
