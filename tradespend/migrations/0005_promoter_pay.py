# Promoters' pay as trade spend (issue 16): the ledger's PROMOTER source, with or without a plan.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tradespend', '0004_accrual_reasons_as_codes'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='accrualline',
            name='accrualline_source_matches_reference',
        ),
        migrations.AlterField(
            model_name='accrualline',
            name='source',
            field=models.CharField(choices=[('term', 'Contract term'), ('plan', 'Promotion plan'), ('promoter', 'Promoter pay'), ('adjustment', 'Adjustment')], max_length=12, verbose_name='source'),
        ),
        migrations.AddConstraint(
            model_name='accrualline',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('plan__isnull', True), ('source', 'term'), ('term__isnull', False)), models.Q(('plan__isnull', False), ('source', 'plan'), ('term__isnull', True)), models.Q(('source', 'promoter'), ('term__isnull', True)), ('source', 'adjustment'), _connector='OR'), name='accrualline_source_matches_reference'),
        ),
    ]
