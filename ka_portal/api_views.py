"""Project-wide API views: token login and who-am-I."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.response import Response
from rest_framework.views import APIView

from .formatting import display_name
from .scope import user_role


class TokenLoginView(APIView):
    """POST {"username", "password"} → {"token"}: the token for Authorization: Token … afterwards."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=inline_serializer(
            "TokenLogin", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class MeView(APIView):
    """Who the caller is: username, name and role."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {"username": serializers.CharField(), "name": serializers.CharField(), "role": serializers.CharField()},
        )
    )
    def get(self, request):
        user = request.user
        return Response({"username": user.username, "name": display_name(user), "role": user_role(user)})
