-- +goose Up
-- Self-service accounts (issue 15): links mailed to a person to reset a forgotten password,
-- accept a judge's invitation, verify an address or confirm a new one. A link's token is
-- random (256 bits) and only its sha256 is kept here: the database never holds a token that
-- works. Each is single-use (used_at) and short-lived (expires_at); a newer link of the same
-- purpose for the same account replaces the older ones (they are marked used).
CREATE TABLE account_tokens (
    hash       TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL, -- reset, invite, verify, email
    new_email  TEXT NOT NULL DEFAULT '', -- the address being confirmed (purpose email)
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- When the account's address was last shown to be its owner's (a verification link opened).
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;

-- The organizers' setting 需要验证邮箱: a contestant must verify the address before submitting.
ALTER TABLE contests ADD COLUMN require_email_verification BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE contests DROP COLUMN require_email_verification;
ALTER TABLE users DROP COLUMN email_verified_at;
DROP TABLE account_tokens;
