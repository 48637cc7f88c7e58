"""Django's own form messages that its Simplified Chinese catalogue words poorly, worded again in this project's.

Django's zh_Hans says "确保该变量包含不超过 100 字符 (目前字符数 120)。" for a text too long (a "variable", half-width
brackets) and "确认小数不超过 2 位." for an amount with three decimals (a half-width full stop). Reps, managers and
finance clerks meet these messages in forms and in the rows an Excel import refuses. LOCALE_PATHS comes before
Django's own catalogues, so the same message ids translated in locale/ are what every form shows. Nothing imports
this module: it names the ids so that `makemessages` keeps them in the catalogues. Each must be Django's id word for
word (django/core/validators.py, django/forms/fields.py, django/forms/models.py);
tests/ka_portal/test_django_messages.py fails when Django changes one.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

MESSAGES = (
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        "max",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        "max",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit before the decimal point.",
        "Ensure that there are no more than %(max)s digits before the decimal point.",
        "max",
    ),
    _("Select a valid choice. %(value)s is not one of the available choices."),
    _("Select a valid choice. That choice is not one of the available choices."),
)
