"""The reasons the trade-spend ledger writes itself, by code (ka_portal.system_texts): an accrual line stores
the code and its parameters and the sentence is made when read, in the reader's language. An adjustment's
reason is typed by finance and kept as typed (AccrualLine.reason)."""

from django.utils.translation import gettext_lazy as _

from ka_portal.system_texts import register

NO_TARGET = "accrual.no_target"
YEAR_ACHIEVED = "accrual.year_achieved"
EXPECTED_TIER = "accrual.expected_tier"
TRUE_UP = "accrual.true_up"
NO_LONGER_DUE = "accrual.no_longer_due"

TEMPLATES = {
    NO_TARGET: _("No sales target for %(year)s: the lowest tier, %(rate)s %%."),
    YEAR_ACHIEVED: _("Year %(year)s achieved %(achievement)s %% of target: tier %(threshold)s %% → %(rate)s %%."),
    EXPECTED_TIER: _(
        "Expected tier: %(achievement)s %% of target to %(through)s → tier %(threshold)s %%, %(rate)s %%."
    ),
    TRUE_UP: _("Closed months are owed %(amount)s more (negative: less) than they hold."),
    NO_LONGER_DUE: _("No longer due; kept at 0 as deductions are matched to it."),
}

register(TEMPLATES)
