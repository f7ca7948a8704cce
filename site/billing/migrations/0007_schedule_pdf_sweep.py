"""Schedule the hourly sweep that queues again the invoice PDFs the task queue refused or lost; get-or-create."""

from django.db import migrations

SCHEDULE_NAME = "billing: PDFs the queue lost"


def seed(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "billing.tasks.invoices_pdf_sweep", "schedule_type": "H", "repeats": -1},
    )


def unseed(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0006_schedule_overdue")]

    operations = [migrations.RunPython(seed, unseed)]
