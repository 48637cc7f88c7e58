"""Template filters and tags shared by every app's pages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.html import format_html

from ka_portal.formatting import account_name as _account_name
from ka_portal.formatting import account_other_name as _account_other_name
from ka_portal.formatting import count_in_words, format_distance, format_money, format_packs, hours_and_minutes
from ka_portal.formatting import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    return _display_name(user) if user else ""


@register.filter
def local_name(account) -> str:
    """A chain's name in the reader's language: {{ account|local_name }} (ka_portal.formatting.account_name)."""
    return _account_name(account)


@register.filter
def other_name(account) -> str:
    """The chain's name in the other language, shown small beside {{ account|local_name }}; empty without one."""
    return _account_other_name(account)


@register.filter
def money(value) -> str:
    """CNY with two places and thousands grouped as Chinese and English finance write it: 1,234.50."""
    return format_money(value)


@register.filter
def percent(value, places: int = 2) -> str:
    """A ratio as a percentage: Decimal('1.6039') → 160.39 %. Empty (—) for None."""
    if value is None or value == "":
        return "—"
    try:
        scaled = Decimal(value) * 100
    except (InvalidOperation, TypeError, ValueError):
        return "—"
    return f"{floatformat(scaled, f'{int(places)}g')} %"


@register.filter
def distance(metres) -> str:
    """Metres as a rep reads them: {{ visit.distance_m|distance }} → 350 m, 4.1 km."""
    return "" if metres is None else format_distance(int(metres))


@register.filter
def in_hours_and_minutes(minutes) -> str:
    """A length of time in minutes as a reader takes it: "25 minutes" below two hours, "13 h 5 min" from two
    (ka_portal.formatting.hours_and_minutes)."""
    return "" if minutes is None else hours_and_minutes(minutes)


@register.filter
def packs_in_words(value, packs_per_case) -> str:
    """A count as a two-field form (箱, 包) takes it, in words: 17 packs of 12 → "1 case 5 packs" / "1箱 5包"."""
    if value is None:
        return ""
    cases, rest = divmod(int(value), max(int(packs_per_case), 1))
    return count_in_words(cases, rest)


@register.filter
def packs(value, packs_per_case) -> str:
    """Packs in the `cases/packs` notation: {{ count.quantity|packs:product.packs_per_case }}."""
    return format_packs(value, packs_per_case or 1)


@register.simple_tag
def days(first, last) -> str:
    """A period from one day to another that may break between the two on a narrow screen, never inside a day:
    "2026-01-01 –" over "2026-12-31" rather than a column (or a week's arrows) pushed past a phone's edge."""
    return format_html(
        '<span class="text-nowrap">{} –</span> <span class="text-nowrap">{}</span>',
        date_format(first, "SHORT_DATE_FORMAT"),
        date_format(last, "SHORT_DATE_FORMAT"),
    )


@register.simple_tag(takes_context=True)
def come_back_to(context) -> str:
    """Where a form in the page's frame (the language switch) brings the user back to: this address; but a page drawn
    in answer to a POST (a refusal shown where the form was sent: /visits/7/review/) is not one to open again — its
    address answers a GET with 405 — so the page the form was sent from (its Referer, when on this site), else
    home."""
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    request = context["request"]
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return reverse("home")


@register.simple_tag(takes_context=True)
def sort_link(context, field: str, label) -> str:
    """A column header that sorts the list by `field` (django-filter's OrderingFilter param `o`), toggling direction."""
    request = context["request"]
    current = request.GET.get("o", "")
    descending = current == field
    params = request.GET.copy()
    params["o"] = f"-{field}" if descending else field
    params.pop("page", None)
    arrow = " ▲" if current == field else " ▼" if current == f"-{field}" else ""
    return format_html('<a href="?{}" class="sort-link">{}{}</a>', params.urlencode(), label, arrow)
