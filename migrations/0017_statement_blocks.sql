-- The statement's totals per movement type without reading a month of movements: for each
-- shop, block of 1,024 posting numbers (`seq / 1024`) and type, how many movements there
-- are and what they took out (debit) and brought in (credit). A period is a range of
-- posting numbers, so its totals are the whole blocks inside it from this table plus at
-- most two partial blocks read from `movements` (`statements::statement::totals`): exact,
-- whatever the times of the movements.
--
-- Movements are append-only; a trigger adds each one to its block in the same database
-- transaction.
--
-- Lines after `-- @sqlite` run only on SQLite, lines after `-- @postgres` only on PostgreSQL,
-- lines after `-- @both` on both (see `infra/db.rs`).

CREATE TABLE shop_movement_blocks (
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    block BIGINT NOT NULL,
    kind TEXT NOT NULL,
    entries BIGINT NOT NULL,
    debit_cents BIGINT NOT NULL,
    credit_cents BIGINT NOT NULL,
    PRIMARY KEY (shop_id, block, kind)
);

INSERT INTO shop_movement_blocks (shop_id, block, kind, entries, debit_cents, credit_cents)
SELECT shop_id, seq / 1024, kind, COUNT(*),
       SUM(CASE WHEN amount_cents < 0 THEN -amount_cents ELSE 0 END),
       SUM(CASE WHEN amount_cents > 0 THEN amount_cents ELSE 0 END)
FROM movements GROUP BY shop_id, seq / 1024, kind;

-- @sqlite
CREATE TRIGGER shop_movement_blocks_insert AFTER INSERT ON movements BEGIN
    INSERT INTO shop_movement_blocks (shop_id, block, kind, entries, debit_cents, credit_cents)
    VALUES (new.shop_id, new.seq / 1024, new.kind, 1,
            CASE WHEN new.amount_cents < 0 THEN -new.amount_cents ELSE 0 END,
            CASE WHEN new.amount_cents > 0 THEN new.amount_cents ELSE 0 END)
    ON CONFLICT (shop_id, block, kind) DO UPDATE SET entries = entries + 1,
        debit_cents = debit_cents + excluded.debit_cents, credit_cents = credit_cents + excluded.credit_cents;
END;

-- @postgres
CREATE FUNCTION shop_movement_blocks_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO shop_movement_blocks AS b (shop_id, block, kind, entries, debit_cents, credit_cents)
    VALUES (NEW.shop_id, NEW.seq / 1024, NEW.kind, 1,
            CASE WHEN NEW.amount_cents < 0 THEN -NEW.amount_cents ELSE 0 END,
            CASE WHEN NEW.amount_cents > 0 THEN NEW.amount_cents ELSE 0 END)
    ON CONFLICT (shop_id, block, kind) DO UPDATE SET entries = b.entries + 1,
        debit_cents = b.debit_cents + EXCLUDED.debit_cents, credit_cents = b.credit_cents + EXCLUDED.credit_cents;
    RETURN NULL;
END
$$;
CREATE TRIGGER shop_movement_blocks_add AFTER INSERT ON movements
FOR EACH ROW EXECUTE FUNCTION shop_movement_blocks_add();
