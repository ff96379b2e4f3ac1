-- Search that folds case the same on both databases, and index lookups for the status filter
-- and the dashboard's "not yet paid out".
--
-- Lines after `-- @sqlite` run only on SQLite, lines after `-- @postgres` only on PostgreSQL,
-- lines after `-- @both` on both (see `infra/db.rs`).

-- The payment's reference, buyer name and e-mail, folded by the application (Unicode NFC and
-- lowercase, `domain::search`), one per line. Searches compare the folded term with this
-- text, so "Õie", "ŠĶĒLE" or "АННА" find the same payments on SQLite and PostgreSQL (whose
-- own LOWER() folds ASCII only, or by the server's locale). Rows from before this migration
-- are filled in Rust when the application migrates (`Db::migrate`), found by the partial
-- index below.
ALTER TABLE transactions ADD COLUMN search_text TEXT;
CREATE INDEX transactions_unfolded_idx ON transactions (id) WHERE search_text IS NULL;

-- The same for payment links: reference, description, buyer name and e-mail.
ALTER TABLE payment_links ADD COLUMN search_text TEXT;
CREATE INDEX payment_links_unfolded_idx ON payment_links (id) WHERE search_text IS NULL;

-- A filter on a status reads only that status's payments, newest (or oldest) first.
CREATE INDEX transactions_shop_status_idx ON transactions (shop_id, status, created_at, id);

-- The dashboard's 30-day figures read the index alone, not a million rows.
CREATE INDEX transactions_shop_paid_idx ON transactions (shop_id, created_at, paid_at, amount_cents, net_cents);

-- "Not yet paid out" starts after the shop's last payout movement: one lookup.
CREATE INDEX movements_shop_kind_idx ON movements (shop_id, kind, seq);

-- @sqlite
-- Infix search: an FTS5 trigram index over the folded text (the payment's id is its rowid),
-- kept up to date by triggers. Terms of fewer than three characters scan instead.
CREATE VIRTUAL TABLE transactions_search USING fts5(
    search_text,
    content = 'transactions',
    content_rowid = 'id',
    tokenize = 'trigram case_sensitive 1'
);
CREATE TRIGGER transactions_search_insert AFTER INSERT ON transactions
WHEN new.search_text IS NOT NULL BEGIN
    INSERT INTO transactions_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER transactions_search_update AFTER UPDATE OF search_text ON transactions BEGIN
    INSERT INTO transactions_search (transactions_search, rowid, search_text)
    SELECT 'delete', old.id, old.search_text WHERE old.search_text IS NOT NULL;
    INSERT INTO transactions_search (rowid, search_text)
    SELECT new.id, new.search_text WHERE new.search_text IS NOT NULL;
END;
CREATE TRIGGER transactions_search_delete AFTER DELETE ON transactions
WHEN old.search_text IS NOT NULL BEGIN
    INSERT INTO transactions_search (transactions_search, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
END;

-- @postgres
-- Infix search: a trigram GIN index over the folded text. pg_trgm ships with PostgreSQL
-- (Debian: postgresql-contrib, part of the postgresql package) and is a trusted extension.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX transactions_search_idx ON transactions USING gin (search_text gin_trgm_ops);
