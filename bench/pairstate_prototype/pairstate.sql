-- Prototype: the pair state, one row a (store, product), kept by statement-level triggers.
DROP FUNCTION IF EXISTS ps_refresh(integer[], integer[]);
DROP TABLE IF EXISTS ps_pair CASCADE;
CREATE TABLE ps_pair (
    store_id bigint NOT NULL,
    product_id bigint NOT NULL,
    cur_at timestamptz, cur_id bigint, cur_packs integer,
    prev_at timestamptz, prev_id bigint, prev_packs integer,
    delivered bigint NOT NULL DEFAULT 0,
    listed boolean NOT NULL DEFAULT false,
    PRIMARY KEY (store_id, product_id)
) WITH (fillfactor = 90);

-- Refresh the state of a set of pairs from their sources (the two latest counts by the 0018 pair index, the
-- deliveries between them, the listing).
CREATE OR REPLACE FUNCTION ps_refresh(pairs_store bigint[], pairs_product bigint[]) RETURNS void
LANGUAGE sql AS $$
INSERT INTO ps_pair AS t (store_id, product_id, cur_at, cur_id, cur_packs, prev_at, prev_id, prev_packs, delivered, listed)
SELECT k.s, k.p, c.cur_at, c.cur_id, c.cur_packs, c.prev_at, c.prev_id, c.prev_packs,
       COALESCE((SELECT SUM(d.quantity) FROM stores_delivery d WHERE d.store_id = k.s AND d.product_id = k.p
                 AND d.date > (c.prev_at AT TIME ZONE 'Asia/Shanghai')::date
                 AND d.date <= (c.cur_at AT TIME ZONE 'Asia/Shanghai')::date), 0),
       EXISTS (SELECT 1 FROM stores_listing l WHERE l.store_id = k.s AND l.product_id = k.p AND l.active)
FROM (SELECT DISTINCT s, p FROM unnest(pairs_store, pairs_product) u(s, p)) k
CROSS JOIN LATERAL (
    SELECT MAX(x.at) FILTER (WHERE x.n = 1) AS cur_at, MAX(x.id) FILTER (WHERE x.n = 1) AS cur_id,
           MAX(x.packs) FILTER (WHERE x.n = 1) AS cur_packs,
           MAX(x.at) FILTER (WHERE x.n = 2) AS prev_at, MAX(x.id) FILTER (WHERE x.n = 2) AS prev_id,
           MAX(x.packs) FILTER (WHERE x.n = 2) AS prev_packs
    FROM (SELECT sc.pair_checked_in_at AS at, sc.id, sc.packs, ROW_NUMBER() OVER () AS n FROM (
            SELECT pair_checked_in_at, id, packs FROM visits_stockcount
            WHERE pair_store_id = k.s AND product_id = k.p
            ORDER BY pair_checked_in_at DESC, id DESC LIMIT 2) sc) x
) c
ORDER BY k.s, k.p
ON CONFLICT (store_id, product_id) DO UPDATE SET
    cur_at = EXCLUDED.cur_at, cur_id = EXCLUDED.cur_id, cur_packs = EXCLUDED.cur_packs,
    prev_at = EXCLUDED.prev_at, prev_id = EXCLUDED.prev_id, prev_packs = EXCLUDED.prev_packs,
    delivered = EXCLUDED.delivered, listed = EXCLUDED.listed
$$;

-- stock counts: pairs of the new and old rows (pair_store_id is set by 0018's BEFORE trigger)
CREATE OR REPLACE FUNCTION ps_count_ins() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  PERFORM ps_refresh(array_agg(pair_store_id), array_agg(product_id)) FROM new_rows; RETURN NULL; END $$;
CREATE OR REPLACE FUNCTION ps_count_del() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  PERFORM ps_refresh(array_agg(pair_store_id), array_agg(product_id)) FROM old_rows; RETURN NULL; END $$;
CREATE OR REPLACE FUNCTION ps_count_upd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  PERFORM ps_refresh(array_agg(s), array_agg(p)) FROM (
      SELECT pair_store_id s, product_id p FROM old_rows UNION SELECT pair_store_id, product_id FROM new_rows) u;
  RETURN NULL; END $$;
CREATE OR REPLACE TRIGGER ps_count_ins AFTER INSERT ON visits_stockcount REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ps_count_ins();
CREATE OR REPLACE TRIGGER ps_count_del AFTER DELETE ON visits_stockcount REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ps_count_del();
CREATE OR REPLACE TRIGGER ps_count_upd AFTER UPDATE ON visits_stockcount REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ps_count_upd();

-- deliveries and listings: their own pair
CREATE OR REPLACE FUNCTION ps_sp_ins() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  PERFORM ps_refresh(array_agg(store_id), array_agg(product_id)) FROM new_rows; RETURN NULL; END $$;
CREATE OR REPLACE FUNCTION ps_sp_del() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  PERFORM ps_refresh(array_agg(store_id), array_agg(product_id)) FROM old_rows; RETURN NULL; END $$;
CREATE OR REPLACE FUNCTION ps_sp_upd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  PERFORM ps_refresh(array_agg(s), array_agg(p)) FROM (
      SELECT store_id s, product_id p FROM old_rows UNION SELECT store_id, product_id FROM new_rows) u;
  RETURN NULL; END $$;
CREATE OR REPLACE TRIGGER ps_delivery_ins AFTER INSERT ON stores_delivery REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ps_sp_ins();
CREATE OR REPLACE TRIGGER ps_delivery_del AFTER DELETE ON stores_delivery REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ps_sp_del();
CREATE OR REPLACE TRIGGER ps_delivery_upd AFTER UPDATE ON stores_delivery REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ps_sp_upd();
CREATE OR REPLACE TRIGGER ps_listing_ins AFTER INSERT ON stores_listing REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ps_sp_ins();
CREATE OR REPLACE TRIGGER ps_listing_del AFTER DELETE ON stores_listing REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ps_sp_del();
CREATE OR REPLACE TRIGGER ps_listing_upd AFTER UPDATE ON stores_listing REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ps_sp_upd();
