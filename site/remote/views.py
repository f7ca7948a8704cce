"""Request handling shared by the portal's server page and the admin's device page: the power form and the
console page's re-authentication. Thin: forms validate, ``reauth`` and ``services`` decide."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from remote import reauth, services
from remote.choices import PowerAction
from remote.forms import ConsoleOpenForm, PowerActionForm


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def power_form(request, *, devices: list, source: str, submitted: bool | None = None):
    """Bind or build the power form for ``devices``; on a valid POST, re-authenticate and request the jobs.

    Returns ``(form, jobs)``; ``jobs`` is empty unless every request was accepted or refused with a message
    on the form (a refusal of one server in a bulk request does not stop the others).
    """
    needs_code = reauth.needs_code(request.user)
    names = [device.name for device in devices]
    if not (request.method == "POST" if submitted is None else submitted):
        return PowerActionForm(server_names=names, needs_code=needs_code), []
    form = PowerActionForm(request.POST, server_names=names, needs_code=needs_code)
    if not form.is_valid():
        return form, []
    action = form.cleaned_data["power_action"]
    if action != PowerAction.STATUS:
        try:
            reauth.reauthenticate(
                request, password=form.cleaned_data.get("password", ""), code=form.cleaned_data.get("code", "")
            )
        except ValidationError as error:
            _add_errors(form, error)
            return form, []
    jobs = []
    for device in devices:
        try:
            jobs.append(
                services.power_job_request(
                    device=device,
                    action=action,
                    actor=request.user,
                    source=source,
                    ip_address=client_address(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            )
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            form.add_error(None, messages)
    return form, jobs


def console_reauth_form(request):
    """The console page's re-authentication: ``(form, done)``; ``done`` once the identity was confirmed."""
    needs_code = reauth.needs_code(request.user)
    if request.method != "POST":
        return ConsoleOpenForm(needs_code=needs_code), False
    form = ConsoleOpenForm(request.POST, needs_code=needs_code)
    if not form.is_valid():
        return form, False
    try:
        reauth.reauthenticate(request, password=form.cleaned_data["password"], code=form.cleaned_data.get("code", ""))
    except ValidationError as error:
        _add_errors(form, error)
        return form, False
    return form, True
