"""Schedule the bandwidth month end (on the 1st: last month's usage, overage charges, the report e-mail) and the
hourly refresh of the running month's figures; get-or-create, so each exists once on every database."""

from datetime import datetime, time, timedelta

from django.db import migrations
from django.utils import timezone

MONTH_END = "monitoring: bandwidth month end"
REFRESH = "monitoring: bandwidth usage refresh"


def next_first_of_month():
    """00:30 on the next 1st in the site's time zone (after the month's last samples are in)."""
    today = timezone.localdate()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(0, 30), tzinfo=timezone.get_default_timezone())


def seed(apps, schema_editor):
    schedule = apps.get_model("django_q", "Schedule")
    schedule.objects.get_or_create(
        name=MONTH_END,
        defaults={
            "func": "monitoring.tasks.bandwidth_month_end",
            "schedule_type": "M",
            "next_run": next_first_of_month(),
            "repeats": -1,
        },
    )
    schedule.objects.get_or_create(
        name=REFRESH,
        defaults={"func": "monitoring.tasks.bandwidth_usage_refresh", "schedule_type": "H", "repeats": -1},
    )


def unseed(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=[MONTH_END, REFRESH]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0002_bandwidth_usage_notices_abuse_reports"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
