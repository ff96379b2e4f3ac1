-- The dashboard's paid figures per quarter of an hour: for each shop, mode (test or live)
-- and quarter of an hour (UTC milliseconds / 900,000) in which payments were created, how
-- many of them are paid, their gross and their net. Every local day of every time zone
-- starts on a quarter of an hour, so a shop's last 30 days in its own time zone are at most
-- 2,976 rows of this table instead of every payment of the month (about 82,000 in a shop of
-- a million payments a year).
--
-- Triggers on `transactions` keep it in step in the same database transaction as the
-- change (approval, expiry, generated or imported rows): a row's old contribution is taken
-- away and its new one added.
--
-- Lines after `-- @sqlite` run only on SQLite, lines after `-- @postgres` only on PostgreSQL,
-- lines after `-- @both` on both (see `infra/db.rs`).

CREATE TABLE shop_paid_quarters (
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    test_mode BIGINT NOT NULL,
    quarter BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    gross_cents BIGINT NOT NULL,
    net_cents BIGINT NOT NULL,
    PRIMARY KEY (shop_id, test_mode, quarter)
);

INSERT INTO shop_paid_quarters (shop_id, test_mode, quarter, paid, gross_cents, net_cents)
SELECT shop_id, test_mode, created_at / 900000, COUNT(*), SUM(amount_cents), SUM(net_cents)
FROM transactions WHERE paid_at IS NOT NULL
GROUP BY shop_id, test_mode, created_at / 900000;

-- @sqlite
CREATE TRIGGER shop_paid_quarters_insert AFTER INSERT ON transactions
WHEN new.paid_at IS NOT NULL BEGIN
    INSERT INTO shop_paid_quarters (shop_id, test_mode, quarter, paid, gross_cents, net_cents)
    VALUES (new.shop_id, new.test_mode, new.created_at / 900000, 1, new.amount_cents, new.net_cents)
    ON CONFLICT (shop_id, test_mode, quarter) DO UPDATE SET paid = paid + excluded.paid,
        gross_cents = gross_cents + excluded.gross_cents, net_cents = net_cents + excluded.net_cents;
END;
CREATE TRIGGER shop_paid_quarters_update
AFTER UPDATE OF shop_id, test_mode, created_at, paid_at, amount_cents, net_cents ON transactions
WHEN old.paid_at IS NOT NULL OR new.paid_at IS NOT NULL BEGIN
    INSERT INTO shop_paid_quarters (shop_id, test_mode, quarter, paid, gross_cents, net_cents)
    SELECT old.shop_id, old.test_mode, old.created_at / 900000, -1, -old.amount_cents, -old.net_cents
    WHERE old.paid_at IS NOT NULL
    ON CONFLICT (shop_id, test_mode, quarter) DO UPDATE SET paid = paid + excluded.paid,
        gross_cents = gross_cents + excluded.gross_cents, net_cents = net_cents + excluded.net_cents;
    INSERT INTO shop_paid_quarters (shop_id, test_mode, quarter, paid, gross_cents, net_cents)
    SELECT new.shop_id, new.test_mode, new.created_at / 900000, 1, new.amount_cents, new.net_cents
    WHERE new.paid_at IS NOT NULL
    ON CONFLICT (shop_id, test_mode, quarter) DO UPDATE SET paid = paid + excluded.paid,
        gross_cents = gross_cents + excluded.gross_cents, net_cents = net_cents + excluded.net_cents;
END;
CREATE TRIGGER shop_paid_quarters_delete AFTER DELETE ON transactions
WHEN old.paid_at IS NOT NULL BEGIN
    INSERT INTO shop_paid_quarters (shop_id, test_mode, quarter, paid, gross_cents, net_cents)
    VALUES (old.shop_id, old.test_mode, old.created_at / 900000, -1, -old.amount_cents, -old.net_cents)
    ON CONFLICT (shop_id, test_mode, quarter) DO UPDATE SET paid = paid + excluded.paid,
        gross_cents = gross_cents + excluded.gross_cents, net_cents = net_cents + excluded.net_cents;
END;

-- @postgres
CREATE FUNCTION shop_paid_quarters_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.paid_at IS NOT NULL THEN
        INSERT INTO shop_paid_quarters AS q (shop_id, test_mode, quarter, paid, gross_cents, net_cents)
        VALUES (OLD.shop_id, OLD.test_mode, OLD.created_at / 900000, -1, -OLD.amount_cents, -OLD.net_cents)
        ON CONFLICT (shop_id, test_mode, quarter) DO UPDATE SET paid = q.paid + EXCLUDED.paid,
            gross_cents = q.gross_cents + EXCLUDED.gross_cents, net_cents = q.net_cents + EXCLUDED.net_cents;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.paid_at IS NOT NULL THEN
        INSERT INTO shop_paid_quarters AS q (shop_id, test_mode, quarter, paid, gross_cents, net_cents)
        VALUES (NEW.shop_id, NEW.test_mode, NEW.created_at / 900000, 1, NEW.amount_cents, NEW.net_cents)
        ON CONFLICT (shop_id, test_mode, quarter) DO UPDATE SET paid = q.paid + EXCLUDED.paid,
            gross_cents = q.gross_cents + EXCLUDED.gross_cents, net_cents = q.net_cents + EXCLUDED.net_cents;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER shop_paid_quarters_track
AFTER INSERT OR DELETE OR UPDATE OF shop_id, test_mode, created_at, paid_at, amount_cents, net_cents
ON transactions FOR EACH ROW EXECUTE FUNCTION shop_paid_quarters_track();
