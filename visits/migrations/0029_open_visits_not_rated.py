"""A visit is rated at its check-out (visits/services.py `_rate`): the visits still open lose the rating they were
given while being done (green before anything was checked), so no page, API answer or export reads them as rated."""

from django.db import migrations


def unrate_open_visits(apps, schema_editor):
    Visit = apps.get_model("visits", "Visit")
    # the open visits alone, read from their partial index (visit_open)
    Visit.objects.filter(checked_out_at__isnull=True).update(rating="", rating_reasons=[])


class Migration(migrations.Migration):
    dependencies = [("visits", "0028_task_change")]

    operations = [migrations.RunPython(unrate_open_visits, migrations.RunPython.noop, elidable=True)]
