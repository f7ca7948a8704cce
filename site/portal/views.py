"""Customer portal views: thin, company-scoped, every write through a service."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.models import ApiToken, Invitation, Membership
from accounts.selectors import (
    SESSION_COMPANY_KEY,
    company_members,
    company_pending_invitations,
    current_membership,
    user_memberships,
)
from core.tenancy import for_user
from portal.forms import AcceptInvitationForm, ApiTokenForm, InvitationForm, RoleForm


def member_required(capability: str = "view"):
    """Sign-in required, and a membership whose role grants ``capability`` at the current company."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = current_membership(request)
            if membership is None:
                return render(request, "portal/no_company.html", status=403)
            if not membership.can(capability):
                raise PermissionDenied(
                    _("Your role at %(company)s does not allow this.") % {"company": membership.company}
                )
            return view(request, *args, membership=membership, **kwargs)

        return wrapper

    return decorate


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@member_required()
def dashboard(request, membership):
    """The main page: balance, services, tickets, bandwidth and notices at a glance (``portal.dashboard``)."""
    from portal.dashboard import dashboard as dashboard_context

    return render(request, "portal/dashboard.html", dashboard_context(user=request.user, membership=membership))


@login_required
@require_POST
def switch_company(request):
    company_id = request.POST.get("company")
    membership = next((m for m in user_memberships(request.user) if str(m.company_id) == company_id), None)
    if membership is None:
        raise Http404
    request.session[SESSION_COMPANY_KEY] = membership.company_id
    messages.success(request, _("You are now working for %(company)s.") % {"company": membership.company})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith(
        "/portal/"
    ):
        target = "portal:dashboard"
    return redirect(target)


@member_required()
def account(request, membership):
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
    return render(request, "portal/account/overview.html", {"tokens": tokens, "token_form": ApiTokenForm()})


@member_required()
@require_POST
def token_create(request, membership):
    form = ApiTokenForm(request.POST)
    plain = None
    if form.is_valid():
        # Shown once in this response only: never put into a message, a cookie or a log.
        _token, plain = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
    return render(
        request,
        "portal/account/overview.html",
        {"tokens": tokens, "token_form": form, "new_token": plain},
        status=200 if plain else 400,
    )


@member_required()
@require_POST
def token_revoke(request, pk, membership):
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("portal:account")


@member_required()
def company_users(request, membership):
    company = membership.company
    form = InvitationForm()
    if request.method == "POST":
        if not membership.can("manage_users"):
            raise PermissionDenied
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                services.invitation_create(
                    company=company, actor=request.user, base_url=request.build_absolute_uri("/"), **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error("email", _error_text(error))
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
                return redirect("portal:company_users")
    context = {
        "members": company_members(company),
        "invitations": company_pending_invitations(company) if membership.can("manage_users") else [],
        "form": form,
        "role_form": RoleForm(),
        "can_manage": membership.can("manage_users"),
    }
    return render(request, "portal/account/users.html", context)


def _company_membership(request, membership, pk) -> Membership:
    target = (
        for_user(Membership, request.user, company=membership.company, staff_scope=False)
        .filter(pk=pk, is_active=True)
        .select_related("company", "user")
        .first()
    )
    if target is None:
        raise Http404
    return target


@member_required("manage_users")
@require_POST
def member_change_role(request, pk, membership):
    target = _company_membership(request, membership, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(membership=target, role=form.cleaned_data["role"], actor=request.user)
            messages.success(
                request, _("%(user)s is now %(role)s.") % {"user": target.user, "role": target.get_role_display()}
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
    return redirect("portal:company_users")


@member_required("manage_users")
@require_POST
def member_remove(request, pk, membership):
    target = _company_membership(request, membership, pk)
    try:
        services.membership_remove(membership=target, actor=request.user)
        messages.success(
            request,
            _("%(user)s no longer has access to %(company)s.") % {"user": target.user, "company": target.company},
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("portal:company_users")


@member_required("manage_users")
@require_POST
def invitation_revoke(request, pk, membership):
    invitation = Invitation.objects.pending().filter(company=membership.company, pk=pk).first()
    if invitation is None:
        raise Http404
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect("portal:company_users")


def invitation_accept(request, token):
    """Open to anyone holding the link: a new user sets a password; a signed-in user joins."""
    try:
        invitation = services.invitation_from_token(token)
    except ValidationError as error:
        return render(request, "portal/invitation_invalid.html", {"error": _error_text(error)}, status=400)
    form = AcceptInvitationForm() if not request.user.is_authenticated else None
    if request.method == "POST":
        form = AcceptInvitationForm(request.POST) if not request.user.is_authenticated else None
        if form is None or form.is_valid():
            try:
                membership = services.invitation_accept(
                    token=token,
                    user=request.user,
                    password=form.cleaned_data["password1"] if form else "",
                    full_name=form.cleaned_data["full_name"] if form else "",
                )
            except ValidationError as error:
                if form is None:
                    return render(request, "portal/invitation_invalid.html", {"error": _error_text(error)}, status=400)
                form.add_error(None, _error_text(error))
            else:
                if not request.user.is_authenticated:
                    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                request.session[SESSION_COMPANY_KEY] = membership.company_id
                messages.success(request, _("Welcome to %(company)s.") % {"company": membership.company})
                return redirect("portal:dashboard")
    return render(request, "portal/invitation_accept.html", {"invitation": invitation, "form": form})
