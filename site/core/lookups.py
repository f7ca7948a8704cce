"""Integer ``__in`` lookups that ignore values no integer column can hold.

Django answers ``pk=<25 digits>`` with an empty result (``IntegerFieldOverflow``) but passes the same value in
``pk__in=[...]`` to the database, which fails (SQLite: OverflowError, PostgreSQL: out of range), so a form's
multiple choice (``ModelMultipleChoiceField`` looks its choices up with ``pk__in``) answered 500. Such a value
matches no row, so it is dropped; a list of nothing but such values matches nothing.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            minimum, maximum = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            values = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((minimum is None or value >= minimum) and (maximum is None or value <= maximum))
            ]
            if self.rhs and not values:
                raise EmptyResultSet
            self.rhs = values
        return super().process_rhs(compiler, connection)


def install() -> None:
    """Register the lookup on every integer field (auto and big auto fields inherit it); from CoreConfig.ready."""
    IntegerField.register_lookup(IntegerFieldIn)
