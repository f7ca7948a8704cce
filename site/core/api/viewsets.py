"""The viewset every generated API endpoint derives from: reads through the tenancy helper, writes only through
the services the model's spec names (:mod:`core.writes`)."""

from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import permissions, viewsets
from rest_framework.exceptions import MethodNotAllowed, ValidationError

from core import writes
from core.tenancy import for_user


class SpecPermission(permissions.DjangoModelPermissions):
    """Staff go by their model permissions (view included); customers may read, and write only where the spec
    allows it (``customer_writable``; ``customer_creatable`` for POST alone, the service checking their role)."""

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
        spec = view.spec
        if request.method in permissions.SAFE_METHODS:
            return spec.is_customer_visible
        if request.method == "POST" and spec.customer_creatable:
            return spec.is_customer_visible
        return spec.is_customer_visible and spec.customer_writable


# The HTTP methods each write service answers.
SERVICE_METHODS = {"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}
# The viewset methods that, when a subclass writes them itself (through a service), stand in for the spec's.
HAND_WRITTEN = {
    "create": ("create", "perform_create"),
    "update": ("update", "partial_update", "perform_update"),
    "delete": ("destroy", "perform_destroy"),
}


class SpecViewSet(viewsets.ModelViewSet):
    """CRUD over one declared model; the queryset comes only from the tenancy helper, writes only from the
    spec's services (a write the spec names no service for answers 405)."""

    model = None
    spec = None
    permission_classes = [SpecPermission]

    def get_queryset(self):
        queryset = for_user(self.model, self.request.user)
        if self.spec.select_related:
            queryset = queryset.select_related(*self.spec.select_related)
        if self.spec.prefetch_related:
            queryset = queryset.prefetch_related(*self.spec.prefetch_related)
        if self.action == "list":
            list_queryset = getattr(self.get_serializer_class(), "list_queryset", None)
            if list_queryset is not None:
                queryset = list_queryset(queryset)
        return queryset.order_by(*(self.spec.ordering or ["pk"]))

    @classmethod
    def writes_allowed(cls, kind: str) -> bool:
        """Whether ``kind`` (create/update/delete) has a service: named by the spec, or written by a subclass."""
        if getattr(cls.spec, kind, None) is not None:
            return True
        return any(getattr(cls, name) is not getattr(SpecViewSet, name) for name in HAND_WRITTEN[kind])

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        kind = SERVICE_METHODS.get(request.method)
        if kind is not None and not self.writes_allowed(kind):
            raise MethodNotAllowed(request.method)

    def service_fields(self, serializer, kind: str) -> dict:
        """What the ``kind`` service receives: the validated model fields, and the serializer's own fields the
        service names. An override adds what the request implies (the channel a ticket came in by)."""
        return writes.writable_fields(self.model, serializer.validated_data, service=getattr(self.spec, kind))

    # A database constraint the service did not foresee (a unique value taken, a protected row) is the client's
    # 400, not a 500.
    def perform_create(self, serializer):
        fields = self.service_fields(serializer, "create")
        with _constraint_errors_as_400():
            serializer.instance = writes.create(self.spec, fields=fields, actor=self.request.user)

    def perform_update(self, serializer):
        fields = self.service_fields(serializer, "update")
        with _constraint_errors_as_400():
            serializer.instance = writes.update(
                self.spec, instance=serializer.instance, fields=fields, actor=self.request.user
            )

    def perform_destroy(self, instance):
        try:
            with transaction.atomic():
                writes.delete(self.spec, instance=instance, actor=self.request.user)
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
