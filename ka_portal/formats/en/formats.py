"""English dates (the scheme: ka_portal/formats/__init__.py): day month year as in British usage, a 24-hour clock."""

DATE_FORMAT = "j M Y"  # 1 Dec 2026
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-12-01
DATETIME_FORMAT = "j M Y H:i"  # 1 Dec 2026 09:05
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-12-01 09:05
TIME_FORMAT = "H:i"  # 09:05, as in Chinese
# What a form reads as a day or a moment: ISO only, in both languages, as the date pickers, the API and its schema
# write them (Django's own read 05/12/2026 as 12 May in English and 2026/12/05 only in Chinese; ka_portal/days.py).
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
