"""Create the staff groups. Their permissions are assigned by ``accounts.services.staff_groups_sync`` after
every migrate (permissions themselves only exist once Django's post-migrate step has created them)."""

from django.db import migrations

STAFF_GROUPS = ["Administrator", "Billing", "Support technician", "NOC"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in STAFF_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
