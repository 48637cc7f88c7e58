"""Template filters for receivables: an aging bucket's value shown by its translated label."""

from django import template

from contracts.receivables import Bucket

register = template.Library()


@register.filter
def bucket_label(value) -> str:
    """``31_60`` → "31–60 days" in the page's language; empty for no bucket (a settled invoice)."""
    if not value or value not in Bucket.values:
        return ""
    return str(Bucket(value).label)
