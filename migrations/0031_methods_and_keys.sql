-- Payment methods with their activation, and API keys.
--
-- A method the provider has activated for the shop (`activated_at`) is offered while the
-- admin keeps it switched on (`active`); one not activated yet is asked for with a request
-- to the provider (kind `payment_method:<code>`), which the operator applies. The methods
-- every shop had so far were offered, so they count as activated when the shop was made.
ALTER TABLE shop_channels ADD COLUMN activated_at BIGINT;
UPDATE shop_channels SET activated_at = (SELECT created_at FROM shops WHERE shops.id = shop_channels.shop_id);

-- A shop's API keys, per mode (`test` or `live`): the publishable key, and its secrets. Only
-- a secret's SHA-256 is stored (it carries 256 random bits) with its last four characters
-- to tell it apart. A replaced secret stays valid until `expires_at` (the grace period the
-- admin chose); the current one has none.
CREATE TABLE api_publishable_keys (
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    publishable TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, mode)
);
CREATE TABLE api_secrets (
    id BIGINT PRIMARY KEY,
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    secret_hash TEXT NOT NULL,
    last_four TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    expires_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_secrets_shop_idx ON api_secrets (shop_id, mode);
-- Failed Basic checks per shop and caller address: the throttle reads the last minute.
CREATE TABLE api_auth_failures (
    shop_id BIGINT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX api_auth_failures_idx ON api_auth_failures (shop_id, ip, at);

-- What the provider has on record from the contract, changed only through a request: the
-- shop's domain and the merchant's registry code.
ALTER TABLE shops ADD COLUMN domain TEXT;
ALTER TABLE merchants ADD COLUMN registry_code TEXT;
