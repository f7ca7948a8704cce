"""Model instances from hand-written SQL: for the few reads so hot that building the ORM's statement costs more
than the database's answer (an address's status at a million addresses, every API request's token). The columns
are named from the models themselves, and rows become instances through the ORM's own converters
(``Model.from_db``), so callers get the same objects as from a queryset, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from django.db import connection


class ModelColumns:
    """Some columns of one model under a table alias: their SQL, and the rows they read turned into instances."""

    def __init__(self, model, names, alias: str) -> None:
        quote = connection.ops.quote_name
        self.model = model
        # In the model's field order: ``Model.from_db`` fills a partial row in that order.
        fields = {model._meta.get_field(name) for name in names}
        self.fields = [field for field in model._meta.concrete_fields if field in fields]
        self.attnames = [field.attname for field in self.fields]
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)
        self.width = len(self.fields)
        self.pk_index = self.fields.index(model._meta.pk)
        self.columns = [field.get_col(model._meta.db_table) for field in self.fields]

    def converters(self):
        """The backend's and each field's converters, as the ORM's compiler applies them (datetimes made aware
        on SQLite, booleans from integers…). Asked of this thread's connection each time (a few microseconds)."""
        converters = []
        for index, (field, column) in enumerate(zip(self.fields, self.columns, strict=True)):
            functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if functions:
                converters.append((index, column, functions))
        return converters

    def instance(self, row, start: int = 0):
        """The instance read from ``row[start:start + width]``, or None when its id is NULL (an outer join)."""
        values = list(row[start : start + self.width])
        if values[self.pk_index] is None:
            return None
        for index, column, functions in self.converters():
            for function in functions:
                values[index] = function(values[index], column, connection)
        return self.model.from_db(connection.alias, self.attnames, values)
