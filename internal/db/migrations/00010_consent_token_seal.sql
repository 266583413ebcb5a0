-- +goose Up
-- Consent links are sealed at rest: consent_token keeps a keyed hash of the token (for finding
-- the link), consent_token_enc the token sealed under the master key (for showing the owner the
-- link again). Version 00011, a Go migration (consentTokenMigration in consent_token.go), seals
-- the tokens stored before this.
ALTER TABLE participants ADD COLUMN consent_token_enc TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE participants DROP COLUMN consent_token_enc;
