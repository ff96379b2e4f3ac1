-- The shop's notification URL (Settings → General): where the provider posts about each
-- payment to the shop's own server. NULL: none.
ALTER TABLE shops ADD COLUMN notification_url TEXT;
