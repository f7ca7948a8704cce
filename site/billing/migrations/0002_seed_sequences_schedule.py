"""Seed the gapless number sequences and the daily billing schedule (get-or-create: once per database)."""

from django.db import migrations

SCHEDULE_NAME = "billing: daily run"


def seed(apps, schema_editor):
    Sequence = apps.get_model("billing", "InvoiceNumberSequence")
    Schedule = apps.get_model("django_q", "Schedule")
    Sequence.objects.get_or_create(name="invoice", defaults={"prefix": "INV-", "next_value": 1, "digits": 6})
    Sequence.objects.get_or_create(name="credit_note", defaults={"prefix": "CN-", "next_value": 1, "digits": 6})
    Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "billing.tasks.billing_run_daily", "schedule_type": "D", "repeats": -1},
    )


def unseed(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
