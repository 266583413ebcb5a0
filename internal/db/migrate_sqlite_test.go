package db

import (
	"strings"
	"testing"
)

func TestSQLiteMigrations_RewriteColumnTypesOnly(t *testing.T) {
	src := `-- +goose Up
-- created_at is TIMESTAMPTZ
CREATE TABLE t (
    id   TEXT PRIMARY KEY,
    at   TIMESTAMPTZ NOT NULL, -- a TIMESTAMPTZ, UTC
    size double   precision NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT 'TIMESTAMPTZ, (DOUBLE PRECISION)',
    PRIMARY KEY (id)
);
ALTER TABLE t ADD COLUMN seen_at TIMESTAMPTZ;
`
	want := `-- +goose Up
-- created_at is TIMESTAMPTZ
CREATE TABLE t (
    id   TEXT PRIMARY KEY,
    at   TIMESTAMP NOT NULL, -- a TIMESTAMPTZ, UTC
    size REAL NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT 'TIMESTAMPTZ, (DOUBLE PRECISION)',
    PRIMARY KEY (id)
);
ALTER TABLE t ADD COLUMN seen_at TIMESTAMP;
`
	got, err := toSQLite([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestSQLiteMigrations_RefuseTypesWithoutTranslation(t *testing.T) {
	for _, def := range []string{
		"CREATE TABLE t (facts JSONB NOT NULL)",
		"CREATE TABLE t (at TIMESTAMP NOT NULL)", // would lose the time zone on PostgreSQL
		"CREATE TABLE t (score REAL)",            // a 4-byte float on PostgreSQL
		"CREATE TABLE t (at TIMESTAMP WITH TIME ZONE)",
		"CREATE TABLE t (name VARCHAR(20), id TEXT)",
		"CREATE TABLE t (id TEXT, n)",
		"ALTER TABLE t ADD COLUMN id UUID NOT NULL DEFAULT gen_random_uuid()",
	} {
		if out, err := toSQLite([]byte(def)); err == nil {
			t.Errorf("%s: translated to %s, want an error", def, out)
		} else if !strings.Contains(err.Error(), "column") {
			t.Errorf("%s: %v", def, err)
		}
	}
}
