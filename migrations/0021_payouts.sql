-- Payouts: one aggregate transfer per shop and payout day (the unique key makes the job
-- idempotent and safe to run on several instances at once), debited from the ledger as
-- one PAYOUT movement. `breakdown` is what the payout page explains, as JSON cents.
-- A run's SEPA credit transfer file (pain.001.001.03) holds every payout of the run.
CREATE TABLE payout_runs (
    id BIGINT PRIMARY KEY,
    run_date TEXT NOT NULL,
    payouts BIGINT NOT NULL,
    total_cents BIGINT NOT NULL,
    file TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE payouts (
    id BIGINT PRIMARY KEY,
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    payout_date TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    payments BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'sent')),
    iban TEXT NOT NULL,
    holder TEXT NOT NULL,
    breakdown TEXT NOT NULL,
    run_id BIGINT REFERENCES payout_runs (id),
    created_at BIGINT NOT NULL,
    CONSTRAINT payouts_shop_day_key UNIQUE (shop_id, payout_date)
);
CREATE INDEX payouts_shop_idx ON payouts (shop_id, payout_date);
CREATE INDEX payouts_unsent_idx ON payouts (payout_date) WHERE run_id IS NULL;

-- Paid live payments not yet paid out: the job reads what is held and what is payable
-- through this index, which stays small as payouts take rows out of it.
CREATE INDEX transactions_unpaid_out_idx ON transactions (shop_id, paid_at)
    WHERE payout_id IS NULL AND paid_at IS NOT NULL AND test_mode = 0;
