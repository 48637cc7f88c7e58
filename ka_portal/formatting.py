"""How people and quantities are written for a reader: one place, used by pages, API and exports."""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext, gettext_lazy, ngettext

from .bounds import PACKS_MAX


def _is_cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("CJK") for ch in text)


def format_money(value) -> str:
    """CNY with two places and thousands grouped as Chinese and English finance write it: 1,234.50; empty for
    None, "" or what is not a number."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{amount:,.2f}"


def format_distance(metres: int) -> str:
    """A distance as a rep reads it: 350 m, and from a kilometre on in km with one place (4098 → 4.1 km)."""
    if metres >= 1000:
        return gettext("%(km)s km") % {"km": f"{metres / 1000:.1f}"}
    return gettext("%(m)s m") % {"m": metres}


def hours_and_minutes(minutes: int) -> str:
    """A length of time in minutes as a reader takes it: "25 minutes" below two hours, "3 h 34 min" from two (not
    "214 minutes", which no one reads as three and a half hours)."""
    minutes = int(minutes)
    if minutes < 120:
        return ngettext("%(m)s minute", "%(m)s minutes", minutes) % {"m": minutes}
    return gettext("%(h)s h %(m)s min") % {"h": minutes // 60, "m": minutes % 60}


def display_name(user) -> str:
    """A user's name as people write it: 张伟 (family name first, no space) or Wei Zhang; else the username."""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if not (first or last):
        return user.username
    if _is_cjk(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def format_packs(packs: int | None, packs_per_case: int) -> str:
    """A quantity in packs as the KA sheets write it, `cases/packs`: 24 packs of 12 → `2`, 10 → `0/10`, 13 → `1/1`.

    A negative quantity (actual sales when the stock grew more than the deliveries explain) is written in packs,
    with its unit: −22 packs → `-22 包` / `-22 packs`, whatever the case size. Any `cases/packs` form of it misleads
    a rep (`-0/22` reads as zero, `-1/2` as one case less and two packs more, `-(0/22)` is read as neither), and
    the packs are the number the Excel export and the API give for it. Stock counts and suggestions, the API's
    quantities, are never negative."""
    if packs is None:
        return ""
    if packs < 0:
        return ngettext("%(packs)s pack", "%(packs)s packs", -int(packs)) % {"packs": int(packs)}
    cases, rest = divmod(int(packs), max(int(packs_per_case), 1))
    return f"{cases}" if rest == 0 else f"{cases}/{rest}"


class PacksNotationError(ValueError):
    """A quantity that is not valid `cases/packs` notation; `message` says why, for the reader."""

    def __init__(self, message, part: str | None = None) -> None:
        self.message = message
        self.part = part  # which of two fields is wrong ("cases" or "packs"), when the count came as two
        super().__init__(str(message))


# A typed count longer than this (leading zeros aside) is beyond any count a quantity may hold, whatever the case
# size: it is refused without being turned into a number (a pasted line of digits stays cheap to refuse).
_COUNT_DIGITS_MAX = 15


def _grouped(digits: str) -> str:
    """Typed digits as a number with its thousands grouped (99,999,999,999); a run too long to be a count is cut."""
    significant = digits.lstrip("0") or "0"
    if len(significant) > _COUNT_DIGITS_MAX:
        return f"{int(significant[:_COUNT_DIGITS_MAX]):,}…"
    return f"{int(significant):,}"


def count_in_words(cases: str | int | None, packs: str | int | None) -> str:
    """A count as the rep typed it, in their units, thousands grouped: `99,999,999,999 cases`, `3 cases 5 packs`,
    `20 packs` (a part left blank or 0 is not said, unless both are)."""
    parts = []
    for text, words in (
        (cases, lambda n, shown: ngettext("%(cases)s case", "%(cases)s cases", n) % {"cases": shown}),
        (packs, lambda n, shown: ngettext("%(packs)s pack", "%(packs)s packs", n) % {"packs": shown}),
    ):
        digits = str(text if text is not None else "").lstrip("0")
        if digits:
            # the plural form needs only the number's size: a run of digits too long to convert reads as many
            parts.append(words(int(digits) if len(digits) <= 6 else 1_000_000, _grouped(digits)))
    return " ".join(parts) or ngettext("%(packs)s pack", "%(packs)s packs", 0) % {"packs": 0}


def too_many(
    cases: str, packs: str, packs_per_case: int, *, two_fields: bool = True, stock_count: bool = False
) -> PacksNotationError:
    """More than a quantity may hold (PACKS_MAX), said in what the rep typed and in the most as cases and packs:
    "99,999,999,999 cases is more than a count may hold: at most 833,333 cases 4 packs (10,000,000 packs)".

    A `stock_count` (what is on the shelf: the visit's stock count, a promoter's shelf stock at close) says it as a
    rep reads it, with the most in the units typed: "99,999,999,999 cases is over the limit of one stock count:
    833,333 cases 4 packs" (packs typed alone: "… 10,000,000 packs")."""
    from django.utils.translation import gettext as _

    most_cases, most_packs = divmod(PACKS_MAX, max(int(packs_per_case), 1))
    part = ("cases" if (cases or "").lstrip("0") else "packs") if two_fields else None
    if stock_count:
        most = count_in_words(most_cases, most_packs) if (cases or "").lstrip("0") else count_in_words("", PACKS_MAX)
        return PacksNotationError(
            _("%(typed)s is over the limit of one stock count: %(most)s.")
            % {"typed": count_in_words(cases, packs), "most": most},
            part=part,
        )
    return PacksNotationError(
        _("%(typed)s is more than a count may hold: at most %(most)s (%(max)s packs).")
        % {
            "typed": count_in_words(cases, packs),
            "most": count_in_words(most_cases, most_packs),
            "max": f"{PACKS_MAX:,}",
        },  # fmt: skip
        part=part,
    )


def _total(cases: str, packs: str, packs_per_case: int) -> int | None:
    """cases × packs per case + packs from typed digits; None when that is certainly beyond PACKS_MAX (too many
    digits to be a count: never turned into a number)."""
    if any(len((text or "").lstrip("0")) > _COUNT_DIGITS_MAX for text in (cases, packs)):
        return None
    return int(cases or 0) * max(int(packs_per_case), 1) + int(packs or 0)


def _count_text(text) -> str:
    """A typed count as the rules read it, for both notations: full-width digits, slashes and minus (a Chinese
    keyboard) made plain, the minus sign (U+2212) a minus, spaces dropped. visit.js `problem()` reads it the same."""
    return unicodedata.normalize("NFKC", str(text or "")).strip().replace(" ", "").replace("\u2212", "-")


_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d*)?")
# A number written in digits: an optional sign and point. Python's Decimal also reads "1e5" (100000) and "1_000",
# which no one types for an amount: an integration's "1e5" stored a shelf price of ¥100,000.00.
_IN_DIGITS = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
NOT_IN_DIGITS = gettext_lazy("Write the number in digits, e.g. 12000.50.")


def number_not_in_digits(text: str) -> bool:
    """Whether Decimal reads `text` as a number though it is not written in digits ("1e5", "1_000"): the pages,
    the API and the imports refuse it with NOT_IN_DIGITS (what is no number at all each door says in its own way)."""
    text = str(text).strip()
    if not text or _IN_DIGITS.fullmatch(text):
        return False
    try:
        return Decimal(text).is_finite()  # NaN and Infinity are no number: said as such
    except ArithmeticError:
        return False


def typed_number(text: str) -> str:
    """A number as a Chinese keyboard types it, made plain for Decimal(): full-width digits and point, 。 as the
    point (the "." key in Chinese mode), a leading ¥, spaces, and commas that group thousands (12,000.50); a comma
    elsewhere (4,5) stays and is refused as not a number rather than read as 45."""
    plain = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "").replace("\u2212", "-")
    plain = plain.replace("\u3002", ".").lstrip("¥")
    if "," in plain and _GROUPED.fullmatch(plain):
        plain = plain.replace(",", "")
    return plain


def parse_packs(text: str, packs_per_case: int, *, stock_count: bool = False) -> int | None:
    """`cases/packs` → packs: `1` → 1 case, `0/10` → 10 packs, `1/1` → 1 case and 1 pack; blank → None.

    Full-width digits and slashes (a Chinese keyboard) are accepted. A pack count at or above the
    packs per case, a negative number or anything else is refused with a message for the field; more than a
    quantity may hold is said as a stock count's limit with `stock_count` (`too_many`).
    """
    from django.utils.translation import gettext as _

    value = _count_text(text)
    if not value:
        return None
    per_case = max(int(packs_per_case), 1)
    parts = value.split("/")
    if value.startswith("-") or any(part.startswith("-") for part in parts):
        raise PacksNotationError(_("A stock count cannot be negative."))
    if len(parts) > 2 or not all(part.isascii() and part.isdigit() for part in parts):
        raise PacksNotationError(
            _("Write the count as cases/packs, e.g. 1 (one case), 0/10 (ten packs) or 1/1 (one case and one pack).")
        )
    typed_cases, typed_packs = parts[0], parts[1] if len(parts) == 2 else ""
    total = _total(typed_cases, typed_packs, per_case)
    if total is None or total > PACKS_MAX:
        raise too_many(typed_cases, typed_packs, per_case, two_fields=False, stock_count=stock_count)
    cases = int(typed_cases)
    packs = int(typed_packs or 0)
    if packs >= per_case:
        raise PacksNotationError(
            _("%(packs)s packs is a case or more: a case holds %(per_case)s packs, so write %(written)s.")
            % {"packs": packs, "per_case": per_case, "written": format_packs(cases * per_case + packs, per_case)}
        )
    return total


def combine_packs(
    cases: str, packs: str, packs_per_case: int, *, stock_count: bool = False, product: str = ""
) -> int | None:
    """Two numeric fields, cases and packs (the visit page on a phone) → packs; both blank → None, one blank is 0.

    Full-width digits are accepted; a negative or non-whole number is refused with a message naming the field
    (`part`); more than a quantity may hold is said as a stock count's limit with `stock_count` (`too_many`). Loose
    packs of a case or more are refused as in the notation (SPEC §4: an input error), naming the `product` and what
    they come to (`loose_packs_refusal`): carried silently, a 3 typed as 30 of a 24-pack case was saved as 2 cases
    6 packs unseen.
    """
    from django.utils.translation import gettext as _

    values = {}
    for part, text in (("cases", cases), ("packs", packs)):
        value = _count_text(text)
        if value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
            raise PacksNotationError(_("A stock count cannot be negative."), part=part)
        if value and not (value.isascii() and value.isdigit()):
            message = _("Write a whole number of cases.") if part == "cases" else _("Write a whole number of packs.")
            raise PacksNotationError(message, part=part)
        values[part] = value
    if not values["cases"] and not values["packs"]:
        return None
    total = _total(values["cases"], values["packs"], packs_per_case)
    if total is None or total > PACKS_MAX:
        raise too_many(values["cases"], values["packs"], packs_per_case, stock_count=stock_count)
    refusal = loose_packs_refusal(int(values["cases"] or 0), int(values["packs"] or 0), packs_per_case, product=product)
    if refusal is not None:
        raise refusal
    return total


def loose_packs_refusal(cases: int, packs: int, packs_per_case: int, *, product: str = "") -> PacksNotationError | None:
    """Loose packs of a case or more, typed in the packs field beside the cases (SPEC §4: an input error), said with
    the product, the case size and what to write instead: "海川经典: 30 packs is a case or more (24 packs a case):
    write 2 cases 6 packs" (part "packs"); None when the packs are fewer than a case. The one rule for every entry of
    cases and packs in two fields."""
    from django.utils.translation import gettext as _

    per_case = max(int(packs_per_case), 1)
    if packs < per_case:
        return None
    whole, rest = divmod(cases * per_case + packs, per_case)
    params = {
        "product": product,
        "typed": count_in_words("", str(packs)),
        "per_case": per_case,
        "written": count_in_words(str(whole), str(rest)),
    }
    if product:
        message = _("%(product)s: %(typed)s is a case or more (%(per_case)s packs a case): write %(written)s.")
    else:
        message = _("%(typed)s is a case or more (%(per_case)s packs a case): write %(written)s.")
    return PacksNotationError(message % params, part="packs")


def account_name(account) -> str:
    """A chain's name in the reader's language: its English name for an English reader where it has one, else its
    name (沃尔玛 is Walmart to an English reader, 华联 without an English name stays 华联)."""
    from django.utils.translation import get_language

    if account is None:
        return ""
    english = getattr(account, "name_en", "")
    if english and (get_language() or "").startswith("en"):
        return english
    return account.name


def account_other_name(account) -> str:
    """The chain's name in the other language, to show beside account_name: 沃尔玛 beside Walmart for an English
    reader, Walmart beside 沃尔玛 for a Chinese one; empty for a chain without an English name."""
    english = getattr(account, "name_en", "") if account is not None else ""
    if not english:
        return ""
    return account.name if account_name(account) == english else english
