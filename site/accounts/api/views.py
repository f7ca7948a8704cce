"""API endpoints the specs cannot say: who am I, and my own tokens."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import ApiToken, Membership


class MembershipSummarySerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name")

    class Meta:
        model = Membership
        fields = ["company", "company_name", "role"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    is_staff = serializers.BooleanField()
    memberships = MembershipSummarySerializer(many=True)


class MeView(APIView):
    """The signed-in user and the companies they belong to."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        memberships = Membership.objects.active().filter(user=user).select_related("company")
        data = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "is_staff": user.is_staff,
            "memberships": memberships,
        }
        return Response(MeSerializer(data).data)


class ApiTokenSerializer(serializers.ModelSerializer):
    token = serializers.SerializerMethodField(help_text="The token itself: shown only in the response that creates it.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created", "expires_at", "last_used", "revoked_at", "token"]
        read_only_fields = ["prefix", "created", "last_used", "revoked_at"]

    def get_token(self, obj) -> str | None:
        return self.context.get("plain_token")


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's own API tokens. DELETE revokes a token (it is kept for the record)."""

    serializer_class = ApiTokenSerializer

    queryset = ApiToken.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).order_by("-created")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, plain = services.api_token_create(
            user=request.user,
            name=serializer.validated_data["name"],
            expires_at=serializer.validated_data.get("expires_at"),
        )
        return Response(ApiTokenSerializer(token, context={"plain_token": plain}).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.api_token_revoke(token=instance, actor=self.request.user)
