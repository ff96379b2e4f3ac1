-- Only fee movements of monthly charges carry a charge: the index holds those rows only,
-- instead of an entry for every movement of every shop.
DROP INDEX movements_charge_idx;
CREATE INDEX movements_charge_idx ON movements (charge_id) WHERE charge_id IS NOT NULL;
