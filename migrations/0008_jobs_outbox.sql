-- Background jobs and the mail outbox.

-- One row per job: the lease that lets one instance run it at a time (taken with a
-- conditional update; it lapses at `lease_until` if its holder dies), and the last run as
-- the operator sees it in `portal jobs`.
CREATE TABLE job_runs (
    name TEXT PRIMARY KEY,
    lease_holder TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0,
    runs BIGINT NOT NULL DEFAULT 0,
    last_started_at BIGINT,
    last_duration_ms BIGINT,
    -- 'ok', 'row_errors' (some rows failed and were skipped) or 'failed' (the run stopped).
    last_outcome TEXT,
    last_done BIGINT NOT NULL DEFAULT 0,
    last_failed BIGINT NOT NULL DEFAULT 0,
    -- The last few errors' texts, one per line.
    last_errors TEXT
);

-- Every mail is written here in the transaction of the change that causes it and sent after
-- commit by the mail job, with retries and backoff. A mail that keeps failing gets
-- `failed_at` and stays for the operator to see.
CREATE TABLE mail_outbox (
    id BIGINT PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    failed_at BIGINT,
    last_error TEXT
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_failed_idx ON mail_outbox (failed_at) WHERE failed_at IS NOT NULL;
