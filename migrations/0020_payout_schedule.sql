-- Each shop's payout frequency: `daily` (every banking day), `weekly` on `payout_day`
-- (1 = Monday … 5 = Friday) or `monthly` on `payout_day` (1–31). A change takes effect
-- from the next cycle: it waits in payout_next_* until the day `payout_next_from`
-- (YYYY-MM-DD, the day after the payout the old frequency still makes).
-- The shop's payout bank account is part of its contract: set by the provider.
ALTER TABLE shops ADD COLUMN payout_every TEXT NOT NULL DEFAULT 'daily';
ALTER TABLE shops ADD COLUMN payout_day BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shops ADD COLUMN payout_next_every TEXT;
ALTER TABLE shops ADD COLUMN payout_next_day BIGINT;
ALTER TABLE shops ADD COLUMN payout_next_from TEXT;
ALTER TABLE shops ADD COLUMN payout_iban TEXT;
ALTER TABLE shops ADD COLUMN payout_holder TEXT;
