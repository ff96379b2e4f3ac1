-- Bank-link fees billed monthly: a charge per fee type for a month's volume (posted on the
-- next month's first banking day) says how many payments it sums.
ALTER TABLE charges ADD COLUMN payments BIGINT NOT NULL DEFAULT 0;

-- Where the shop's fee invoices are e-mailed (Settings → General, "Invoice e-mail"); none:
-- they are issued and wait on the billing page.
ALTER TABLE shops ADD COLUMN invoice_email TEXT;

-- A file the mail carries, by reference (`invoice:<id>`): made when the mail is sent, so
-- the outbox holds no documents and issuing invoices renders none.
ALTER TABLE mail_outbox ADD COLUMN attachment TEXT;

-- To whom an invoice was last e-mailed (`sent_at` says when the mail went out).
ALTER TABLE invoices ADD COLUMN sent_to TEXT;
