"""The rules of the contact log, contacts and sales targets: pure checks, no database.

The services (page, API, admin) and the target import call them, so a value is refused at every door with
the same code and message; the database backs them with check constraints (accounts/models.py).
"""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from ka_portal.bounds import check_money
from ka_portal.errors import DomainError, enforce, refusals  # noqa: F401 (the rules ask both: rules.refusals)


def check_follow_up(contact_date: date | None, follow_up_on: date | None) -> None:
    """A follow-up is never dated before the contact it follows."""
    if contact_date is not None and follow_up_on is not None and follow_up_on < contact_date:
        raise DomainError(
            "contact_log.follow_up_before_date",
            _("The follow-up date must not be before the contact date."),
            field="follow_up_on",
        )


def check_contact_date(contact_date: date | None, *, today: date) -> None:
    """A contact log records what happened: a contact is dated today at the latest (``today`` in Asia/Shanghai,
    timezone.localdate()), never ahead; what is planned goes in the follow-up date."""
    if contact_date is not None and contact_date > today:
        raise DomainError(
            "contact_log.date_in_future",
            _(
                "The contact date %(date)s is after today (%(today)s): log a contact once it has happened, and put "
                "the next one in the follow-up date."
            ),
            field="date",
            date=contact_date.isoformat(),
            today=today.isoformat(),
        )


def check_target_amount(amount: Decimal | None, *, month: int | None, field: str = "amount") -> None:
    """A monthly sales target is not negative (empty means no target, where the door allows it). The refusal names
    the month when it is one (a month refused too, or not read, is said beside its own field)."""
    if amount is not None and amount < 0:
        if month is None or not 1 <= month <= 12:
            raise DomainError("target.negative", NEGATIVE_WITHOUT_MONTH, field=field)
        raise DomainError(
            "target.negative",
            _("The target for month %(month)s must not be negative."),
            field=field,
            month=month,
        )


NEGATIVE_WITHOUT_MONTH = _("The target must not be negative.")


def check_target_month(month: int | None) -> None:
    if month is not None and not 1 <= month <= 12:
        raise DomainError("target.month", _("Month %(month)s is not between 1 and 12."), field="month", month=month)


# A record's rule is the tuple of its checks, each reading the record's values (a mapping by field name, as it will
# be stored): a service refuses with the first refusal (check_target, …), a form or the admin shows them all, each
# beside its field (refusals), so no field's refusal is left to the database's constraint to say in its own words.
TARGET = (
    lambda values: check_target_month(values.get("month")),
    lambda values: check_target_amount(values.get("amount"), month=values.get("month")),
)


def check_target(values) -> None:
    """A sales target as it will be stored (a mapping by field name): month 1–12, amount not negative."""
    enforce(TARGET, values)


def check_month_start(month: date | None, *, field: str = "month") -> None:
    """A store or collection target's month is written as the month's first day (2026-03-01 for March)."""
    if month is not None and month.day != 1:
        raise DomainError(
            "target.month_day",
            _("Give the month as its first day (%(first)s), not %(value)s."),
            field=field,
            first=month.replace(day=1).isoformat(),
            value=month.isoformat(),
        )


def check_month_amount(amount: Decimal | None, *, month: date | None, field: str = "amount") -> None:
    """A monthly target (a store's, a collection target) is not negative and fits its column."""
    if amount is not None and amount < 0:
        if month is None:  # a month not read is said beside its own field
            raise DomainError("target.negative", NEGATIVE_WITHOUT_MONTH, field=field)
        raise DomainError(
            "target.negative",
            _("The target for month %(month)s must not be negative."),
            field=field,
            month=f"{month:%Y-%m}",
        )
    if amount is not None:
        check_money(amount, field=field, label=_("The target"))


STORE_TARGET = (
    lambda values: check_month_start(values.get("month")),
    lambda values: check_month_amount(values.get("amount"), month=values.get("month")),
)
COLLECTION_TARGET = STORE_TARGET  # the same two rules: a month's first day, an amount not negative


def check_store_target(values) -> None:
    """A store target as it will be stored (a mapping by field name): month's first day, amount not negative."""
    enforce(STORE_TARGET, values)


check_collection_target = check_store_target


# --- a person's role and supervisor ---


def check_profile_supervisor(
    role: str | None, *, supervisor: str | None, supervisor_role: str | None, is_self: bool = False
) -> None:
    """Who a person reports to (`supervisor`: their name, None when there is none): only a sales rep has a
    supervisor, a KA supervisor (the team a supervisor's pages and scope read: ka_portal/scope.py), never themselves.
    `supervisor_role` is that person's role (None: none)."""
    if supervisor is None:
        return
    if is_self:
        raise DomainError(
            "profile.supervisor_self",
            _("%(name)s cannot be their own supervisor."),
            field="supervisor",
            name=supervisor,
        )
    if role != Role.REP:
        raise DomainError(
            "profile.supervisor_not_for_role",
            _("Only a sales rep has a supervisor: leave it empty for a %(role)s."),
            field="supervisor",
            role=Role(role).label if role in Role.values else role,
        )
    if supervisor_role != Role.SUPERVISOR:
        raise DomainError(
            "profile.supervisor_role",
            _("%(name)s is not a KA supervisor (%(role)s): a sales rep's supervisor must be a KA supervisor."),
            field="supervisor",
            name=supervisor,
            role=Role(supervisor_role).label if supervisor_role in Role.values else _("no role"),
        )


def check_role_change(old: str | None, new: str, *, name: str, stores: int = 0, team: int = 0) -> None:
    """A person whose role others' records rely on keeps it until those records are moved: a sales rep who is the
    rep of `stores` stores (a store's rep must be a sales rep: the store import and page refuse anyone else), a KA
    supervisor who leads `team` sales reps."""
    if old == Role.REP and new != Role.REP and stores:
        raise DomainError(
            "profile.rep_has_stores",
            _(
                "Stores with %(name)s as their sales rep: %(count)s. Give them to another sales rep before changing "
                "the role."
            ),
            field="role",
            name=name,
            count=stores,
        )
    if old == Role.SUPERVISOR and new != Role.SUPERVISOR and team:
        raise DomainError(
            "profile.supervisor_has_team",
            _("Sales reps led by %(name)s: %(count)s. Give them another supervisor before changing the role."),
            field="role",
            name=name,
            count=team,
        )
