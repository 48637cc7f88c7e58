"""Writes for accounts: users and their roles, the role groups' permissions, key accounts, contacts, the
contact log (append-only: an entry is added, and its follow-up marked done, never rewritten) and sales
targets. Every door — page, API, admin, import — writes through here; the rules are accounts/rules.py."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal.errors import DomainError
from ka_portal.formatting import display_name
from ka_portal.scope import account_owners_for, not_found

from . import rules
from .models import CollectionTarget, Contact, ContactLog, KeyAccount, Profile, SalesTarget, StoreTarget
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


def profile_refusals(*, user, role: str, supervisor=None) -> list[DomainError]:
    """Every refusal of giving `user` this role and supervisor (accounts.rules): a supervisor who is a KA supervisor
    and not themselves, and only for a sales rep; a rep who still has stores, or a supervisor who still leads reps,
    keeps the role until those are given to someone else. The admin shows them beside their fields; user_set_role
    refuses with the first."""
    from stores.models import Store  # lazy: stores build on accounts

    found = []
    name = display_name(user)
    supervisor_role = getattr(getattr(supervisor, "profile", None), "role", None) if supervisor is not None else None
    old = getattr(Profile.objects.filter(user=user).first() if user.pk else None, "role", None)
    for check in (
        lambda: rules.check_profile_supervisor(
            role,
            supervisor=display_name(supervisor) if supervisor is not None else None,
            supervisor_role=supervisor_role,
            is_self=supervisor is not None and user.pk is not None and supervisor.pk == user.pk,
        ),
        lambda: rules.check_role_change(
            old,
            role,
            name=name,
            stores=Store.objects.filter(rep=user).count() if old == Role.REP and role != Role.REP else 0,
            team=Profile.objects.filter(supervisor=user, role=Role.REP).count()
            if old == Role.SUPERVISOR and role != Role.SUPERVISOR
            else 0,
        ),
    ):
        try:
            check()
        except DomainError as refusal:
            found.append(refusal)
    return found


def role_group_in_step(profile: Profile) -> None:
    """The one place a user's role group follows their profile's role: access to the pages comes from the role's
    Django group (accounts/roles.py GROUP_NAMES), so a profile saved by any door — user_set_role, the admin, a shell
    — leaves the user in exactly their role's group (connected to Profile's post_save in accounts/apps.py)."""
    user = profile.user
    wanted = GROUP_NAMES.get(profile.role)
    have = set(user.groups.filter(name__in=GROUP_NAMES.values()).values_list("name", flat=True))
    if have == ({wanted} if wanted else set()):
        return
    user.groups.remove(*Group.objects.filter(name__in=have - {wanted}))
    if wanted and wanted not in have:
        user.groups.add(Group.objects.get_or_create(name=wanted)[0])


@transaction.atomic
def user_set_role(*, user, role: str, region: str = "", supervisor=None, phone: str | None = None) -> Profile:
    """Give a user a role: the profile (its rules: profile_refusals), the matching group (role_group_in_step, on
    the profile's save), and admin rights for administrators."""
    role = Role(role)
    for refusal in profile_refusals(user=user, role=role, supervisor=supervisor):
        raise refusal
    profile, _created = Profile.objects.get_or_create(user=user)
    profile.role = role
    profile.region = region
    profile.supervisor = supervisor
    if phone is not None:
        profile.phone = phone
    profile.save()
    is_admin = role == Role.ADMIN
    if user.is_superuser != is_admin or user.is_staff != is_admin:
        user.is_superuser = is_admin
        user.is_staff = is_admin
        user.save(update_fields=["is_superuser", "is_staff"])
    return profile


def may_change_owner(user) -> bool:
    """Who hands a key account to another KA manager: admins only (a manager may not give theirs away)."""
    return user.is_superuser or getattr(getattr(user, "profile", None), "role", None) == Role.ADMIN


def account_owner_check(*, account: KeyAccount | None, owner, by) -> None:
    """Refuse a change of an account's owner by anyone but an admin (a new account's owner too), and an owner who is
    not a KA manager (ka_portal.scope.account_owners_for): no manager would see the account."""
    current = account.owner_id if account is not None else None
    wanted = owner.pk if owner is not None else None
    if wanted == current:
        return
    if not may_change_owner(by):
        raise DomainError(
            "account.owner_admins_only", _("Only an administrator may change an account's KA manager."), field="owner"
        )
    if owner is not None and not account_owners_for(by).filter(pk=owner.pk).exists():
        raise DomainError(
            "account.owner_not_manager",
            _("%(user)s is not a KA manager: a key account's KA manager is one, who sees and runs the account."),
            field="owner",
            user=display_name(owner),
        )


@transaction.atomic
def account_save(*, account: KeyAccount | None, by, **fields) -> KeyAccount:
    """Create or change a key account's master data; its owner changes only by an admin's hand, to a KA manager; its
    code is one word, unique whatever its case (account_code_refusals). The admin's form hands over the account with
    its fields already set: its owner is compared with the stored one."""
    if "owner" in fields or account is None:
        account_owner_check(account=account, owner=fields.get("owner"), by=by)
    elif not account.pk:  # the admin's add
        account_owner_check(account=None, owner=account.owner, by=by)
    else:
        stored = KeyAccount.objects.filter(pk=account.pk).values_list("owner_id", flat=True).first()
        if stored != account.owner_id:
            account_owner_check(account=KeyAccount(owner_id=stored), owner=account.owner, by=by)
    account = account or KeyAccount()
    for name, value in fields.items():
        setattr(account, name, value)
    for refusal in account_code_refusals(account.code, pk=account.pk, by=by):
        raise refusal
    account.save()
    return account


def account_code_refusals(code: str, *, pk: int | None = None, by=None) -> list[DomainError]:
    """A key account's code follows the rules of a store's and a product's (stores.services.code_refusals): no
    spaces inside a new or changed code (code.has_spaces), and no code another account has, whatever its case
    (account.code_taken, naming the account's code as stored to a user `by` who sees that account, else saying only
    that the code is in use)."""
    from stores.services import code_refusals  # stores builds on accounts: imported when called

    return code_refusals(KeyAccount, code, pk=pk, by=by)


DUPLICATE_WINDOW = timedelta(minutes=10)


@transaction.atomic
def contact_log_add(
    *,
    account,
    author,
    date,
    summary: str,
    channel: str = "visit",
    contact=None,
    next_step: str = "",
    follow_up_on=None,
) -> ContactLog:
    """Record a contact with the account, dated today at the latest (the log records what happened). The same entry
    sent twice (a double tap, a retry) is kept once."""
    if contact is not None and contact.account_id != account.id:  # another account's contact: named nowhere
        raise not_found("contact")
    rules.check_contact_date(date, today=timezone.localdate())
    rules.check_follow_up(date, follow_up_on)
    fields = {
        "account": account,
        "author": author,
        "date": date,
        "summary": summary.strip(),
        "channel": channel,
        "contact": contact,
        "next_step": next_step.strip(),
        "follow_up_on": follow_up_on,
    }
    recent = ContactLog.objects.select_for_update().filter(created_at__gte=timezone.now() - DUPLICATE_WINDOW, **fields)
    existing = recent.first()
    if existing is not None:
        return existing
    return ContactLog.objects.create(**fields)


@transaction.atomic
def contact_log_follow_up_done(*, entry: ContactLog, done: bool = True) -> ContactLog:
    entry.follow_up_done = done
    entry.save(update_fields=["follow_up_done"])
    return entry


@transaction.atomic
def targets_set(*, account, year: int, amounts: dict[int, Decimal | None]) -> int:
    """Set an account's monthly targets for a year in one go; an empty month has no target. Returns months set."""
    for month, amount in amounts.items():
        rules.check_target_month(month)
        rules.check_target_amount(amount, month=month, field=f"m{month}")
    SalesTarget.objects.filter(
        account=account, year=year, month__in=[m for m, a in amounts.items() if a is None]
    ).delete()
    for month, amount in amounts.items():
        if amount is not None:
            SalesTarget.objects.update_or_create(account=account, year=year, month=month, defaults={"amount": amount})
    return sum(1 for a in amounts.values() if a is not None)


@transaction.atomic
def target_save(*, target: SalesTarget | None = None, **fields) -> SalesTarget:
    """Create or change one month's sales target (the API, the admin): month 1–12, amount not negative."""
    target = target or SalesTarget()
    for name, value in fields.items():
        setattr(target, name, value)
    rules.check_target({"month": target.month, "amount": target.amount})
    target.save()
    return target


@transaction.atomic
def contact_save(*, contact: Contact | None = None, **fields) -> Contact:
    """Create or change a key person of an account (the page, the API)."""
    contact = contact or Contact()
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.save()
    return contact


@transaction.atomic
def store_target_save(*, target: StoreTarget | None = None, **fields) -> StoreTarget:
    """Create or change a store's target for one month (page, API, admin): the month's first day, not negative.
    The import writes the same rows after the same rules (accounts/imports.py)."""
    target = target or StoreTarget()
    for name, value in fields.items():
        setattr(target, name, value)
    rules.check_store_target({"month": target.month, "amount": target.amount})
    _refuse_duplicate(StoreTarget.objects.filter(store_id=target.store_id, month=target.month), target)
    target.save()
    return target


@transaction.atomic
def collection_target_save(*, target: CollectionTarget | None = None, **fields) -> CollectionTarget:
    """Create or change an account's collection target (回款指标) for one month, as store_target_save."""
    target = target or CollectionTarget()
    for name, value in fields.items():
        setattr(target, name, value)
    rules.check_collection_target({"month": target.month, "amount": target.amount})
    _refuse_duplicate(CollectionTarget.objects.filter(account_id=target.account_id, month=target.month), target)
    target.save()
    return target


def _refuse_duplicate(same_month, target) -> None:
    """One target per month: a second one for the same month is refused (the first is changed instead)."""
    if target.month is not None and same_month.exclude(pk=target.pk).exists():
        raise DomainError(
            "target.duplicate",
            _("There is already a target for %(month)s: change that one."),
            field="month",
            month=f"{target.month:%Y-%m}",
        )


_KEEP = object()  # month_targets_set: leave the collection target as it is


@transaction.atomic
def month_targets_set(*, account: KeyAccount, month, store_amounts: dict, collection=_KEEP) -> int:
    """Set one month's targets of an account's stores in one go (the page), and its collection target unless
    `collection` is left out; an empty amount (None) removes that target. Every amount is checked before anything
    is written. `store_amounts` maps the account's stores to amounts. Returns the targets set."""
    rules.check_month_start(month)
    for store, amount in store_amounts.items():
        if store.account_id != account.pk:  # another chain's store: named nowhere
            raise not_found("store")
        rules.check_month_amount(amount, month=month, field=f"amount_{store.pk}")
    if collection is not _KEEP:
        rules.check_month_amount(collection, month=month, field="collection")
    empty = [store.pk for store, amount in store_amounts.items() if amount is None]
    StoreTarget.objects.filter(store_id__in=empty, month=month).delete()
    for store, amount in store_amounts.items():
        if amount is not None:
            StoreTarget.objects.update_or_create(store=store, month=month, defaults={"amount": amount})
    written = len(store_amounts) - len(empty)
    if collection is not _KEEP:
        if collection is None:
            CollectionTarget.objects.filter(account=account, month=month).delete()
        else:
            CollectionTarget.objects.update_or_create(account=account, month=month, defaults={"amount": collection})
            written += 1
    return written
