// Package dbtest gives tests a real, migrated database of either dialect: a SQLite file in a
// temporary folder, or a fresh PostgreSQL database created on the server named by
// CONTEST_TEST_POSTGRES_URL and dropped when the test ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for creating test databases

	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/pii"
)

// Dialects lists the dialects every store test runs on.
var Dialects = []string{db.SQLite, db.Postgres}

// DefaultPostgresURL is used when CONTEST_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// MustBox returns a personal-data box with a fixed test key.
func MustBox(tb testing.TB) *pii.Box {
	tb.Helper()
	key := make([]byte, pii.KeySize)
	copy(key, "dbtest key, never used in prod")
	b, err := pii.New(key)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// MustOpen returns a migrated database of the dialect, removed at the end of the test. A
// PostgreSQL server that does not answer skips the test, or fails it when
// CONTEST_TEST_REQUIRE_ALL=1 (as in CI).
func MustOpen(tb testing.TB, dialect string, box *pii.Box) *db.DB {
	tb.Helper()
	d := MustOpenEmpty(tb, dialect, box)
	if _, err := d.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return d
}

// MustOpenEmpty is MustOpen without the migrations, for tests that migrate step by step.
func MustOpenEmpty(tb testing.TB, dialect string, box *pii.Box) *db.DB {
	tb.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var dsn string
	switch dialect {
	case db.SQLite:
		dsn = filepath.Join(tb.TempDir(), "test.db")
	case db.Postgres:
		dsn = mustCreatePostgres(tb)
	default:
		tb.Fatalf("unknown dialect %q", dialect)
	}
	d, err := db.Open(ctx, dsn, "", box, log)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

func mustCreatePostgres(tb testing.TB) string {
	tb.Helper()
	admin := os.Getenv("CONTEST_TEST_POSTGRES_URL")
	if admin == "" {
		admin = DefaultPostgresURL
	}
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		if os.Getenv("CONTEST_TEST_REQUIRE_ALL") == "1" {
			tb.Fatalf("PostgreSQL at %s does not answer: %v", admin, err)
		}
		tb.Skipf("PostgreSQL not available (%v); set CONTEST_TEST_POSTGRES_URL", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "contest_test_" + hex.EncodeToString(b)
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		defer conn.Close()
		if _, err := conn.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Logf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
