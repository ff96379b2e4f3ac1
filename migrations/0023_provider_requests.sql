-- What a shop asks the provider to change that is part of its contract (a new payout bank
-- account; later its domain and legal entity): recorded, mailed to the operators, and
-- answered by them. `details` is what is asked for, as JSON; `state` moves from `open` to
-- `done` (applied), `declined` (with the operator's answer) or `withdrawn` (by an admin).
CREATE TABLE provider_requests (
    id BIGINT PRIMARY KEY,
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    kind TEXT NOT NULL,
    details TEXT NOT NULL,
    note TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'done', 'declined', 'withdrawn')),
    requested_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    answer TEXT
);
CREATE INDEX provider_requests_shop_idx ON provider_requests (shop_id, created_at);
-- One open request of a kind per shop.
CREATE UNIQUE INDEX provider_requests_open_key ON provider_requests (shop_id, kind) WHERE state = 'open';
