-- Test and live money apart: a payment link is made in test or live mode (the mode its maker
-- looked at), and its payments inherit it (`transactions.test_mode`). Test payments go to the
-- test bank, carry no fees and never reach the ledger; lists show them only to a user who
-- switched to test data.
ALTER TABLE payment_links ADD COLUMN test_mode BIGINT NOT NULL DEFAULT 0;

-- Test payments are few among a shop's live ones: the test view's lists read them through
-- this index instead of walking every payment of the shop.
CREATE INDEX transactions_test_idx ON transactions (shop_id, created_at, id) WHERE test_mode = 1;
