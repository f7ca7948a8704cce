"""The one way customer-facing code gets its querysets.

Portal views, the API and consumers call :func:`for_user`; it reads the model's tenancy path from its
``ModelSpec`` and narrows the queryset to the companies the user may see. Staff see what their model
permissions allow. Another company's object is then simply not in the queryset, so it answers 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.db.models import Q, QuerySet

from core.registry import get_spec

# Who belongs to which company is the accounts app's knowledge: it registers the lookup when it is ready
# (accounts.apps), so core never imports the layer above it.
_company_ids_of: list[Callable] = []


def register_membership_lookup(lookup: Callable) -> None:
    """Called once by the accounts app: ``lookup(user) -> list of company ids`` the user is an active member of."""
    _company_ids_of[:] = [lookup]


# Models whose rows reach a company by more than one path (a switch port: the device's owner, the services
# delivered on it, the devices cabled to it). An upper app registers a function company_ids -> Q; it then
# replaces the spec's single lookup path in :func:`scope_to_companies`.
_SCOPES: dict[type[models.Model], Callable[[list[int]], Q]] = {}


def register_tenancy_scope(model: type[models.Model], scope: Callable[[list[int]], Q]) -> None:
    """Let ``scope(company_ids)`` (a ``Q`` on ``model``) decide which rows those companies see."""
    _SCOPES[model] = scope


def member_company_ids(user) -> list[int]:
    """Ids of the companies ``user`` is an active member of (closed companies excluded)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_member_company_ids", None)
    if cached is None:
        if not _company_ids_of:
            raise RuntimeError("No membership lookup registered: is the accounts app installed?")
        cached = list(_company_ids_of[0](user))
        user._member_company_ids = cached
    return cached


def remember_member_company_ids(user, company_ids) -> None:
    """Tell ``member_company_ids`` what a read of the user's active memberships already found (saves a query)."""
    if getattr(user, "_member_company_ids", None) is None:
        user._member_company_ids = list(company_ids)


def tenancy_path(model: type[models.Model]) -> str | None:
    """The lookup path from ``model`` to its Company, from the model's spec."""
    spec = get_spec(model)
    return spec.tenancy if spec else None


def scope_to_companies(queryset: QuerySet, company_ids) -> QuerySet:
    """Narrow ``queryset`` to rows that belong to ``company_ids`` (a registered scope first, else the path)."""
    spec = get_spec(queryset.model)
    path = spec.tenancy if spec else None
    if path is None:
        return queryset.none()
    scope = _SCOPES.get(queryset.model) or _SCOPES.get(queryset.model._meta.concrete_model)
    if scope is not None:
        queryset = queryset.filter(scope(list(company_ids)))
    else:
        queryset = queryset.filter(**{f"{path}__in" if path else "pk__in": list(company_ids)})
    if spec.hidden_from_customers:
        queryset = queryset.exclude(**spec.hidden_from_customers)
    return queryset


def for_user(model_or_queryset, user, *, company=None, staff_scope: bool = True) -> QuerySet:
    """Everything ``user`` may see of a model, optionally narrowed to one ``company``.

    * anonymous or inactive users see nothing;
    * staff with the model's view (or change) permission see everything, unless ``staff_scope`` is false
      (the portal passes false so that a staff member browsing it sees only the company they act for);
    * everyone else sees the rows of the companies they are an active member of, or of ``company`` when
      it is one of those.
    """
    queryset = (
        model_or_queryset.all() if isinstance(model_or_queryset, QuerySet) else model_or_queryset._default_manager.all()
    )
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    opts = queryset.model._meta
    if staff_scope and user.is_staff:
        if user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        ):
            return queryset
        return queryset.none()
    company_ids = member_company_ids(user)
    if company is not None:
        company_id = getattr(company, "pk", company)
        company_ids = [company_id] if company_id in company_ids else []
    return scope_to_companies(queryset, company_ids)
