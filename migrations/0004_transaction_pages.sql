-- The transactions pages: what each payment added to the balance, when it closed, indices
-- for the list's sort orders, and the filters users save under a name.

-- What the payment added to the shop's balance when approved: the gross less the fees and
-- VAT deducted then (fees billed monthly are not deducted). Zero until approved.
ALTER TABLE transactions ADD COLUMN net_cents BIGINT NOT NULL DEFAULT 0;
UPDATE transactions SET net_cents = amount_cents - fee_cents - vat_cents WHERE paid_at IS NOT NULL;

-- When an unfinished payment was cancelled or expired, for its timeline.
ALTER TABLE transactions ADD COLUMN closed_at BIGINT;

CREATE INDEX transactions_shop_amount_idx ON transactions (shop_id, amount_cents, id);
CREATE INDEX transactions_shop_channel_idx ON transactions (shop_id, channel, created_at, id);
-- The detail page's fraud signals look up a buyer's other payments by e-mail and IP.
CREATE INDEX transactions_shop_email_idx ON transactions (shop_id, buyer_email, created_at);
CREATE INDEX transactions_shop_ip_idx ON transactions (shop_id, buyer_ip, created_at);

CREATE TABLE saved_views (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT saved_views_name_key UNIQUE (user_id, shop_id, name)
);
