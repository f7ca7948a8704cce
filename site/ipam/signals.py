"""Deletes keep the per-prefix figures right (``ipam.counters``): signals only maintain counters here.

The admin's and the API's deletes (one object or a changelist selection) send ``post_delete`` for every row.
"""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from ipam import counters
from ipam.choices import HELD_STATUSES
from ipam.models import IPAddress, Prefix


@receiver(post_delete, sender=IPAddress, dispatch_uid="ipam_address_deleted")
def address_deleted(sender, instance, **kwargs):
    counters.records_added(prefix_id=instance.prefix_id, records=-1, held=-1 if instance.status in HELD_STATUSES else 0)


@receiver(post_delete, sender=Prefix, dispatch_uid="ipam_prefix_deleted")
def prefix_deleted(sender, instance, **kwargs):
    counters.containers_recount(counters.containers_around(instance.prefix))
