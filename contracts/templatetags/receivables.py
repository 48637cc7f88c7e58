"""Template filters for finance pages: an aging bucket and a contract's status today, by their translated labels."""

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext

from contracts.models import Contract
from contracts.receivables import Bucket

register = template.Library()


@register.filter
def bucket_label(value) -> str:
    """``31_60`` → "31–60 days" in the page's language; empty for no bucket (a settled invoice)."""
    if not value or value not in Bucket.values:
        return ""
    return str(Bucket(value).label)


@register.filter
def contract_status_label(contract) -> str:
    """The contract's status as of today (``status_today`` from contracts.selectors.contracts_for), by its label; a
    terminated one's with the day it ended (``terminated_on``)."""
    status = getattr(contract, "status_today", None) or contract.status
    if status == Contract.Status.TERMINATED and contract.terminated_on:
        return gettext("Terminated on %(day)s") % {"day": date_format(contract.terminated_on, "SHORT_DATE_FORMAT")}
    return str(Contract.Status(status).label)
