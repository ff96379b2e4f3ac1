-- A payout's page lists the payments it paid out, and the run marks the INCOME movements of
-- the payments it just marked: both look payments up by payout, which without this index
-- reads every payment of the shop.
CREATE INDEX transactions_payout_idx ON transactions (payout_id, paid_at, id) WHERE payout_id IS NOT NULL;
