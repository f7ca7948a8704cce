"""API overrides the specs cannot say: opening tickets and replying go through the services, and customers
never receive internal notes or their attachments. Imported from ``tickets/specs.py`` so the overrides are
registered before the router is built."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError

from accounts.models import Company
from core.api.viewsets import SpecPermission
from core.registry import generated_serializer, generated_viewset, override
from core.tenancy import for_user
from tickets import services
from tickets.choices import MessageSource
from tickets.models import Attachment, Message, Ticket


def _api_error(error: DjangoValidationError) -> ApiValidationError:
    return ApiValidationError(error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages})


class CustomerMayCreate(SpecPermission):
    """Like the spec permission, and customers may also POST to create (the services check their role)."""

    def has_permission(self, request, view):
        user = request.user
        if user and user.is_authenticated and not user.is_staff and getattr(view, "action", None) == "create":
            return True
        return super().has_permission(request, view)


GeneratedTicketSerializer = generated_serializer(Ticket)


@override(Ticket, "serializer")
class TicketSerializer(GeneratedTicketSerializer):
    body = serializers.CharField(write_only=True, help_text="The first message (when opening).")

    class Meta(GeneratedTicketSerializer.Meta):
        fields = [*GeneratedTicketSerializer.Meta.fields, "body"]
        read_only_fields = [
            name for name in GeneratedTicketSerializer.Meta.read_only_fields if name not in {"company", "requester"}
        ]
        extra_kwargs = {"requester": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        creating = self.instance is None
        if not creating:
            fields["body"].required = False
            fields["company"].read_only = True
            fields["requester"].read_only = True
        elif user is not None and not user.is_staff:
            # Customers open tickets in their own name; no user or device ids of others to probe.
            fields["requester"].read_only = True
        if user is not None and not user.is_staff:
            from catalog.models import Service
            from dcim.models import Device

            fields["device"].queryset = for_user(Device, user)
            fields["service"].queryset = for_user(Service, user)
        if user is not None and user.is_staff and not creating:
            fields["status"].read_only = False
        return fields

    def validate_company(self, company):
        user = self.context["request"].user
        if not user.is_staff and not for_user(Company, user).filter(pk=company.pk).exists():
            raise serializers.ValidationError("You are not a member of that company.")
        return company


@override(Ticket, "viewset")
class TicketViewSet(generated_viewset(Ticket)):
    serializer_class = TicketSerializer
    permission_classes = [CustomerMayCreate]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.ticket_open(
                company=data["company"],
                requester=data.get("requester") or self.request.user,
                subject=data.get("subject", ""),
                body=data["body"],
                category=data.get("category") or Ticket._meta.get_field("category").default,
                priority=data.get("priority") or Ticket._meta.get_field("priority").default,
                device=data.get("device"),
                service=data.get("service"),
                actor=self.request.user,
                source=MessageSource.API,
            )
        except DjangoValidationError as error:
            raise _api_error(error) from error

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("body", None)
        ticket, user = serializer.instance, self.request.user
        try:
            status = data.pop("status", None)
            if data:
                ticket = services.ticket_update(ticket=ticket, actor=user, **data)
            if status:
                ticket = services.ticket_set_status(ticket=ticket, status=status, actor=user)
        except DjangoValidationError as error:
            raise _api_error(error) from error
        serializer.instance = ticket


GeneratedMessageSerializer = generated_serializer(Message)


@override(Message, "serializer")
class MessageSerializer(GeneratedMessageSerializer):
    class Meta(GeneratedMessageSerializer.Meta):
        extra_kwargs = {"is_internal": {"default": False}}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not request.user.is_staff:
            fields["is_internal"].read_only = True
        return fields


@override(Message, "viewset")
class MessageViewSet(generated_viewset(Message)):
    """Replies of the user's tickets; customers get public messages only, whatever they filter for."""

    serializer_class = MessageSerializer
    permission_classes = [CustomerMayCreate]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.request.user.is_staff:
            queryset = queryset.public()
        return queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        user = self.request.user
        ticket = for_user(Ticket, user).filter(pk=data["ticket"].pk).first()
        if ticket is None:
            raise NotFound("No such ticket.")
        try:
            if user.is_staff and data.get("is_internal"):
                message = services.ticket_add_internal_note(ticket=ticket, author=user, body=data["body"])
            else:
                message = services.ticket_reply(ticket=ticket, author=user, body=data["body"], source=MessageSource.API)
        except DjangoValidationError as error:
            raise _api_error(error) from error
        serializer.instance = message


@override(Attachment, "viewset")
class AttachmentViewSet(generated_viewset(Attachment)):
    """Attachment metadata, and the file itself at ``…/download/``; none of an internal note for customers."""

    http_method_names = ["get", "delete", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.request.user.is_staff:
            queryset = queryset.filter(message__is_internal=False)
        return queryset

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        from tickets.downloads import attachment_response

        return attachment_response(self.get_object())
