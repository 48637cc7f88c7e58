"""A term's display agreements keyed by the calendar period they pay for (the term alone for a one-off fee), not by
the day the period starts: a term whose start moved had left its checked agreement behind and made a new one
without its evidence. Where that already happened, the agreement with the most checks takes the period's key (the
next generation moves it to the term's period and re-evaluates it); the others keep their old keys and are let go
as before (deleted unless a visit checked them)."""

from collections import defaultdict

from django.db import migrations
from django.db.models import Count


def _key(term_id, start_on, period):
    from datetime import date

    step = {"month": 1, "quarter": 3, "year": 12}.get(period)
    if step is None:
        return f"term:{term_id}"
    calendar = date(start_on.year, step * ((start_on.month - 1) // step) + 1, 1)
    return f"term:{term_id}:{calendar:%Y%m%d}"


def rekey(apps, schema_editor):
    DisplayAgreement = apps.get_model("evidence", "DisplayAgreement")
    rows = (
        DisplayAgreement.objects.filter(source="term", term__isnull=False)
        .select_related("term")
        .annotate(checked=Count("checks"))
        .order_by("pk")
    )
    by_key = defaultdict(list)
    for agreement in rows:
        by_key[_key(agreement.term_id, agreement.start_on, agreement.term.period)].append(agreement)
    for key, agreements in by_key.items():
        winner = max(agreements, key=lambda a: (a.checked, a.pk))
        if winner.source_key == key:
            continue
        for holder in DisplayAgreement.objects.filter(source_key=key).exclude(pk=winner.pk):
            DisplayAgreement.objects.filter(pk=holder.pk).update(source_key=f"old:{holder.pk}")
        DisplayAgreement.objects.filter(pk=winner.pk).update(source_key=key)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_visit_evidence")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
