"""Template tags for the visit pages' text: a label and its answer joined as the reader's language joins them."""

from django import template
from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def label_value(label, value, strong: str = "") -> SafeString:
    """“label: value” with the language's colon (“标签：值” in Chinese, not an ASCII colon after Chinese words).
    `strong` ("label" or "value") puts that part in bold; both parts are escaped unless already safe."""
    parts = {"label": conditional_escape(label), "value": conditional_escape(value)}
    if strong in parts:
        parts[strong] = format_html("<strong>{}</strong>", parts[strong])
    return mark_safe(conditional_escape(gettext("%(label)s: %(value)s")) % parts)  # noqa: S308 (parts escaped)


@register.filter
def since(moment) -> str:
    """When a visit began, as a rep reads it beside "since": the time for today's (10:05), the day and time for an
    earlier day's (a check-out forgotten overnight), in the site's zone and the reader's date format."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    time = formats.time_format(local, "H:i")
    if local.date() == timezone.localdate():
        return time
    return f"{formats.date_format(local, 'SHORT_DATE_FORMAT')} {time}"
