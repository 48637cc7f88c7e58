"""A generated agreement its source no longer grants is flagged (`source_gone`) instead of a sentence appended to
its note in the language of whoever's change set it off: the sentence is said where the agreement is shown, in the
reader's language. Notes that carry it (in either language) lose that line and take the flag."""

from django.db import migrations, models

# The sentence as generation wrote it until now, in each language the portal speaks (frozen here).
GONE = {
    "Its source no longer grants this display; kept for the visits that checked it.",
    "来源已不再包含该陈列；因已有拜访核查而保留。",
}


def flag(apps, schema_editor):
    DisplayAgreement = apps.get_model("evidence", "DisplayAgreement")
    for agreement in DisplayAgreement.objects.exclude(note="").only("pk", "note"):
        lines = agreement.note.split("\n")
        kept = [line for line in lines if line.strip() not in GONE]
        if len(kept) != len(lines):
            DisplayAgreement.objects.filter(pk=agreement.pk).update(note="\n".join(kept).strip(), source_gone=True)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_term_agreement_keys")]

    operations = [
        migrations.AddField(
            model_name="displayagreement",
            name="source_gone",
            field=models.BooleanField(default=False, editable=False, verbose_name="source no longer grants it"),
        ),
        migrations.RunPython(flag, migrations.RunPython.noop),
    ]
