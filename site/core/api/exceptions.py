"""The API's one translation of service errors: a Django ValidationError becomes a 400 with its messages."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from core import writes

# The project's API has always answered a refusal that names no field as {"detail": [messages]}.
NON_FIELD_KEY = "detail"


def api_validation_error(error: DjangoValidationError) -> ValidationError:
    """``error`` as DRF's ValidationError: ``{field: [messages]}``, messages of no field under ``detail``."""
    messages = writes.error_messages(error)
    if NON_FIELD_ERRORS in messages:
        messages[NON_FIELD_KEY] = messages.pop(NON_FIELD_ERRORS)
    return ValidationError(messages)


def exception_handler(exc, context):
    """DRF's handler, plus services' ValidationErrors (raised anywhere in a view) as HTTP 400."""
    if isinstance(exc, DjangoValidationError):
        exc = api_validation_error(exc)
    return drf_exception_handler(exc, context)
