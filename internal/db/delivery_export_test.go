package db

import (
	"context"
	"database/sql"

	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

// InsertNotifications inserts notes in one transaction through the path every event takes
// (insertNotifications: the notifications, and with e-mail delivery on their deliveries and
// jobs), without an event of its own: for the mail benchmark.
func (db *DB) InsertNotifications(ctx context.Context, notes []contest.Notification) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return db.insertNotifications(ctx, tx, notes)
	})
}

// PoolStats are the connection pool's figures.
func (db *DB) PoolStats() sql.DBStats {
	s, _ := db.gorm.DB()
	return s.Stats()
}
