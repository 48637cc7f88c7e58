"""Superseding a suggested order is a HOT update (issue 17 item 2): no index names `superseded_on`.

A night supersedes each changed pair's row in force (`superseded_on` = the day) and inserts its new row. The partial
unique index "one current row per pair" had `superseded_on` in its predicate, so PostgreSQL could never update such a
row in place on its page (a heap-only tuple): every superseded row got a new version with entries in every index, at
random places of the table — about two thirds of an incremental night's time. Without it, and with room left on each
page (fillfactor 90: a tenth of a page, about nine row versions, for the updates of the nights to come), the
superseding touches one heap page and no index. A run finds the rows in force through the unique (store, product,
date) index, and "at most one current row per pair" rests on the job (every run supersedes before it inserts;
tests/visits/test_replenishment_incremental.py asserts it on random histories).

The fillfactor applies to pages written from now on; an existing table takes it for its old pages after a rewrite
(`VACUUM FULL visits_suggestedorder`, in a maintenance window).

With it, `ReplenishmentRun.tallies_carried`: an incremental night's pairs and flagged carried from the previous
night's plus its differences, instead of a count of every row in force per chunk; and the change log loses
`run_id`: an incremental run no longer claims every logged row when it starts (an UPDATE of the whole log on one
worker), each chunk takes its stores' rows out of the log in the statement that answers them.
"""

from django.db import migrations, models

FILLFACTOR = 90


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE visits_suggestedorder SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE visits_suggestedorder RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0016_suggested_orders_in_force_until_superseded'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='suggestedorder',
            name='suggestedorder_one_current_per_pair',
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False),
        migrations.RemoveIndex(
            model_name='replenishmentchange',
            name='replchange_run',
        ),
        migrations.RemoveField(
            model_name='replenishmentchange',
            name='run_id',
        ),
        migrations.AddField(
            model_name='replenishmentrun',
            name='tallies_carried',
            field=models.BooleanField(default=False, verbose_name='tallies carried from the base run'),
        ),
    ]
