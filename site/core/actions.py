"""Admin pages that take input and call one service, declared once: form + service + message + permission.

    suspend_detail = object_action(
        description=_("Suspend"), url_path="suspend", icon="pause",
        service=services.service_suspend, form=ReasonForm, message=_("%(object)s is suspended."),
    )

The page shows the form (``core/admin/service_form.html``); a valid POST calls the service with the object
(under its model's lower-case name, or ``instance_arg``), ``actor=request.user`` when the service names it, and
the form's cleaned data; the service's ValidationError or PermissionDenied comes back on the form (or as a
message when there is no form), nothing written; success shows ``message`` and goes back to the object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from core import writes

TEMPLATE = "core/admin/service_form.html"


def render_form(model_admin, request, form, title: str, submit: str, *, intro: str = "", back_url: str = ""):
    """The one page of every admin form that calls a service."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "form": form,
        "intro": intro,
        "submit_label": submit,
        "back_url": back_url,
    }
    return TemplateResponse(request, TEMPLATE, context)


def call_reporting(model_admin, request, call: Callable[[], Any], *, success, form=None) -> tuple[bool, Any]:
    """Run ``call``; show ``success`` (text, or ``success(result)``) or put the refusal on ``form`` (else a
    message). Returns whether it succeeded, and the result."""
    try:
        result = call()
    except (ValidationError, PermissionDenied) as error:
        refusal = error if isinstance(error, ValidationError) else ValidationError(str(error))
        if form is not None:
            writes.form_errors(form, refusal)
        else:
            model_admin.message_user(request, writes.error_text(refusal), messages.ERROR)
        return False, None
    text = success(result) if callable(success) else success
    if text:
        model_admin.message_user(request, text, messages.SUCCESS)
    return True, result


def run_form(model_admin, request, form, service: Callable, success) -> Any:
    """Call ``service(**form.cleaned_data)``; a refusal lands on the form. Returns the result, or None."""
    ok, result = call_reporting(model_admin, request, lambda: service(**form.cleaned_data), success=success, form=form)
    return result if ok else None


@dataclass(frozen=True)
class ObjectPage:
    """One object page: what it calls, with what input, and what it says afterwards."""

    service: Callable
    message: Any  # "%(object)s is suspended." or a callable(result) -> text
    form: type | None = None
    title: Any = ""
    submit: Any = ""
    intro: Any = ""  # text, or callable(obj) -> text
    instance_arg: str | None = None
    initial: Callable | None = None  # callable(obj) -> initial data
    configure: Callable | None = None  # callable(form, obj): narrow querysets and the like
    arguments: Callable | None = None  # callable(cleaned_data, obj) -> the service's keyword arguments
    next_url: Callable | None = None  # callable(result) -> where to go after success (default: the object)

    def run(self, model_admin, request, obj):
        back = change_url(obj)
        form = None
        if self.form is not None:
            form = self.form(request.POST or None, initial=self.initial(obj) if self.initial else None)
            if self.configure is not None:
                self.configure(form, obj)
        if form is None or (request.method == "POST" and form.is_valid()):
            data = dict(form.cleaned_data) if form is not None else {}
            data = self.arguments(data, obj) if self.arguments else data
            name = self.instance_arg or obj._meta.model_name
            ok, result = call_reporting(
                model_admin,
                request,
                lambda: writes.call_service(self.service, actor=request.user, **{name: obj}, **data),
                success=self.message if callable(self.message) else self.message % {"object": obj},
                form=form,
            )
            if ok and self.next_url is not None:
                return redirect(self.next_url(result))
            if ok or form is None:
                return redirect(back)
        title = self.title or self.submit
        return render_form(
            model_admin,
            request,
            form,
            title=f"{title}: {obj}",
            submit=self.submit or title,
            intro=self.intro(obj) if callable(self.intro) else self.intro,
            back_url=back,
        )


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def object_action(*, description, url_path: str, permission: str = "change", icon: str | None = None, **page):
    """An unfold detail action running an :class:`ObjectPage` on the admin's object."""
    from unfold.decorators import action

    declared = ObjectPage(**page)

    def detail(self, request, object_id):
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        return declared.run(self, request, obj)

    return _NamedAction(detail, action(description=description, url_path=url_path, permissions=[permission], icon=icon))


class _NamedAction:
    """Gives the action function the attribute's name (unfold checks permissions by ``func.__name__``)."""

    def __init__(self, function, decorate):
        self.function = function
        self.decorate = decorate
        self.method = None

    def __set_name__(self, owner, name):
        self.function.__name__ = self.function.__qualname__ = name
        self.method = self.decorate(self.function)

    def __get__(self, instance, owner=None):
        return self.method.__get__(instance, owner)
