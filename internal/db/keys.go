package db

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type keyFingerprintRow struct {
	Fingerprint string `gorm:"primaryKey"`
	FirstSeen   time.Time
}

func (keyFingerprintRow) TableName() string { return "key_fingerprints" }

// ErrUnknownKey means none of the configured personal-data keys has sealed this database's
// data: the service would fail on every work it loads.
var ErrUnknownKey = errors.New("CONTEST_SECRET_KEY 与数据库中的数据不符（密钥指纹不同）：请使用该数据库一直使用的密钥 / CONTEST_SECRET_KEY is not the key this database's data is sealed with (another fingerprint): use the key this database has always used")

// CheckKey compares the configured keys (the box's) with the keys that have sealed this
// database's data: a database that has seen none of them is refused with ErrUnknownKey. A new
// database, or one from before fingerprints were kept, records the current key; during a
// rotation the new key is recorded beside the old.
func (db *DB) CheckKey(ctx context.Context) error {
	fps := db.box.Fingerprints()
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var known []string
		if err := tx.Model(&keyFingerprintRow{}).Pluck("fingerprint", &known).Error; err != nil {
			return fmt.Errorf("db: key fingerprints: %w", err)
		}
		if len(known) > 0 && !slices.ContainsFunc(fps, func(f string) bool { return slices.Contains(known, f) }) {
			return ErrUnknownKey
		}
		if slices.Contains(known, fps[0]) {
			return nil
		}
		row := keyFingerprintRow{Fingerprint: fps[0], FirstSeen: time.Now().UTC()}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	})
}
