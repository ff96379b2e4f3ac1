-- What a merchant's fee invoices print under its name: its address (lines separated by
-- line breaks) and VAT number, set by the provider's operator from the contract.
ALTER TABLE merchants ADD COLUMN address TEXT;
ALTER TABLE merchants ADD COLUMN vat_number TEXT;
