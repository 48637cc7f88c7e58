"""Suggested orders in force until superseded (issue 17): a row per pair and day becomes a row per change.

Each existing row is in force until the pair's next row (its `superseded_on` is that row's date), so the rows in
force on a past day are the ones that day's run wrote. The statement's version changes with this (see
visits/replenishment_incremental.py), so the first night after it is full and supersedes what no longer holds.
"""

import django.db.models.deletion
from django.db import migrations, models

UNTIL_NEXT_ROW = """
UPDATE visits_suggestedorder SET superseded_on = (
    SELECT MIN(n.date) FROM visits_suggestedorder n
    WHERE n.store_id = visits_suggestedorder.store_id AND n.product_id = visits_suggestedorder.product_id
      AND n.date > visits_suggestedorder.date
)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('stores', '0005_delivery_natural_key_unique'),
        ('visits', '0015_incremental_replenishment'),
    ]

    operations = [
        migrations.AlterField(
            model_name='replenishmentrun',
            name='base_date',
            field=models.DateField(blank=True, help_text='Incremental: the day of the run it carries on from.', null=True, verbose_name='base date'),
        ),
        # a night writes only changed pairs, each twice (a superseded version and a new row): one index fewer
        migrations.AlterField(
            model_name='suggestedorder',
            name='product',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='suggested_orders', to='stores.product', verbose_name='product'),
        ),
        migrations.RemoveIndex(
            model_name='suggestedorder',
            name='suggestedorder_date_store',
        ),
        migrations.AddField(
            model_name='replenishmentrun',
            name='pairs_changed',
            field=models.PositiveIntegerField(default=0, verbose_name='pairs changed'),
        ),
        migrations.AddField(
            model_name='suggestedorder',
            name='superseded_on',
            field=models.DateField(blank=True, help_text='Empty: still in force.', null=True, verbose_name='superseded on'),
        ),
        migrations.RunSQL(UNTIL_NEXT_ROW, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name='suggestedorder',
            constraint=models.UniqueConstraint(condition=models.Q(('superseded_on__isnull', True)), fields=('store', 'product'), name='suggestedorder_one_current_per_pair'),
        ),
        migrations.AddConstraint(
            model_name='suggestedorder',
            constraint=models.CheckConstraint(condition=models.Q(('superseded_on__isnull', True), ('superseded_on__gt', models.F('date')), _connector='OR'), name='suggestedorder_superseded_after_computed'),
        ),
    ]
