"""One permission map for pages and the API: what a role may do at all is its group's model permissions.

The API checks them in ka_portal/api.py (`RoleModelPermissions`: reads need `view`, POST `add`, PUT/PATCH
`change`, DELETE `delete`); pages check the same permissions here, so a page never shows or accepts what the
API refuses. Row-level reach stays with ka_portal/scope.py: out of scope is 404, a missing permission 403.

- `can(user, Model, "view")`: for a page section (the account page shows contacts only to who may view them);
- `@model_permission(Model, get="view", post="change")`: a function view (login required, then the method's
  permission; a method not named is refused with 403 like any missing permission);
- `ModelPermissionMixin`: class views; `permission_required` when declared, otherwise `view` on the view's model.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

# The API's map (DRF's DjangoModelPermissions with reads needing `view`), for pages that take the same verbs.
ACTION_FOR_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def permission_name(model, action: str) -> str:
    """`app_label.action_modelname`, e.g. `accounts.view_contact`: the codename the role groups hold."""
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def can(user, model, action: str = "view") -> bool:
    return user.has_perm(permission_name(model, action))


def require(user, model, action: str = "view") -> None:
    """Refuse with 403 unless the user's role holds the permission."""
    if not can(user, model, action):
        raise PermissionDenied


def model_permission(model, *, get: str | None = "view", post: str | None = None) -> Callable:
    """A function view's permissions per method, as the API would check them for the same model.

    POST needs `post` (when given), every other method `get` (None: the view answers 405 itself, e.g.
    `require_POST`). Login first.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            action = post if request.method == "POST" and post is not None else get
            if action is not None:
                require(request.user, model, action)
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


class ModelPermissionMixin(AccessMixin):
    """Login required, then the view's permission: `permission_required` (one name or several) when declared,
    otherwise `view` on `model` (or the model of `get_base_queryset()`, for list views)."""

    permission_required: str | tuple[str, ...] | None = None

    def get_permission_required(self) -> tuple[str, ...]:
        if self.permission_required:
            declared = self.permission_required
            return (declared,) if isinstance(declared, str) else tuple(declared)
        model = getattr(self, "model", None)
        if model is None and hasattr(self, "get_base_queryset"):
            model = self.get_base_queryset().model
        if model is None:
            raise NotImplementedError(f"{type(self).__name__} must declare permission_required or model")
        return (permission_name(model, "view"),)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perms(self.get_permission_required()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
