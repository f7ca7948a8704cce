"""Device history no longer copies secrets: blank every stored copy, then drop the columns.

The values are overwritten before the columns go so that no copy survives in the table (on PostgreSQL,
a ``VACUUM FULL dcim_historicaldevice`` afterwards also reclaims the old row versions).
"""

from django.db import migrations

SECRET_COLUMNS = ("snmp_community", "snmp_auth_key", "snmp_priv_key", "ipmi_password", "root_password")


def purge_history_secrets(apps, schema_editor):
    HistoricalDevice = apps.get_model("dcim", "HistoricalDevice")
    HistoricalDevice.objects.update(**{name: "" for name in SECRET_COLUMNS})


class Migration(migrations.Migration):
    dependencies = [("dcim", "0006_remove_outlet_device")]

    operations = [
        migrations.RunPython(purge_history_secrets, migrations.RunPython.noop, elidable=False),
        *(migrations.RemoveField(model_name="historicaldevice", name=name) for name in SECRET_COLUMNS),
    ]
