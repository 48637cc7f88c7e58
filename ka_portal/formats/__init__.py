"""Date formats per language (settings.FORMAT_MODULE_PATH), one scheme for every page:

- a date in a sentence or a heading: DATE_FORMAT, in words — 2026年12月1日 / 1 Dec 2026;
- a date in a table, a list or a range: SHORT_DATE_FORMAT, ISO in both languages — 2026-12-01 (it sorts, it
  fits a column, and a Chinese and an English reader read it alike);
- with the time: DATETIME_FORMAT (2026年12月1日 09:05 / 1 Dec 2026 09:05) and SHORT_DATETIME_FORMAT
  (2026-12-01 09:05), a 24-hour clock in both.
Pages write {{ day|date:"SHORT_DATE_FORMAT" }}, never a pattern. Compact labels where a column is narrow stay as
patterns that read the same in both languages: a month as "Y-m" (2026-12), a day of a known month as "m-d".
Values for machines (<input type=date>, URLs, Excel cells, the API) stay ISO and are not formatted here.
Input formats are ISO in both languages (DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS); anything else not set here
(numbers) is Django's own for the language."""

from django.utils.translation import gettext_noop

# A weekday's name ({{ day|date:"l" }}: Today, the home page, a promoter's day) is Django's, translated by the
# project's catalogue before Django's own: the project writes them 周一 … 周日 where Django's writes 星期一 … 星期日.
# All seven are named here so the catalogue holds every one; with Monday–Saturday alone (the route's days), Sunday
# read 星期日 beside 周一 … 周六.
WEEKDAY_NAMES = (
    gettext_noop("Monday"),
    gettext_noop("Tuesday"),
    gettext_noop("Wednesday"),
    gettext_noop("Thursday"),
    gettext_noop("Friday"),
    gettext_noop("Saturday"),
    gettext_noop("Sunday"),
)
