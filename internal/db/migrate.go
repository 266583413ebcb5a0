package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations is the schema, one set of goose migrations for both dialects (see
// migrations/README.md):
//
//   - migrations/*.sql, written once for PostgreSQL; SQLite reads them through sqliteFS, which
//     rewrites the column types (TIMESTAMPTZ → TIMESTAMP, DOUBLE PRECISION → REAL; see
//     sqliteTypes) and refuses a type it does not know;
//   - version 00004, a Go migration that installs River's job-queue schema (riverMigration in
//     jobs.go), since River writes its tables differently for each dialect;
//   - version 00011, a Go migration that seals the consent tokens stored in clear before 00010
//     (consentTokenMigration in consent_token.go): it needs the master key.
//
//go:embed migrations/*.sql
var migrations embed.FS

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return nil, err
	}
	if db.dialect == SQLite {
		return goose.NewProvider(goose.DialectSQLite3, sqlDB, sqliteFS{sub}, goose.WithGoMigrations(riverMigration(db.dialect), db.consentTokenMigration()))
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, sqlDB, sub, goose.WithSessionLocker(locker),
		goose.WithGoMigrations(riverMigration(db.dialect), db.consentTokenMigration()))
}

// Migrate applies the pending migrations, each in its own transaction, and returns how many ran.
// Several replicas starting at once are safe on PostgreSQL: goose takes a session lock.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	if db.dialect == SQLite {
		// goose keeps one connection for the whole run and River's migration step takes
		// another; SQLite's pool is otherwise one connection.
		sqlDB, err := db.gorm.DB()
		if err != nil {
			return 0, err
		}
		sqlDB.SetMaxOpenConns(2)
		defer sqlDB.SetMaxOpenConns(1)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("db: migrate: %w", err)
	}
	return len(res), nil
}

// CheckVersion returns an error when the schema is behind this binary's migrations, so that a
// replica never serves on an old schema.
func (db *DB) CheckVersion(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("db: schema version: %w", err)
	}
	if pending {
		return fmt.Errorf("db: the schema is not up to date; run `contest migrate`")
	}
	return nil
}
