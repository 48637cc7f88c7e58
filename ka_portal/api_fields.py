"""Serializer fields shared by the apps' APIs: related records named by their code, within the user's scope."""

from rest_framework import serializers

from .scope import NOT_FOUND_TEXT


class ScopedSlugRelatedField(serializers.SlugRelatedField):
    """A related record written by its code (`"account": "WMT"`) and looked up only within the user's scope.

    `scope` is a function of the user (e.g. ka_portal.scope.accounts_for): a code outside it is
    refused as not found, exactly like a code that does not exist. `queryset` (the whole table)
    serves only the schema generator, which has no user.
    """

    # Not DRF's "Object with code=… does not exist.": a refusal names nothing, not even the code sent.
    default_error_messages = {**serializers.SlugRelatedField.default_error_messages, "does_not_exist": NOT_FOUND_TEXT}

    def __init__(self, *, scope, slug_field="code", **kwargs):
        self.scope = scope
        super().__init__(slug_field=slug_field, **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return super().get_queryset().none()
        return self.scope(request.user)
