"""The reasons the trade-spend ledger writes itself, by code (ka_portal.system_texts): an accrual line stores
the code and its parameters and the sentence is made when read, in the reader's language. An adjustment's
reason is typed by finance and kept as typed (AccrualLine.reason)."""

from django.utils.translation import gettext_lazy as _

from ka_portal.system_texts import register

NO_TARGET = "accrual.no_target"
YEAR_ACHIEVED = "accrual.year_achieved"
EXPECTED_TIER = "accrual.expected_tier"
TRUE_UP = "accrual.true_up"  # written before true-ups named their months and source; kept for such rows
TRUE_UP_FOR = "accrual.true_up_for"
NO_LONGER_DUE = "accrual.no_longer_due"
# Promoters' pay (issue 16, tradespend/promoter_pay.py)
PROMOTER_DAILY = "accrual.promoter_daily"
PROMOTER_MONTHLY = "accrual.promoter_monthly"
PROMOTER_MONTHLY_ROSTER = "accrual.promoter_monthly_roster"
PROMOTER_PLAN = "accrual.promoter_plan"
# a day's fee over several shifts (PROMOTER_DAILY stays for one shift a day, each wholly at the line's account)
PROMOTER_DAILY_DAYS = "accrual.promoter_daily_days"
# Display fees not evidenced (issue 13): taken off the term's or plan's line that pays them
NOT_EVIDENCED = "accrual.not_evidenced"

TEMPLATES = {
    NO_TARGET: _("No sales target for %(year)s: the lowest tier, %(rate)s %%."),
    YEAR_ACHIEVED: _("Year %(year)s achieved %(achievement)s %% of target: tier %(threshold)s %% → %(rate)s %%."),
    EXPECTED_TIER: _(
        "Expected tier: %(achievement)s %% of target to %(through)s → tier %(threshold)s %%, %(rate)s %%."
    ),
    TRUE_UP: _("Closed months are owed %(amount)s more (negative: less) than they hold."),
    TRUE_UP_FOR: _(
        "True-up for %(source)s, closed months %(months)s: owed %(amount)s more (negative: less) than they hold."
    ),
    NO_LONGER_DUE: _("No longer due; kept at 0 as deductions are matched to it."),
    PROMOTER_DAILY: _("Promoter %(promoter)s: daily fee %(fee)s × %(shifts)s (shifts attended)."),
    PROMOTER_DAILY_DAYS: _(
        "Promoter %(promoter)s: daily fee %(fee)s per day worked; %(shifts)s shifts attended here on %(days)s days "
        "(a day's fee is split by hours over that day's shifts)."
    ),
    PROMOTER_MONTHLY: _(
        "Promoter %(promoter)s: monthly pay %(pay)s for %(days)s/%(month_days)s days on the roster, split by "
        "shifts: %(shifts)s of %(all)s here."
    ),
    PROMOTER_MONTHLY_ROSTER: _(
        "Promoter %(promoter)s: monthly pay %(pay)s for %(days)s/%(month_days)s days on the roster; no shift this "
        "month, so split by the stores on the roster: %(shifts)s of %(all)s here."
    ),
    PROMOTER_PLAN: _("Promoters' pay for shifts on this plan (%(shifts)s): %(promoters)s."),
    NOT_EVIDENCED: _("%(amount)s of display fees not evidenced at the stores: not owed."),
}

MONEY = {
    TRUE_UP: ("amount",),
    TRUE_UP_FOR: ("amount",),
    PROMOTER_DAILY: ("fee",),
    PROMOTER_DAILY_DAYS: ("fee",),
    PROMOTER_MONTHLY: ("pay",),
    PROMOTER_MONTHLY_ROSTER: ("pay",),
    NOT_EVIDENCED: ("amount",),
}

register(TEMPLATES, money=MONEY)

# Why the ledger released a deduction's automatic match (matching.release_unbacked, kept on a MatchRelease): the line
# it was matched to was lowered under its matches. Kept apart from TEMPLATES, which the ledger's search reads.
RELEASE_LOWERED = "release.lowered"
RELEASE_MOVED = "release.moved"
RELEASE_NOT_EVIDENCED = "release.not_evidenced"
RELEASE_NO_LONGER_DUE = "release.no_longer_due"

RELEASE_TEMPLATES = {
    RELEASE_LOWERED: _("Its fee was lowered: the line held %(line_amount)s while %(matched)s was matched to it."),
    RELEASE_MOVED: _("Its display agreement's period was moved: the fee is now payable in %(month)s."),
    RELEASE_NOT_EVIDENCED: _("Its display was not evidenced at the stores: the fee is not owed."),
    RELEASE_NO_LONGER_DUE: _("The fee is no longer due: its source ended, changed or was removed."),
}

register(RELEASE_TEMPLATES, money={RELEASE_LOWERED: ("line_amount", "matched")})
