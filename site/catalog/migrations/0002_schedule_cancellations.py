"""The daily django-q2 schedule that cancels services on their cancellation's effective date (get-or-create)."""

from django.db import migrations

SCHEDULE_NAME = "catalog: cancellations due"


def seed(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "catalog.tasks.cancellations_due", "schedule_type": "D", "repeats": -1},
    )


def unseed(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
