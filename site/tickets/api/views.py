"""API overrides the specs cannot say: the ticket serializer's first ``body``, replies only on tickets the user
sees (404 otherwise), attachment downloads. Writes go through the services the specs name; internal notes and
their attachments are hidden from customers by the specs' ``hidden_from_customers``."""

from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from accounts.models import Company
from core.registry import generated_serializer, generated_viewset, override
from core.tenancy import for_user
from tickets import services
from tickets.choices import MessageSource
from tickets.models import Attachment, Message, Ticket

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
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def service_fields(self, serializer, kind):
        """Tickets opened through the API say so on their first message."""
        fields = super().service_fields(serializer, kind)
        if kind == "create":
            fields["source"] = MessageSource.API
        return fields


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
    """Replies of the user's tickets; customers get public messages only (the spec), whatever they filter for."""

    serializer_class = MessageSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        user = self.request.user
        ticket = for_user(Ticket, user).filter(pk=data["ticket"].pk).first()
        if ticket is None:
            raise NotFound("No such ticket.")
        serializer.instance = services.message_post(
            ticket=ticket,
            actor=user,
            body=data["body"],
            is_internal=bool(user.is_staff and data.get("is_internal")),
            source=MessageSource.API,
        )


@override(Attachment, "viewset")
class AttachmentViewSet(generated_viewset(Attachment)):
    """Attachment metadata, and the file itself at ``…/download/`` (the spec hides internal notes' files)."""

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        from tickets.downloads import attachment_response

        return attachment_response(self.get_object())
