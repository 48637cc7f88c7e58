"""Before the contact log's follow-up rule becomes a constraint (0003): a follow-up dated before its contact
(the API's update let it through) is moved to the contact date — still due, nothing lost."""

from django.db import migrations
from django.db.models import F


def fix_follow_ups(apps, schema_editor):
    ContactLog = apps.get_model("accounts", "ContactLog")
    ContactLog.objects.filter(follow_up_on__lt=F("date")).update(follow_up_on=F("date"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(fix_follow_ups, migrations.RunPython.noop)]
