-- Payment links: a merchant sends a link, the buyer pays on the hosted page.

-- The largest amount one link may ask for, and the payment page's default language.
ALTER TABLE shops ADD COLUMN payment_limit_cents BIGINT NOT NULL DEFAULT 1000000;
ALTER TABLE shops ADD COLUMN language TEXT NOT NULL DEFAULT 'et';

-- `token` is the unguessable part of the link (256 random bits). It is kept, not hashed, so
-- the link can be shown and sent again: it only lets someone pay the merchant. A link is
-- `active` until paid (single use), deactivated, or past `expires_at` (shown as expired).
CREATE TABLE payment_links (
    id BIGINT PRIMARY KEY,
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    token TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    reference TEXT NOT NULL,
    description TEXT,
    buyer_name TEXT,
    buyer_email TEXT,
    language TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    reusable BIGINT NOT NULL,
    max_payments BIGINT,
    payments_made BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('active', 'paid', 'deactivated')),
    deactivation_message TEXT,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    CONSTRAINT payment_links_token_key UNIQUE (token)
);
CREATE INDEX payment_links_shop_idx ON payment_links (shop_id, created_at);
