-- The smallest amount a buyer may pay through a payment method of a shop, where the
-- operator set one (`portal set-method-minimum`). Without a row the minimum is worked out
-- from the shop's price list: the smallest amount whose full fees and VAT leave the
-- merchant something, so that no fee is ever cut to fit the payment.
CREATE TABLE method_minimums (
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    channel TEXT NOT NULL,
    minimum_cents BIGINT NOT NULL CHECK (minimum_cents > 0),
    set_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, channel)
);
