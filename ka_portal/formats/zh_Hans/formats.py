"""Simplified Chinese dates (the scheme: ka_portal/formats/__init__.py)."""

DATE_FORMAT = "Y年n月j日"  # 2026年12月1日
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-12-01
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年12月1日 09:05
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-12-01 09:05
