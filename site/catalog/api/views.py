"""API overrides the specs cannot say: customers place orders (priced and recorded by ``order_place``) and read
the offered catalog. Imported from ``catalog/specs.py`` so the overrides exist before the router is built."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from accounts.models import Company
from catalog import services
from catalog.choices import OrderKind
from catalog.models import Order, OrderLine, Plan, ProductOption, Service
from catalog.services.orders import MAX_ORDER_QUANTITY
from core.registry import generated_serializer, generated_viewset, override
from core.tenancy import for_user


class OrderLineInputSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.select_related("product"))
    quantity = serializers.DecimalField(
        max_digits=10, decimal_places=2, default=1, min_value=Decimal("0.01"), max_value=MAX_ORDER_QUANTITY
    )
    options = serializers.PrimaryKeyRelatedField(
        queryset=ProductOption.objects.select_related("product"),
        many=True,
        required=False,
        help_text="Add-ons of the plan's product (see the catalog's options); others are refused.",
    )


class OrderLineOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductOption
        fields = ["id", "name", "currency", "recurring_amount", "one_time_amount"]


class OrderLineOutputSerializer(serializers.ModelSerializer):
    options = OrderLineOptionSerializer(many=True, read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "plan",
            "description",
            "quantity",
            "options",
            "unit_recurring",
            "unit_one_time",
            "recurring_period",
        ]


GeneratedOrderSerializer = generated_serializer(Order)


@override(Order, "serializer")
class OrderSerializer(GeneratedOrderSerializer):
    lines = OrderLineOutputSerializer(many=True, read_only=True)

    class Meta(GeneratedOrderSerializer.Meta):
        fields = [*GeneratedOrderSerializer.Meta.fields, "lines"]


class OrderPlaceSerializer(serializers.Serializer):
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), required=False, help_text="Needed when you belong to several companies."
    )
    kind = serializers.ChoiceField(choices=[OrderKind.NEW, OrderKind.UPGRADE], default=OrderKind.NEW)
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), required=False, allow_null=True)
    effective_date = serializers.DateField(required=False, allow_null=True)
    customer_note = serializers.CharField(required=False, allow_blank=True, default="")
    lines = OrderLineInputSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        user = self.context["request"].user
        if not user.is_staff:
            fields["company"].queryset = for_user(Company, user)
            fields["service"].queryset = for_user(Service, user)
        return fields


class PlanSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.name")
    kind = serializers.CharField(source="product.kind")
    specification = serializers.CharField(source="product.specification")
    options = serializers.SerializerMethodField(help_text="The add-ons that may be ordered with this plan.")

    def get_options(self, plan) -> list[dict]:
        offered = [o for o in plan.product.options.all() if o.is_active and o.currency == plan.currency]
        return OrderLineOptionSerializer(offered, many=True).data

    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "product",
            "kind",
            "specification",
            "currency",
            "recurring_period",
            "recurring_amount",
            "one_time_amount",
            "taxable",
            "term_months",
            "options",
        ]


@override(Order, "viewset")
class OrderViewSet(generated_viewset(Order)):
    serializer_class = OrderSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("lines__options")

    def get_serializer_class(self):
        return OrderPlaceSerializer if self.action == "create" else OrderSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        company = data.get("company")
        if company is None:
            companies = list(for_user(Company, request.user)[:2]) if not request.user.is_staff else []
            if len(companies) != 1:
                raise ApiValidationError({"company": ["Say which company the order is for."]})
            company = companies[0]
        try:
            order = services.order_place(
                company=company,
                placed_by=request.user,
                kind=data["kind"],
                service=data.get("service"),
                effective_date=data.get("effective_date"),
                customer_note=data.get("customer_note", ""),
                lines=[dict(line) for line in data["lines"]],
            )
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        order = self.get_queryset().get(pk=order.pk) if not request.user.is_staff else order
        return Response(OrderSerializer(order, context=self.get_serializer_context()).data, status.HTTP_201_CREATED)

    @action(detail=False, methods=["get"], url_path="catalog")
    def offered_plans(self, request):
        """The plans customers may order now."""
        plans = (
            Plan.objects.offered()
            .select_related("product")
            .prefetch_related("product__options")
            .order_by("product__name", "recurring_amount")
        )
        return Response(PlanSerializer(plans, many=True).data)
