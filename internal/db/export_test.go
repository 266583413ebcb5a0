package db

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/pii"
)

// RawRows returns every row of a query as column → value, for tests that look at what is
// really stored.
func (db *DB) RawRows(ctx context.Context, query string) ([]map[string]any, error) {
	var rows []map[string]any
	err := db.gorm.WithContext(ctx).Raw(query).Scan(&rows).Error
	return rows, err
}

// Path returns the SQLite file of the database.
func (db *DB) Path() string {
	var file string
	db.gorm.Raw("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file)
	return strings.TrimPrefix(file, "file:")
}

func Discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func MustOtherBox(tb testing.TB) *pii.Box {
	b, err := pii.New([]byte(strings.Repeat("k", pii.KeySize)))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// RawExec runs a statement, for tests that put the database in a state from before a change.
func (db *DB) RawExec(ctx context.Context, query string, args ...any) error {
	return db.gorm.WithContext(ctx).Exec(query, args...).Error
}

// MigrateTo applies the migrations up to version and no further, for tests that fill a
// database as an older release left it before running the rest (as `contest migrate` does).
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if db.dialect == SQLite {
		sqlDB, err := db.gorm.DB()
		if err != nil {
			return err
		}
		sqlDB.SetMaxOpenConns(2) // as in Migrate: River's step takes a second connection
		defer sqlDB.SetMaxOpenConns(1)
	}
	_, err = p.UpTo(ctx, version)
	return err
}
