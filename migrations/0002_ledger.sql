-- Price lists, transactions and the append-only ledger of movements on each shop's account.
-- Amounts are integer euro cents; movements are signed (credit > 0, debit < 0).

-- A price list applies from `valid_from`. Standard lists (merchant_id NULL) apply to every
-- merchant without a negotiated one; a special offer applies until `valid_until`, after which
-- the list that applied before it applies again. `rules` is the fee engine's PriceList as JSON.
CREATE TABLE price_lists (
    id BIGINT PRIMARY KEY,
    merchant_id BIGINT REFERENCES merchants (id),
    kind TEXT NOT NULL CHECK (kind IN ('standard', 'negotiated', 'special_offer')),
    name TEXT NOT NULL,
    rules TEXT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX price_lists_merchant_idx ON price_lists (merchant_id, kind, valid_from);

CREATE TABLE transactions (
    id BIGINT PRIMARY KEY,
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    reference TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    currency TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('created', 'pending', 'approved', 'cancelled', 'expired', 'part_refunded', 'refunded')),
    test_mode BIGINT NOT NULL,
    buyer_name TEXT,
    buyer_email TEXT,
    buyer_ip TEXT,
    buyer_country TEXT,
    description TEXT,
    price_list_id BIGINT REFERENCES price_lists (id),
    fee_cents BIGINT NOT NULL DEFAULT 0,
    vat_cents BIGINT NOT NULL DEFAULT 0,
    refunded_cents BIGINT NOT NULL DEFAULT 0,
    payout_id BIGINT,
    created_at BIGINT NOT NULL,
    paid_at BIGINT
);
CREATE INDEX transactions_shop_created_idx ON transactions (shop_id, created_at, id);

-- The running balance of each shop, updated in the same database transaction as the
-- movements it sums; its row is the lock that orders a shop's postings.
CREATE TABLE shop_balances (
    shop_id BIGINT PRIMARY KEY REFERENCES shops (id),
    balance_cents BIGINT NOT NULL,
    reserved_cents BIGINT NOT NULL,
    last_seq BIGINT NOT NULL
);

-- Append-only: every change of a shop's balance, in order (`seq`), with the balance after it.
CREATE TABLE movements (
    id BIGINT PRIMARY KEY,
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    balance_after_cents BIGINT NOT NULL,
    transaction_id BIGINT REFERENCES transactions (id),
    refund_id BIGINT,
    payout_id BIGINT,
    at BIGINT NOT NULL,
    CONSTRAINT movements_shop_seq_key UNIQUE (shop_id, seq)
);
CREATE INDEX movements_transaction_idx ON movements (transaction_id);
