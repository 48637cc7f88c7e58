"""Every user with a profile ends in exactly their role's group (accounts.roles.GROUP_NAMES), as the profile's save
keeps them from now on (accounts.services.role_group_in_step): a profile made in the admin left its user in no
group, and so with no page open to them. How many users were put in step is printed."""

from django.db import migrations

# accounts.roles.GROUP_NAMES as of this migration
GROUP_NAMES = {
    "rep": "Sales reps",
    "supervisor": "KA supervisors",
    "manager": "KA managers",
    "finance": "Finance",
    "admin": "Administrators",
    "promoter": "Promoters",
}


def groups_follow_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Profile = apps.get_model("accounts", "Profile")
    groups = {}
    fixed = 0
    for profile in Profile.objects.select_related("user").iterator():
        wanted = GROUP_NAMES.get(profile.role)
        have = set(profile.user.groups.filter(name__in=GROUP_NAMES.values()).values_list("name", flat=True))
        if have == ({wanted} if wanted else set()):
            continue
        profile.user.groups.remove(*Group.objects.filter(name__in=have - {wanted}))
        if wanted and wanted not in have:
            if wanted not in groups:
                groups[wanted] = Group.objects.get_or_create(name=wanted)[0]
            profile.user.groups.add(groups[wanted])
        fixed += 1
    if fixed:
        print(f"\n  Put {fixed} user(s) in their role's group.")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_key_account_code_unique_without_case"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(groups_follow_roles, migrations.RunPython.noop)]
