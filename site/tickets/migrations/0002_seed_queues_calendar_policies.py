"""Seed the four queues, a default business calendar (Mon–Fri 09:00–18:00 UTC), a 24×7 calendar for urgent
tickets, the standard SLA policies, a few canned replies, and the django-q2 schedule of the SLA check
(every five minutes). Everything is get-or-create, so it is safe on databases that already have rows."""

from datetime import time

from django.db import migrations

QUEUES = [
    ("Support", "support", "support@serverstock.example"),
    ("Billing", "billing", "billing@serverstock.example"),
    ("Provisioning", "provisioning", "provisioning@serverstock.example"),
    ("NOC", "noc", "noc@serverstock.example"),
]
# priority: (name, first response minutes, resolution minutes, calendar)
POLICIES = {
    "low": ("Standard · low", 8 * 60, 5 * 9 * 60, "Business hours"),
    "normal": ("Standard · normal", 4 * 60, 3 * 9 * 60, "Business hours"),
    "high": ("Standard · high", 60, 9 * 60, "Business hours"),
    "urgent": ("Standard · urgent", 30, 4 * 60, "Round the clock"),
}
CANNED = [
    (
        "Received, looking into it",
        "Hello {requester},\n\nThank you for ticket {number}. We are looking into it and will get back to you "
        "shortly.\n\nKind regards,\nServerStock support",
    ),
    (
        "Need more information",
        "Hello {requester},\n\nTo continue with {number} we need a little more information: which server (hostname "
        "or asset tag) is affected, and since when?\n\nKind regards,\nServerStock support",
    ),
    (
        "Remote hands done",
        "Hello {requester},\n\nThe remote-hands work for {number} is done. The time spent is on your next invoice."
        "\n\nKind regards,\nServerStock support",
    ),
]
SCHEDULE_NAME = "tickets: SLA check"


def seed(apps, schema_editor):
    Queue = apps.get_model("tickets", "Queue")
    BusinessCalendar = apps.get_model("tickets", "BusinessCalendar")
    WorkingHours = apps.get_model("tickets", "WorkingHours")
    SLAPolicy = apps.get_model("tickets", "SLAPolicy")
    CannedReply = apps.get_model("tickets", "CannedReply")
    Schedule = apps.get_model("django_q", "Schedule")

    for name, slug, email in QUEUES:
        Queue.objects.get_or_create(slug=slug, defaults={"name": name, "email": email})

    business, created = BusinessCalendar.objects.get_or_create(
        name="Business hours", defaults={"time_zone": "UTC", "is_default": True}
    )
    if created:
        for weekday in range(5):
            WorkingHours.objects.create(calendar=business, weekday=weekday, start=time(9), end=time(18))
    always, created = BusinessCalendar.objects.get_or_create(name="Round the clock", defaults={"time_zone": "UTC"})
    if created:
        for weekday in range(7):
            WorkingHours.objects.create(calendar=always, weekday=weekday, start=time(0), end=time(0))
    calendars = {"Business hours": business, "Round the clock": always}

    for priority, (name, first_response, resolution, calendar) in POLICIES.items():
        SLAPolicy.objects.get_or_create(
            priority=priority,
            company=None,
            defaults={
                "name": name,
                "first_response_minutes": first_response,
                "resolution_minutes": resolution,
                "calendar": calendars[calendar],
            },
        )

    for title, body in CANNED:
        CannedReply.objects.get_or_create(title=title, defaults={"body": body})

    Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "tickets.tasks.sla_check", "schedule_type": "I", "minutes": 5, "repeats": -1},
    )


def unseed_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(seed, unseed_schedule)]
