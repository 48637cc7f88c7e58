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
