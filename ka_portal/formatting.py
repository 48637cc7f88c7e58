"""How people and quantities are written for a reader: one place, used by pages, API and exports."""

import unicodedata


def _is_cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("CJK") for ch in text)


def display_name(user) -> str:
    """A user's name as people write it: 张伟 (family name first, no space) or Wei Zhang; else the username."""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if not (first or last):
        return user.username
    if _is_cjk(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def format_packs(packs: int | None, packs_per_case: int) -> str:
    """A quantity in packs as the KA sheets write it, `cases/packs`: 24 packs of 12 → `2`, 10 → `0/10`, 13 → `1/1`."""
    if packs is None:
        return ""
    sign = "-" if packs < 0 else ""
    cases, rest = divmod(abs(int(packs)), max(int(packs_per_case), 1))
    return f"{sign}{cases}" if rest == 0 else f"{sign}{cases}/{rest}"
