"""Services of the test-only Widget: they leave a mark, so tests can tell a write went through them."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.services import instance_delete, instance_save
from tests.testapp.models import Widget

REFUSED_NAME = "refused"
KEPT_NAME = "kept"


@transaction.atomic
def widget_create(*, company, name: str, actor=None, **fields) -> Widget:
    """Create a widget; its description says who made it."""
    if name == REFUSED_NAME:
        raise ValidationError({"name": "That name is refused."})
    return instance_save(Widget(company=company), name=name, **{**fields, "description": f"created by {actor}"})


@transaction.atomic
def widget_update(*, widget: Widget, actor=None, **fields) -> Widget:
    """Change a widget; refuses one name, and marks who changed it."""
    if fields.get("name") == REFUSED_NAME:
        raise ValidationError({"name": "That name is refused."})
    return instance_save(widget, **{**fields, "description": f"updated by {actor}"})


@transaction.atomic
def widget_delete(*, widget: Widget) -> None:
    """Delete a widget, unless it is one to keep (a refusal with no field)."""
    if widget.name == KEPT_NAME:
        raise ValidationError("This widget is kept.")
    instance_delete(widget)
