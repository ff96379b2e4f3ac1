-- The shop's general settings an admin edits (Settings → General): a contact phone. The
-- notification e-mail now holds a list (addresses separated by ", ").
ALTER TABLE shops ADD COLUMN phone TEXT;
