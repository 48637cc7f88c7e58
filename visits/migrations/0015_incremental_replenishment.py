"""Incremental nights (issue 17 item 2): the run's mode and settings fingerprint, and the change log its triggers fill.

The triggers are the one place that sees every write (pages, API, imports, admin, raw SQL) to an input of the
suggested order: a stock count or its visit, a promoter's close (sell-out line or its shift), a delivery, a listing,
a product's packs per case. Each writes the (store, product) pairs it touches, before and after an update, into
visits_replenishmentchange. SQLite and PostgreSQL each get their own dialect.
"""

from django.db import migrations, models

CHANGE = "visits_replenishmentchange"

# table: (columns whose update matters, SELECT of the (store_id, product_id) pairs of row {r})
WATCHED = {
    "visits_stockcount": (
        ("visit_id", "product_id", "packs"),
        "SELECT v.store_id, {r}.product_id FROM visits_visit v WHERE v.id = {r}.visit_id",
    ),
    "visits_visit": (
        ("store_id", "checked_in_at"),
        "SELECT {r}.store_id, sc.product_id FROM visits_stockcount sc WHERE sc.visit_id = {r}.id",
    ),
    "stores_delivery": (("store_id", "product_id", "date", "quantity"), "SELECT {r}.store_id, {r}.product_id"),
    "stores_listing": (("store_id", "product_id", "active"), "SELECT {r}.store_id, {r}.product_id"),
    "stores_product": (
        ("packs_per_case", "active"),
        "SELECT l.store_id, l.product_id FROM stores_listing l WHERE l.product_id = {r}.id",
    ),
    "promoters_selloutline": (
        ("shift_id", "product_id", "shelf_stock", "reported_at"),
        "SELECT s.store_id, {r}.product_id FROM promoters_shift s WHERE s.id = {r}.shift_id",
    ),
    "promoters_shift": (
        ("store_id", "day", "checked_out_at"),
        "SELECT {r}.store_id, so.product_id FROM promoters_selloutline so WHERE so.shift_id = {r}.id",
    ),
}


def _insert(select: str, row: str) -> str:
    return f"INSERT INTO {CHANGE} (store_id, product_id) {select.format(r=row)};"


def _sqlite(table: str, columns: tuple, select: str) -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    return [
        f"CREATE TRIGGER ka_repl_{table}_ins AFTER INSERT ON {table} BEGIN {_insert(select, 'NEW')} END",
        f"CREATE TRIGGER ka_repl_{table}_del AFTER DELETE ON {table} BEGIN {_insert(select, 'OLD')} END",
        f"CREATE TRIGGER ka_repl_{table}_upd AFTER UPDATE ON {table} WHEN {changed} "
        f"BEGIN {_insert(select, 'OLD')} {_insert(select, 'NEW')} END",
    ]


def _postgresql(table: str, columns: tuple, select: str) -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    return [
        f"CREATE OR REPLACE FUNCTION ka_repl_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_insert(select, 'OLD')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_insert(select, 'NEW')} END IF; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER ka_repl_{table}_insdel AFTER INSERT OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION ka_repl_{table}()",
        f"CREATE TRIGGER ka_repl_{table}_upd AFTER UPDATE ON {table} "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION ka_repl_{table}()",
    ]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"incremental replenishment triggers for {vendor}")
    build = _sqlite if vendor == "sqlite" else _postgresql
    for table, (columns, select) in WATCHED.items():
        for statement in build(table, columns, select):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for table in WATCHED:
        for suffix in ("ins", "del", "upd", "insdel"):
            on = f" ON {table}" if postgresql else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS ka_repl_{table}_{suffix}{on}")
        if postgresql:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS ka_repl_{table}()")


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0014_transition_message_code"),
        ("stores", "0005_delivery_natural_key_unique"),
        ("promoters", "0001_roster_shifts_sell_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="replenishmentrun",
            name="mode",
            field=models.CharField(
                choices=[("full", "Full"), ("incremental", "Incremental")],
                default="full",
                max_length=12,
                verbose_name="mode",
            ),
        ),
        migrations.AddField(
            model_name="replenishmentrun",
            name="settings_fingerprint",
            field=models.CharField(blank=True, max_length=64, verbose_name="settings fingerprint"),
        ),
        migrations.AddField(
            model_name="replenishmentrun",
            name="base_date",
            field=models.DateField(
                blank=True, help_text="Incremental: the day copied from.", null=True, verbose_name="base date"
            ),
        ),
        migrations.AddField(
            model_name="replenishmentrun",
            name="pairs_recomputed",
            field=models.PositiveIntegerField(default=0, verbose_name="pairs recomputed"),
        ),
        migrations.CreateModel(
            name="ReplenishmentChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("store_id", models.BigIntegerField()),
                ("product_id", models.BigIntegerField()),
                ("run_id", models.BigIntegerField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "replenishment change",
                "verbose_name_plural": "replenishment changes",
                "indexes": [
                    models.Index(fields=["store_id", "product_id"], name="replchange_store_product"),
                    models.Index(fields=["run_id"], name="replchange_run"),
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
