"""The suggested orders in force now in an index of their own, newest first (the list's order).

The list of suggested orders (page and API) shows the rows in force now, newest first, with their count. Without
an index naming them it read every row of its stores: a pair keeps one for every change, some fifty after a year of
weekly counts, so on the issue-15 bench with a year of history the page's two statements took 1.2 s for an
administrator and 1.1 s for a KA manager; 40 ms and 25 ms with this index. Superseding a row now takes it out of
this index, so it is no longer a HOT update (migration 0017): a night's changed pair writes two more index entries
(docs/performance.md).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stores', '0007_listing_active_pair'),
        ('visits', '0023_suggested_orders_flagged_index'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='suggestedorder',
            options={'ordering': ['-date', 'store_id', 'product_id'], 'verbose_name': 'suggested order', 'verbose_name_plural': 'suggested orders'},
        ),
        migrations.AddIndex(
            model_name='suggestedorder',
            index=models.Index(condition=models.Q(('superseded_on__isnull', True)), fields=['-date', 'store', 'product'], name='suggestedorder_in_force'),
        ),
    ]
