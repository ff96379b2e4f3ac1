-- Each user's CSV dialect: `comma` (comma-separated, decimal point) or `semicolon`
-- (semicolon-separated, decimal comma, as Excel reads numbers in Estonian, Latvian and
-- Lithuanian settings). The last one chosen is used for every CSV the user downloads.
ALTER TABLE users ADD COLUMN csv_dialect TEXT NOT NULL DEFAULT 'comma'
    CHECK (csv_dialect IN ('comma', 'semicolon'));
