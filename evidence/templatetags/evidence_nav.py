"""The tabs of the field-evidence pages, each shown to the roles whose permission reaches it."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ka_portal.permissions import can

register = template.Library()

# (label, url name, other url names of the tab, app model the role must be able to view)
TABS = [
    (_("Fraud signals"), "evidence:signal-list", ("signal-list", "signal-detail"), "fraudsignal"),
    (
        _("Display agreements"),
        "evidence:agreement-list",
        ("agreement-list", "agreement-detail", "agreement-new", "agreement-edit", "agreement-delete"),
        "displayagreement",
    ),
    (_("Competitors"), "evidence:competitor-list", ("competitor-list", "competitor-summary"), "competitorsighting"),
]


@register.simple_tag(takes_context=True)
def evidence_tabs(context) -> list[dict]:
    from django.apps import apps

    user = context["request"].user
    tabs = []
    for label, name, names, model in TABS:
        if not can(user, apps.get_model("evidence", model)):
            continue
        try:
            tabs.append({"label": label, "url": reverse(name), "names": names})
        except NoReverseMatch:
            continue
    return tabs
