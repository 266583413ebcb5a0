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
