"""The notes the promotion workflow writes itself, by code (ka_portal.system_texts): stored as code and
parameters on the plan's transition log and made a sentence in the reader's language when read."""

from django.utils.translation import gettext_lazy as _

from ka_portal.system_texts import register

FIRST_APPROVAL = "promotion.first_approval"
START_REACHED = "promotion.start_reached"
END_PASSED = "promotion.end_passed"
FIRST_APPROVAL_VOID = "promotion.first_approval_void"
REOPENED_FROM = "promotion.reopened_from"
REOPENED_AS = "promotion.reopened_as"

TEMPLATES = {
    FIRST_APPROVAL: _("First approval; an admin's approval is needed."),
    START_REACHED: _("Start date reached."),
    END_PASSED: _("End date passed."),
    FIRST_APPROVAL_VOID: _("The first approval by %(who)s no longer holds."),
    REOPENED_FROM: _("Reopened from plan no. %(id)s, rejected: %(reason)s"),
    REOPENED_AS: _("Reopened as draft no. %(id)s."),
}

register(TEMPLATES)
