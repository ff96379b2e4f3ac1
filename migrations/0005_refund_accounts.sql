-- Finnish bank-link refunds: the buyer gets a single-use link (only its hash is stored) to
-- give the bank account to send the refund to, until `claim_expires_at`.
ALTER TABLE refunds ADD COLUMN claim_token_hash TEXT;
ALTER TABLE refunds ADD COLUMN claim_expires_at BIGINT;
ALTER TABLE refunds ADD COLUMN account_holder TEXT;
ALTER TABLE refunds ADD COLUMN iban TEXT;
CREATE UNIQUE INDEX refunds_claim_token_idx ON refunds (claim_token_hash);
CREATE INDEX refunds_awaiting_idx ON refunds (status, claim_expires_at);

-- Where the shop's staff want mails about refunds (and, later, payments). Optional.
ALTER TABLE shops ADD COLUMN notification_email TEXT;
