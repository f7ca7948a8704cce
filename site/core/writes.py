"""How the generated admin and API write: only through the services a spec names.

A :class:`~core.registry.ModelSpec` names up to three services (the contract in the README's "How the code is
organised"):

* ``create``  called as ``service(**fields)``                     -> the new instance
* ``update``  called as ``service(<instance_arg>=obj, **fields)`` -> the instance
* ``delete``  called as ``service(<instance_arg>=obj)``

``fields`` are model field names (foreign keys as instances, many-to-many as lists); ``actor`` (the signed-in
user) is passed too when the service names an ``actor`` parameter. A service that takes no ``**kwargs`` is
passed only the fields it names, so a form or serializer with more fields (``description``, ``comments``) does
not make it fail. A service refuses bad input with :class:`django.core.exceptions.ValidationError`; the API
turns it into a 400 (:mod:`core.api.exceptions`), the admin into form errors (:func:`form_errors`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models


@cache
def _parameters(service: Callable) -> tuple[frozenset[str], bool]:
    """The keyword names ``service`` accepts, and whether it takes ``**kwargs`` too."""
    parameters = inspect.signature(service).parameters.values()
    names = frozenset(p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))
    return names, any(p.kind is p.VAR_KEYWORD for p in parameters)


def accepts(service: Callable, name: str) -> bool:
    """Whether ``service`` names the keyword parameter ``name`` (``**kwargs`` does not count)."""
    return name in _parameters(service)[0]


def call_service(service: Callable, /, *, actor=None, **kwargs) -> Any:
    """Call ``service`` with the keywords it accepts, plus ``actor`` when it names one."""
    names, open_ended = _parameters(service)
    if not open_ended:
        kwargs = {name: value for name, value in kwargs.items() if name in names}
    if "actor" in names:
        kwargs["actor"] = actor
    return service(**kwargs)


def instance_arg(spec) -> str:
    """The keyword an update or delete service receives the instance under (the model's lower-case name)."""
    return spec.instance_arg or spec.model._meta.model_name


def model_field_names(model: type[models.Model]) -> frozenset[str]:
    """Names a service may receive: editable concrete fields and many-to-many fields."""
    opts = model._meta
    fields = [*opts.concrete_fields, *opts.many_to_many]
    return frozenset(f.name for f in fields if f.editable and not f.auto_created)


def writable_fields(
    model: type[models.Model], values: dict, names: Iterable[str] | None = None, service: Callable | None = None
) -> dict:
    """``values`` narrowed to the model's fields and to what ``service`` names as parameters (a form's or
    serializer's own fields, such as a ticket's first ``body``), and to ``names`` if given; querysets become
    lists."""
    allowed = model_field_names(model)
    if service is not None:
        allowed = allowed | _parameters(service)[0]
    allowed = allowed - {"actor"}  # the signed-in user is passed as actor, never a field of that name
    wanted = allowed if names is None else allowed & set(names)
    return {
        name: list(value) if isinstance(value, models.QuerySet) else value
        for name, value in values.items()
        if name in wanted
    }


def create(spec, *, fields: dict, actor=None):
    """Create through the spec's ``create`` service."""
    return call_service(spec.create, actor=actor, **fields)


def update(spec, *, instance, fields: dict, actor=None):
    """Update ``instance`` through the spec's ``update`` service."""
    return call_service(spec.update, actor=actor, **{instance_arg(spec): instance}, **fields)


def delete(spec, *, instance, actor=None):
    """Delete ``instance`` through the spec's ``delete`` service."""
    return call_service(spec.delete, actor=actor, **{instance_arg(spec): instance})


def error_messages(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as ``{field: [messages]}``; messages without a field under ``NON_FIELD_ERRORS``."""
    if hasattr(error, "error_dict"):
        return {name: list(ValidationError(errors).messages) for name, errors in error.error_dict.items()}
    return {NON_FIELD_ERRORS: list(error.messages)}


def error_text(error: Exception) -> str:
    """One line for a message banner: every message of a ValidationError without field names (any other
    refusal, such as PermissionDenied, as its text)."""
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def form_errors(form, error: ValidationError) -> None:
    """Show ``error`` on ``form``: on the fields it names that the form has, the rest above the form."""
    for name, messages in error_messages(error).items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
