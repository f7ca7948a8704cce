"""Orders whose totals lie beyond their money columns (placed before quantities were bounded) are rejected
and their totals zeroed, so that the pages listing them answer again; a line value beyond its column is reset.

Only SQLite could hold such rows (PostgreSQL refused them); reading one through the ORM fails, so this is SQL.
"""

from django.db import migrations

MONEY_MAX = 9999999999.99  # money columns: 12 digits, 2 decimals (floats: SQLite compares numbers to text as text)
QUANTITY_MAX = 99999999.99  # quantity column: 10 digits, 2 decimals
REASON = "Repaired: its total exceeded what an order may hold; place it again with a smaller quantity."


def repair(apps, schema_editor):
    connection = schema_editor.connection
    order_table = apps.get_model("catalog", "Order")._meta.db_table
    line_table = apps.get_model("catalog", "OrderLine")._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT {quote('order_id')} FROM {quote(line_table)} "  # noqa: S608 - our own table names
            f"WHERE ABS({quote('quantity')}) > %s OR ABS({quote('unit_recurring')}) > %s "
            f"OR ABS({quote('unit_one_time')}) > %s "
            f"OR ABS({quote('quantity')} * {quote('unit_recurring')}) > %s "
            f"OR ABS({quote('quantity')} * {quote('unit_one_time')}) > %s",
            [QUANTITY_MAX, MONEY_MAX, MONEY_MAX, MONEY_MAX, MONEY_MAX],
        )
        from_lines = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            f"SELECT {quote('id')} FROM {quote(order_table)} "  # noqa: S608
            f"WHERE ABS({quote('total_recurring')}) > %s OR ABS({quote('total_one_time')}) > %s",
            [MONEY_MAX, MONEY_MAX],
        )
        broken = from_lines | {row[0] for row in cursor.fetchall()}
        for order_id in sorted(broken):
            cursor.execute(
                f"UPDATE {quote(order_table)} SET {quote('total_recurring')} = 0, {quote('total_one_time')} = 0, "  # noqa: S608
                f"{quote('status')} = %s, {quote('decision_reason')} = %s WHERE {quote('id')} = %s",
                ["rejected", REASON, order_id],
            )
            for column, bound, value in (
                ("quantity", QUANTITY_MAX, 1),
                ("unit_recurring", MONEY_MAX, 0),
                ("unit_one_time", MONEY_MAX, 0),
            ):
                cursor.execute(
                    f"UPDATE {quote(line_table)} SET {quote(column)} = %s "  # noqa: S608
                    f"WHERE {quote('order_id')} = %s AND ABS({quote(column)}) > %s",
                    [value, order_id, bound],
                )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_server_return")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop, elidable=False)]
