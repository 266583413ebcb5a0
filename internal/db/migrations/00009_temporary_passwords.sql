-- +goose Up
-- A password set by someone else (an organizer's reset, a judge's invitation) is temporary: it
-- expires, and the account must choose its own password before doing anything else.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN password_expires_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE users DROP COLUMN password_expires_at;
ALTER TABLE users DROP COLUMN must_change_password;
