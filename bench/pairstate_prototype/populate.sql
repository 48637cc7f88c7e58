-- fill the state of every pair from the sources in one pass (what a migration would do)
INSERT INTO ps_pair (store_id, product_id, cur_at, cur_id, cur_packs, prev_at, prev_id, prev_packs, delivered, listed)
SELECT r.s, r.p, r.cur_at, r.cur_id, r.cur_packs, r.prev_at, r.prev_id, r.prev_packs,
       COALESCE((SELECT SUM(d.quantity) FROM stores_delivery d WHERE d.store_id = r.s AND d.product_id = r.p
                 AND d.date > (r.prev_at AT TIME ZONE 'Asia/Shanghai')::date
                 AND d.date <= (r.cur_at AT TIME ZONE 'Asia/Shanghai')::date), 0),
       EXISTS (SELECT 1 FROM stores_listing l WHERE l.store_id = r.s AND l.product_id = r.p AND l.active)
FROM (
    SELECT DISTINCT ON (sc.pair_store_id, sc.product_id) sc.pair_store_id s, sc.product_id p,
           sc.pair_checked_in_at cur_at, sc.id cur_id, sc.packs cur_packs,
           LEAD(sc.pair_checked_in_at) OVER w prev_at, LEAD(sc.id) OVER w prev_id, LEAD(sc.packs) OVER w prev_packs
    FROM visits_stockcount sc
    WINDOW w AS (PARTITION BY sc.pair_store_id, sc.product_id ORDER BY sc.pair_checked_in_at DESC, sc.id DESC)
    ORDER BY sc.pair_store_id, sc.product_id, sc.pair_checked_in_at DESC, sc.id DESC
) r
ORDER BY r.s, r.p;
-- listed pairs never counted
INSERT INTO ps_pair (store_id, product_id, listed)
SELECT DISTINCT l.store_id, l.product_id, true FROM stores_listing l
WHERE l.active AND NOT EXISTS (SELECT 1 FROM ps_pair p WHERE p.store_id = l.store_id AND p.product_id = l.product_id);
VACUUM (ANALYZE) ps_pair;
