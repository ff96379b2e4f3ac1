-- The account statement finds a period's first movement by time: one lookup per bound
-- (`statements::statement`), then reads the period as a range of posting numbers.
CREATE INDEX movements_shop_at_idx ON movements (shop_id, at, seq);
