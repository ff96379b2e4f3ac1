-- What a shop used in a month that a monthly fee charges for: the provider's shop modules
-- (plugin) and their logistics functions. The operator records it (`portal set-usage`);
-- the shop API will later.
CREATE TABLE shop_usage (
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    month TEXT NOT NULL,
    plugin BIGINT NOT NULL DEFAULT 0,
    logistics BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, month)
);

-- A month's charges that are not a payment's own fees: each monthly fee (posted on the
-- month's last day) and the VAT correction (posted on the next month's 1st), one row per
-- shop, month (YYYY-MM) and movement type, so each is posted once however often and on
-- however many instances the billing job runs. The charge's movements carry its id;
-- `explanation` is what the statement says about it.
CREATE TABLE charges (
    id BIGINT PRIMARY KEY,
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    month TEXT NOT NULL,
    kind TEXT NOT NULL,
    fee_cents BIGINT NOT NULL,
    vat_cents BIGINT NOT NULL,
    explanation TEXT NOT NULL,
    posted_at BIGINT NOT NULL,
    CONSTRAINT charges_shop_month_kind_key UNIQUE (shop_id, month, kind)
);
CREATE INDEX charges_shop_idx ON charges (shop_id, month);

-- The billing steps done per shop and month (`monthly_fees`, `vat_correction`), including
-- those that found nothing to charge, so a step is decided once.
CREATE TABLE billing_steps (
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    month TEXT NOT NULL,
    step TEXT NOT NULL,
    done_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, month, step)
);

ALTER TABLE movements ADD COLUMN charge_id BIGINT;
CREATE INDEX movements_charge_idx ON movements (charge_id);

-- A price list's monthly fees as JSON (account, plugin, logistics); none: the standard
-- 10.00, 10.00 and 5.00 EUR.
ALTER TABLE price_lists ADD COLUMN monthly TEXT;
