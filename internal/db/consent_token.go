package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
)

// fieldConsentToken authenticates a sealed consent token to its column.
const fieldConsentToken = "participants.consent_token"

// consentTokenKey is what consent_token stores: a keyed hash of the link's token, so the link is
// found without the token being readable at rest.
func (db *DB) consentTokenKey(token string) string {
	if token == "" {
		return ""
	}
	return db.box.Index("consent-token:" + token)
}

// consentTokenKeys are the keys a link's token may be stored under: during a key rotation, a
// link sent before it is found until its row is sealed again.
func (db *DB) consentTokenKeys(token string) []string {
	return db.box.Indexes("consent-token:" + token)
}

// isTokenKey tells a stored key (64 hex digits) from a token stored in clear before 00011
// (43 characters of base64url).
func isTokenKey(v string) bool {
	return len(v) == 64 && strings.Trim(v, "0123456789abcdef") == ""
}

// consentTokenMigration is version 00011: it seals the consent tokens stored in clear before
// 00010 — each row's token becomes its keyed hash, and its sealed form goes to
// consent_token_enc. The links already sent keep working.
func (db *DB) consentTokenMigration() *goose.Migration {
	up := func(ctx context.Context, _ *sql.DB) error {
		_, err := db.SealConsentTokens(ctx)
		return err
	}
	down := func(context.Context, *sql.DB) error { return nil } // hashes cannot be undone; 00010's down drops the column
	return goose.NewGoMigration(11, &goose.GoFunc{RunDB: up}, &goose.GoFunc{RunDB: down})
}

// SealConsentTokens seals every consent token still stored in clear and returns how many: the
// work of migration 00011, run again by the housekeeping in case a replica of an older version
// wrote one during a rolling update. Running it twice is harmless.
func (db *DB) SealConsentTokens(ctx context.Context) (int, error) {
	var rows []struct {
		ID           string
		ConsentToken string
	}
	err := db.gorm.WithContext(ctx).Table("participants").Select("id, consent_token").
		Where("consent_token_enc = ?", "").Find(&rows).Error
	if err != nil {
		return 0, fmt.Errorf("db: consent tokens: %w", err)
	}
	n := 0
	for _, r := range rows {
		if r.ConsentToken == "" || isTokenKey(r.ConsentToken) {
			continue
		}
		enc, err := db.box.Seal(fieldConsentToken, r.ConsentToken)
		if err != nil {
			return n, err
		}
		err = db.gorm.WithContext(ctx).Table("participants").Where("id = ?", r.ID).
			Updates(map[string]any{"consent_token": db.consentTokenKey(r.ConsentToken), "consent_token_enc": enc}).Error
		if err != nil {
			return n, fmt.Errorf("db: seal consent token: %w", err)
		}
		n++
	}
	return n, nil
}
