"""Each pair's latest counts in one index probe (issue 17 items 2 and 3), PostgreSQL only.

A stock count names its visit, and the visit its store and time; the pair (store, product) and the count's time are
in two tables. To find a pair's two latest counts, the job had to walk every visit of the store and probe each in
the count index: an incremental night paid that for every changed pair (most probes finding nothing), and a visit's
save paid it for every count ever taken at its store, a cost that grew with the store's history.

On PostgreSQL a stock count now also carries its visit's store and check-in time, in two columns the database keeps
(`pair_store_id`, `pair_checked_in_at`; the ORM does not know them): a BEFORE trigger copies them from the visit when
a count is written, and a trigger on the visit copies a moved store or time to its counts. The index on (store,
product, time, id) with the packs included then answers "the pair's latest two counts up to a time" with one probe
(visits/replenishment_job.py, `_pair_counts_sql`). SQLite keeps computing from the visits (the window over a store's
counts), as before.

On a large table the UPDATE rewrites every count and the index is built while writes wait: a maintenance window
(docs/scaling.md).
"""

from django.db import migrations

COUNT, VISIT = "visits_stockcount", "visits_visit"

FORWARD = [
    f"ALTER TABLE {COUNT} ADD COLUMN pair_store_id integer, ADD COLUMN pair_checked_in_at timestamp with time zone",
    f"UPDATE {COUNT} sc SET pair_store_id = v.store_id, pair_checked_in_at = v.checked_in_at "
    f"FROM {VISIT} v WHERE v.id = sc.visit_id",
    f"""CREATE OR REPLACE FUNCTION ka_count_pair() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        SELECT v.store_id, v.checked_in_at INTO NEW.pair_store_id, NEW.pair_checked_in_at
        FROM {VISIT} v WHERE v.id = NEW.visit_id;
        RETURN NEW; END $$""",
    f"CREATE TRIGGER ka_count_pair BEFORE INSERT OR UPDATE OF visit_id ON {COUNT} "
    "FOR EACH ROW EXECUTE FUNCTION ka_count_pair()",
    f"""CREATE OR REPLACE FUNCTION ka_visit_count_pairs() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        UPDATE {COUNT} SET pair_store_id = NEW.store_id, pair_checked_in_at = NEW.checked_in_at
        WHERE visit_id = NEW.id;
        RETURN NULL; END $$""",
    f"CREATE TRIGGER ka_visit_count_pairs AFTER UPDATE OF store_id, checked_in_at ON {VISIT} FOR EACH ROW "
    "WHEN (OLD.store_id IS DISTINCT FROM NEW.store_id OR OLD.checked_in_at IS DISTINCT FROM NEW.checked_in_at) "
    "EXECUTE FUNCTION ka_visit_count_pairs()",
    f"CREATE INDEX stockcount_pair_latest ON {COUNT} "
    "(pair_store_id, product_id, pair_checked_in_at DESC, id DESC) INCLUDE (packs)",
]

BACKWARD = [
    f"DROP TRIGGER IF EXISTS ka_visit_count_pairs ON {VISIT}",
    "DROP FUNCTION IF EXISTS ka_visit_count_pairs()",
    f"DROP TRIGGER IF EXISTS ka_count_pair ON {COUNT}",
    "DROP FUNCTION IF EXISTS ka_count_pair()",
    f"ALTER TABLE {COUNT} DROP COLUMN IF EXISTS pair_store_id, DROP COLUMN IF EXISTS pair_checked_in_at",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0017_suggested_orders_hot_superseding"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
