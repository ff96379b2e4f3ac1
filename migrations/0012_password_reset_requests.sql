-- Requests to reset a password, for any address typed (known or not): they are limited per
-- address and per client address, and the mail job turns those of real accounts into mails,
-- so the answer takes the same path whether or not the address has an account.
CREATE TABLE password_reset_requests (
    id BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    handled_at BIGINT
);
CREATE INDEX password_reset_requests_email_idx ON password_reset_requests (email, at);
CREATE INDEX password_reset_requests_ip_idx ON password_reset_requests (ip, at);
CREATE INDEX password_reset_requests_open_idx ON password_reset_requests (handled_at);
