-- Refunds of approved payments. A refund is `done` when its REFUND movement is posted. A
-- Finnish bank-link refund first waits for the buyer's account (`awaiting_account`) with its
-- amount reserved on the shop's balance, and `failed` if none is given in time.
CREATE TABLE refunds (
    id BIGINT PRIMARY KEY,
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    transaction_id BIGINT NOT NULL REFERENCES transactions (id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    status TEXT NOT NULL CHECK (status IN ('done', 'awaiting_account', 'failed')),
    comment TEXT,
    idempotency_key TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    done_at BIGINT,
    CONSTRAINT refunds_idempotency_key UNIQUE (shop_id, idempotency_key)
);
CREATE INDEX refunds_transaction_idx ON refunds (transaction_id);
