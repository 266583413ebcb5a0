package db

import (
	"context"
	"fmt"

	"github.com/jskx/contest/internal/contest"
)

// fieldUserMobile binds a sealed account mobile number to its column.
const fieldUserMobile = "users.mobile"

var _ contest.MobileStore = (*Accounts)(nil)

// sealMobile puts the sealed number and its mask in row.
func (ac *Accounts) sealMobile(row *userRow, mobile string) error {
	enc, err := ac.db.box.Seal(fieldUserMobile, mobile)
	if err != nil {
		return fmt.Errorf("db: seal mobile: %w", err)
	}
	row.MobileEnc, row.MobileMasked = enc, contest.MaskMobile(mobile)
	return nil
}

// SetUserMobile replaces an account's mobile number, sealed ("" removes it).
func (ac *Accounts) SetUserMobile(ctx context.Context, userID, mobile string) error {
	var row userRow
	if err := ac.sealMobile(&row, mobile); err != nil {
		return err
	}
	res := ac.db.gorm.WithContext(ctx).Model(&userRow{}).Where("id = ?", userID).
		Updates(map[string]any{"mobile_enc": row.MobileEnc, "mobile_masked": row.MobileMasked})
	if res.Error == nil && res.RowsAffected == 0 {
		return contest.Errorf(contest.ENotFound, "账号不存在")
	}
	return translate(res.Error, "账号")
}

// openMobile opens an account's sealed number.
func (db *DB) openMobile(enc string) (string, error) {
	m, err := db.box.Open(fieldUserMobile, enc)
	if err != nil {
		return "", fmt.Errorf("db: open mobile: %w", err)
	}
	return m, nil
}
