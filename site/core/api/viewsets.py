"""The viewset every generated API endpoint derives from."""

from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import permissions, viewsets
from rest_framework.exceptions import ValidationError

from core.tenancy import for_user


class SpecPermission(permissions.DjangoModelPermissions):
    """Staff go by their model permissions (view included); customers may read, and write only where allowed."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if user.is_staff:
            return super().has_permission(request, view)
        if request.method in permissions.SAFE_METHODS:
            return view.spec.is_customer_visible
        return view.spec.is_customer_visible and view.spec.customer_writable


class SpecViewSet(viewsets.ModelViewSet):
    """CRUD over one declared model; the queryset comes only from the tenancy helper."""

    model = None
    spec = None
    permission_classes = [SpecPermission]

    def get_queryset(self):
        queryset = for_user(self.model, self.request.user)
        if self.spec.select_related:
            queryset = queryset.select_related(*self.spec.select_related)
        if self.spec.prefetch_related:
            queryset = queryset.prefetch_related(*self.spec.prefetch_related)
        return queryset.order_by(*(self.spec.ordering or ["pk"]))

    # A database constraint the serializer did not foresee (a unique value taken) is the client's 400, not a 500.
    def perform_create(self, serializer):
        with _constraint_errors_as_400():
            super().perform_create(serializer)

    def perform_update(self, serializer):
        with _constraint_errors_as_400():
            super().perform_update(serializer)

    def perform_destroy(self, instance):
        try:
            with transaction.atomic():
                super().perform_destroy(instance)
        except (ProtectedError, RestrictedError) as error:
            raise ValidationError(
                {"detail": _("%(object)s cannot be deleted: other records still refer to it.") % {"object": instance}}
            ) from error


@contextmanager
def _constraint_errors_as_400():
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        raise ValidationError(
            {"detail": _("This conflicts with an existing record: a value that must be unique is already taken.")}
        ) from error
