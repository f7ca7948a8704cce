"""Schedule the daily overdue handling (reminders, late fees, suspension and reactivation); get-or-create."""

from django.db import migrations

SCHEDULE_NAME = "billing: overdue handling"


def seed(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "billing.tasks.billing_overdue_daily", "schedule_type": "D", "repeats": -1},
    )


def unseed(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_overdue_emails_usage"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
