-- Two-factor sign-in: an authenticator app's secret per user (TOTP, RFC 6238), single-use
-- recovery codes (only their SHA-256 is kept), and a merchant's rule that everyone uses it.

CREATE TABLE two_factor (
    user_id BIGINT PRIMARY KEY REFERENCES users (id),
    -- Base32, as authenticator apps take it.
    secret TEXT NOT NULL,
    -- NULL while the user is setting it up: it takes effect once a code from the app matches.
    confirmed_at BIGINT,
    -- The last 30-second step whose code was accepted: a code is never accepted twice.
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    code_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id);

ALTER TABLE merchants ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0;
