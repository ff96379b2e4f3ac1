-- A payout covers the shop's live paid payments of each channel group paid in a range of
-- time: from the previous payout's end to its own cut-off (bank links paid before the day
-- before the previous banking day, cards before seven banking days back). The ranges are
-- stored with the payout, and a payment's payout is read from them, so the run writes a
-- few rows per shop whatever the number of payments it pays out — instead of marking every
-- payment and its INCOME movement, which on PostgreSQL rewrote each row into every index of
-- its table (0.2 ms a row: three minutes for a million payments).
ALTER TABLE payouts ADD COLUMN bank_from BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payouts ADD COLUMN bank_to BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payouts ADD COLUMN card_from BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payouts ADD COLUMN card_to BIGINT NOT NULL DEFAULT 0;

-- Payouts made before: their ranges from the payments they marked (each ends just after
-- its last payment; each starts where the shop's earlier payouts ended).
UPDATE payouts SET
    bank_to = COALESCE((SELECT MAX(t.paid_at) + 1 FROM transactions t WHERE t.payout_id = payouts.id
        AND t.channel NOT IN ('visa', 'mastercard', 'maestro')), 0),
    card_to = COALESCE((SELECT MAX(t.paid_at) + 1 FROM transactions t WHERE t.payout_id = payouts.id
        AND t.channel IN ('visa', 'mastercard', 'maestro')), 0);
UPDATE payouts SET
    bank_from = COALESCE((SELECT MAX(q.bank_to) FROM payouts q WHERE q.shop_id = payouts.shop_id
        AND q.payout_date < payouts.payout_date), 0),
    card_from = COALESCE((SELECT MAX(q.card_to) FROM payouts q WHERE q.shop_id = payouts.shop_id
        AND q.payout_date < payouts.payout_date), 0);
UPDATE payouts SET bank_to = bank_from WHERE bank_to < bank_from;
UPDATE payouts SET card_to = card_from WHERE card_to < card_from;
UPDATE movements SET payout_id = NULL WHERE kind = 'INCOME' AND payout_id IS NOT NULL;

DROP INDEX transactions_unpaid_out_idx;
DROP INDEX transactions_payout_idx;
ALTER TABLE transactions DROP COLUMN payout_id;

-- The run sums what is still held (paid after a cut-off) and counts what a payout covers;
-- the payout's page lists its payments in the order they were paid.
CREATE INDEX transactions_paid_live_idx ON transactions (shop_id, paid_at, id)
    WHERE paid_at IS NOT NULL AND test_mode = 0;
