-- An invitation to a merchant grants nothing until the invited person accepts it: with the
-- link in the invitation mail, signed in as the account (or by choosing the password of a
-- new account). Until then the membership is pending, and the merchant's admin sees what
-- they typed, not the account behind the address.

-- When the invited person accepted; NULL while the invitation is pending. Memberships made
-- before this migration were granted at once, so they count as accepted when made.
ALTER TABLE merchant_members ADD COLUMN accepted_at BIGINT;
UPDATE merchant_members SET accepted_at = created_at;

-- The name the inviting admin gave (or the address's local part), shown in the merchant's
-- user list while the invitation is pending instead of the account's own name.
ALTER TABLE merchant_members ADD COLUMN invited_name TEXT;

-- When the member last opened or used a shop of this merchant (to within a few minutes): the
-- merchant's "last active" instead of the account's sign-ins anywhere.
ALTER TABLE merchant_members ADD COLUMN last_active_at BIGINT;

-- An invitation link is for one merchant (and was sent from one of its shops, whose audit
-- log records the answer). NULL for password resets and for links made before this
-- migration.
ALTER TABLE user_tokens ADD COLUMN merchant_id BIGINT REFERENCES merchants (id);
ALTER TABLE user_tokens ADD COLUMN shop_id BIGINT REFERENCES shops (id);
