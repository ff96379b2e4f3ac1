-- The hosted payment page: the payment methods each shop offers, payments started from a
-- link, and the test connector's simulated bank.

-- A shop's payment methods as the buyer sees them: bank links by country (a bank that works
-- in several countries appears once per country) and cards (country '').
CREATE TABLE shop_channels (
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    country TEXT NOT NULL,
    channel TEXT NOT NULL,
    position BIGINT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (shop_id, country, channel)
);

INSERT INTO shop_channels (shop_id, country, channel, position)
SELECT s.id, c.country, c.channel, c.position FROM shops s CROSS JOIN (
    SELECT 'EE' AS country, 'swedbank' AS channel, 1 AS position
    UNION ALL SELECT 'EE' AS country, 'seb' AS channel, 2 AS position
    UNION ALL SELECT 'EE' AS country, 'lhv' AS channel, 3 AS position
    UNION ALL SELECT 'EE' AS country, 'luminor' AS channel, 4 AS position
    UNION ALL SELECT 'EE' AS country, 'krediidipank' AS channel, 5 AS position
    UNION ALL SELECT 'EE' AS country, 'citadele' AS channel, 6 AS position
    UNION ALL SELECT 'EE' AS country, 'pocopay' AS channel, 7 AS position
    UNION ALL SELECT 'EE' AS country, 'liisi_ee' AS channel, 8 AS position
    UNION ALL SELECT 'LV' AS country, 'swedbank' AS channel, 9 AS position
    UNION ALL SELECT 'LV' AS country, 'seb' AS channel, 10 AS position
    UNION ALL SELECT 'LV' AS country, 'citadele' AS channel, 11 AS position
    UNION ALL SELECT 'LV' AS country, 'luminor' AS channel, 12 AS position
    UNION ALL SELECT 'LT' AS country, 'swedbank' AS channel, 13 AS position
    UNION ALL SELECT 'LT' AS country, 'seb' AS channel, 14 AS position
    UNION ALL SELECT 'LT' AS country, 'luminor' AS channel, 15 AS position
    UNION ALL SELECT 'LT' AS country, 'citadele' AS channel, 16 AS position
    UNION ALL SELECT 'FI' AS country, 'nordea' AS channel, 17 AS position
    UNION ALL SELECT 'FI' AS country, 'pohjola' AS channel, 18 AS position
    UNION ALL SELECT 'FI' AS country, 'danske' AS channel, 19 AS position
    UNION ALL SELECT 'FI' AS country, 'aktia' AS channel, 20 AS position
    UNION ALL SELECT 'FI' AS country, 'spankki' AS channel, 21 AS position
    UNION ALL SELECT 'FI' AS country, 'handelsbanken' AS channel, 22 AS position
    UNION ALL SELECT 'FI' AS country, 'alandsbanken' AS channel, 23 AS position
    UNION ALL SELECT 'FI' AS country, 'poppankki' AS channel, 24 AS position
    UNION ALL SELECT 'FI' AS country, 'saastopankki' AS channel, 25 AS position
    UNION ALL SELECT 'FI' AS country, 'omasaastopankki' AS channel, 26 AS position
    UNION ALL SELECT 'FI' AS country, 'tapiola' AS channel, 27 AS position
    UNION ALL SELECT '' AS country, 'visa' AS channel, 28 AS position
    UNION ALL SELECT '' AS country, 'mastercard' AS channel, 29 AS position
    UNION ALL SELECT '' AS country, 'maestro' AS channel, 30 AS position
) c;

-- A payment started on a link's page: which link, in which language the buyer paid (for the
-- receipt), and which connector carries it.
ALTER TABLE transactions ADD COLUMN payment_link_id BIGINT REFERENCES payment_links (id);
ALTER TABLE transactions ADD COLUMN language TEXT;
ALTER TABLE transactions ADD COLUMN connector TEXT;
CREATE INDEX transactions_link_idx ON transactions (payment_link_id, status);
-- The expiry job looks for payments left unfinished on the payment page.
CREATE INDEX transactions_open_idx ON transactions (status, created_at) WHERE connector IS NOT NULL;

-- The test connector's bank: what the buyer chose on the simulated bank or card page. A real
-- connector asks the bank's API instead.
CREATE TABLE test_bank_decisions (
    transaction_id BIGINT PRIMARY KEY REFERENCES transactions (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'declined', 'cancelled')),
    decided_at BIGINT NOT NULL
);
