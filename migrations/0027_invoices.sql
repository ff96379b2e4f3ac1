-- Fee invoices and credit notes. Numbers come from one series per provider and year
-- (`2026-000123`), taken in the same database transaction that writes the invoice: a
-- failed or concurrent issue leaves no gap and no number twice. An invoice is never
-- changed once issued (only its sending is recorded); a mistake is corrected by a credit
-- note, which has a number of its own and names the invoice it corrects.
CREATE TABLE invoice_series (
    year BIGINT PRIMARY KEY,
    last_number BIGINT NOT NULL
);

CREATE TABLE invoices (
    id BIGINT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    month TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    net_cents BIGINT NOT NULL,
    vat_cents BIGINT NOT NULL,
    vat_percent TEXT NOT NULL,
    lines TEXT NOT NULL,
    corrects BIGINT REFERENCES invoices (id),
    reason TEXT,
    sent_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX invoices_shop_month_idx ON invoices (shop_id, month) WHERE kind = 'invoice';
CREATE UNIQUE INDEX invoices_corrects_idx ON invoices (corrects) WHERE corrects IS NOT NULL;
CREATE INDEX invoices_shop_idx ON invoices (shop_id, issued_on);
