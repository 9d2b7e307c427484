"""Bind idempotency keys to a payload fingerprint, and install the posting path's one-round-trip prepare step.

`inventory_prepare_posting` claims the key, creates and locks what a posting touches in the ledger's global
order (posting key → reservations by pk → lots by (item, code) → levels by (item, location, lot NULLS FIRST)
→ valuations by item) and returns everything the Python planner needs as one JSON document, so a posting
costs BEGIN, this call, one write statement and COMMIT whatever its line count."""

from django.db import migrations, models

LINES = (
    "jsonb_to_recordset(v_lines) AS l(item bigint, src bigint, dst bigint, lot bigint, lot_tracked boolean, "
    "src_stock boolean, dst_stock boolean)"
)

PREPARE = """
CREATE OR REPLACE FUNCTION inventory_prepare_posting(
    p_key text, p_fingerprint text, p_document_type text, p_document_id bigint, p_actor text, p_reason text,
    p_occurred_at timestamptz, p_posted_at timestamptz, p_reverses_id bigint, p_consume_reference text,
    p_timezone text, p_lines jsonb
) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    v_posting bigint;
    v_existing record;
    v_lines jsonb;
    v_reservations jsonb := '[]';
    v_reservation_ids bigint[] := '{}';
    v_levels jsonb;
    v_lots jsonb;
    v_valuations jsonb;
    v_historical jsonb;
    v_items jsonb;
    v_locations jsonb;
BEGIN
    INSERT INTO inventory_posting
        (idempotency_key, fingerprint, document_type, document_id, actor, reason, occurred_at, posted_at, reverses_id)
    VALUES (p_key, p_fingerprint, p_document_type, p_document_id, left(p_actor, 200), p_reason, p_occurred_at,
            p_posted_at, p_reverses_id)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO v_posting;
    IF v_posting IS NULL THEN
        -- The key is taken (a concurrent holder has committed by now): the caller compares fingerprints.
        SELECT id, fingerprint INTO v_existing FROM inventory_posting WHERE idempotency_key = p_key;
        RETURN jsonb_build_object('existing', v_existing.id, 'fingerprint', v_existing.fingerprint)::text;
    END IF;

    SELECT coalesce(jsonb_agg(jsonb_build_array(i.id, i.sku, i.lot_tracked, i.shelf_life_days, i.cost_method,
                                                i.removal_strategy)), '[]')
      INTO v_items
      FROM catalog_item i WHERE i.id IN (SELECT (l->>'item')::bigint FROM jsonb_array_elements(p_lines) l);
    SELECT coalesce(jsonb_agg(jsonb_build_array(o.id, o.code, o.kind)), '[]')
      INTO v_locations
      FROM locations_location o
     WHERE o.id IN (SELECT (l->>'src')::bigint FROM jsonb_array_elements(p_lines) l
                    UNION SELECT (l->>'dst')::bigint FROM jsonb_array_elements(p_lines) l);

    IF p_consume_reference IS NOT NULL THEN
        SELECT coalesce(jsonb_agg(jsonb_build_array(r.id, r.item_id, r.location_id, r.lot_id, r.quantity) ORDER BY r.id), '[]'),
               coalesce(array_agg(r.id), '{}')
          INTO v_reservations, v_reservation_ids
          FROM (SELECT id, item_id, location_id, lot_id, quantity FROM inventory_reservation
                 WHERE reference = p_consume_reference AND state = 'active' ORDER BY id FOR UPDATE) r;
    END IF;

    -- Lines of known items and locations only: an unknown id is refused by the caller with a typed error.
    -- (A jsonb variable, not a temporary table: truncating one at every commit costs more than the posting.)
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'idx', l.idx, 'item', l.item, 'src', l.src, 'dst', l.dst, 'lot_id', l.lot_id, 'lot_code', l.lot_code,
               'expiry', l.expiry, 'unit_cost', l.unit_cost, 'lot_tracked', i.lot_tracked,
               'shelf_life', i.shelf_life_days, 'src_stock', s.kind IN ('internal', 'transit'),
               'dst_stock', d.kind IN ('internal', 'transit'))), '[]')
      INTO v_lines
      FROM jsonb_to_recordset(p_lines) AS l(idx int, item bigint, src bigint, dst bigint, lot_id bigint, lot_code text,
                                             expiry date, unit_cost numeric)
      JOIN catalog_item i ON i.id = l.item
      JOIN locations_location s ON s.id = l.src
      JOIN locations_location d ON d.id = l.dst;

    -- New lots received from outside (the last line of a code wins, as in the planner), sorted by (item, code).
    IF jsonb_path_exists(v_lines, '$[*] ? (@.lot_code != null)') THEN
        INSERT INTO inventory_lot (item_id, code, expiry_date, received_at, unit_cost)
        SELECT n.item, n.lot_code, n.expiry, p_occurred_at, n.unit_cost
          FROM (SELECT DISTINCT ON (l.item, l.lot_code) l.item, l.lot_code,
                       coalesce(l.expiry, (p_occurred_at AT TIME ZONE p_timezone)::date + nullif(l.shelf_life, 0)) AS expiry,
                       l.unit_cost
                  FROM jsonb_to_recordset(v_lines) AS l(idx int, item bigint, lot_id bigint, lot_code text, expiry date,
                                                        unit_cost numeric, lot_tracked boolean, shelf_life int,
                                                        src_stock boolean)
                 WHERE l.lot_tracked AND l.lot_id IS NULL AND l.lot_code IS NOT NULL AND NOT l.src_stock
                 ORDER BY l.item, l.lot_code, l.idx DESC) n
         ORDER BY n.item, n.lot_code
        ON CONFLICT DO NOTHING;
    END IF;
    IF jsonb_path_exists(v_lines, '$[*] ? (@.lot_code != null || @.lot_id != null)') THEN
        SELECT jsonb_agg(jsonb_set(e, '{lot}', coalesce(to_jsonb(coalesce(
                   (SELECT t.id FROM inventory_lot t WHERE t.id = (e->>'lot_id')::bigint AND t.item_id = (e->>'item')::bigint),
                   (SELECT t.id FROM inventory_lot t WHERE e->>'lot_id' IS NULL AND t.item_id = (e->>'item')::bigint
                                                       AND t.code = e->>'lot_code'))), 'null'::jsonb)))
          INTO v_lines
          FROM jsonb_array_elements(v_lines) e;
    END IF;
    -- The level rows this posting may touch, created sorted so racing creators queue in the global order.
    INSERT INTO inventory_stocklevel (item_id, location_id, lot_id, on_hand, reserved)
    SELECT k.item, k.loc, k.lot, 0, 0
      FROM (SELECT l.item, l.src AS loc, l.lot FROM {LINES}
             WHERE l.src_stock AND NOT (l.lot_tracked AND l.lot IS NULL)
            UNION
            SELECT l.item, l.dst, l.lot FROM {LINES}
             WHERE l.dst_stock AND NOT (l.lot_tracked AND l.lot IS NULL)
            UNION
            -- a lot-tracked line split by removal strategy may land any lot of its source at its target
            SELECT l.item, l.dst, s.lot_id FROM {LINES}
              JOIN inventory_stocklevel s ON s.item_id = l.item AND s.location_id = l.src AND s.lot_id IS NOT NULL
             WHERE l.lot_tracked AND l.lot IS NULL AND l.dst_stock) k
     ORDER BY k.item, k.loc, k.lot NULLS FIRST
    ON CONFLICT DO NOTHING;

    SELECT coalesce(jsonb_agg(jsonb_build_array(x.id, x.item_id, x.location_id, x.lot_id, x.on_hand, x.reserved)), '[]')
      INTO v_levels
      FROM (SELECT s.id, s.item_id, s.location_id, s.lot_id, s.on_hand, s.reserved
              FROM inventory_stocklevel s
             WHERE (s.item_id, s.location_id) IN (
                   SELECT l.item, l.src FROM {LINES} WHERE l.src_stock
                   UNION SELECT l.item, l.dst FROM {LINES} WHERE l.dst_stock
                   UNION SELECT r.item_id, r.location_id FROM inventory_reservation r WHERE r.id = ANY(v_reservation_ids))
             ORDER BY s.item_id, s.location_id, s.lot_id NULLS FIRST
               FOR UPDATE) x;

    -- Valuations of the items entering or leaving valued stock: created sorted, then locked by item.
    INSERT INTO inventory_itemvaluation (item_id, on_hand, average_cost, inventory_value)
    SELECT DISTINCT l.item, 0, 0, 0 FROM {LINES} WHERE l.src_stock <> l.dst_stock
     ORDER BY 1
    ON CONFLICT DO NOTHING;
    SELECT coalesce(jsonb_agg(jsonb_build_array(x.item_id, x.on_hand, x.average_cost, x.inventory_value,
                                                x.last_occurred_at, x.moving)), '[]')
      INTO v_valuations
      FROM (SELECT v.item_id, v.on_hand, v.average_cost, v.inventory_value, v.last_occurred_at, true AS moving
              FROM inventory_itemvaluation v
             WHERE v.item_id IN (SELECT l.item FROM {LINES} WHERE l.src_stock <> l.dst_stock)
             ORDER BY v.item_id FOR UPDATE) x;
    SELECT v_valuations || coalesce(jsonb_agg(jsonb_build_array(v.item_id, v.on_hand, v.average_cost, v.inventory_value,
                                                                v.last_occurred_at, false)), '[]')
      INTO v_valuations
      FROM inventory_itemvaluation v
     WHERE v.item_id IN (SELECT l.item FROM {LINES})
       AND v.item_id NOT IN (SELECT l.item FROM {LINES} WHERE l.src_stock <> l.dst_stock);

    -- A backdated posting valued at the average books the difference to the average of its time.
    SELECT coalesce(jsonb_object_agg(v.item_id::text, (
               SELECT m.item_average_cost FROM inventory_stockmove m
                WHERE m.item_id = v.item_id AND m.occurred_at <= p_occurred_at
                ORDER BY m.occurred_at DESC, m.id DESC LIMIT 1)), '{}')
      INTO v_historical
      FROM inventory_itemvaluation v
     WHERE v.item_id IN (SELECT l.item FROM {LINES} WHERE l.src_stock <> l.dst_stock)
       AND v.last_occurred_at > p_occurred_at;

    SELECT coalesce(jsonb_agg(jsonb_build_array(t.id, t.item_id, t.code, t.expiry_date, t.received_at, t.unit_cost)), '[]')
      INTO v_lots
      FROM inventory_lot t
     WHERE t.id IN (SELECT l.lot FROM {LINES} WHERE l.lot IS NOT NULL
                    UNION SELECT (e->>'lot_id')::bigint FROM jsonb_array_elements(p_lines) e
                    UNION SELECT (e->>3)::bigint FROM jsonb_array_elements(v_levels) e);

    RETURN jsonb_build_object(
        'posting', v_posting, 'items', v_items, 'locations', v_locations, 'reservations', v_reservations,
        'levels', v_levels, 'valuations', v_valuations, 'historical', v_historical, 'lots', v_lots)::text;
END;
$fn$;
""".replace("{LINES}", LINES)

DROP = "DROP FUNCTION IF EXISTS inventory_prepare_posting(text, text, text, bigint, text, text, timestamptz, timestamptz, bigint, text, text, jsonb);"


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_stockmove_append_only")]

    operations = [
        migrations.AddField(
            model_name="posting",
            name="fingerprint",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunSQL(PREPARE, DROP),
    ]
