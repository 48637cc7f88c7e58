"""Writes for accounts: users and their roles, and the role groups' permissions."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Profile
from .roles import GROUP_NAMES, ROLE_PERMISSIONS, Role

User = get_user_model()


def role_groups_sync() -> None:
    """Create the five role groups and give each exactly its permissions (idempotent)."""
    for role, group_name in GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = []
        for app_label, model, actions in ROLE_PERMISSIONS[role]:
            codenames = [f"{action}_{model}" for action in actions]
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        group.permissions.set(wanted)


@transaction.atomic
def user_set_role(*, user, role: str, region: str = "", supervisor=None) -> Profile:
    """Give a user a role: the profile, the matching group, and admin rights for administrators."""
    role = Role(role)
    profile, _created = Profile.objects.get_or_create(user=user)
    profile.role = role
    profile.region = region
    profile.supervisor = supervisor
    profile.save()
    groups = Group.objects.filter(name__in=GROUP_NAMES.values())
    user.groups.remove(*groups)
    user.groups.add(Group.objects.get_or_create(name=GROUP_NAMES[role])[0])
    is_admin = role == Role.ADMIN
    if user.is_superuser != is_admin or user.is_staff != is_admin:
        user.is_superuser = is_admin
        user.is_staff = is_admin
        user.save(update_fields=["is_superuser", "is_staff"])
    return profile
