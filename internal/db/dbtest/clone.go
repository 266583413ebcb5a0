package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/db"
)

// MustCloneWorks stores works first..last (inclusive) as copies of the work templateID, each
// with its own owner (a copy of the template's owner) and its own copies of the template's
// participants; every other copy is submitted, the rest are drafts, and the contest's counts
// per status are counted again. It writes with one
// INSERT … SELECT per table over a recursive sequence, so 10 000 works take well under a
// second, and on PostgreSQL it vacuums and analyzes the tables afterwards, as autovacuum would. Copies are
// named seed-u-<i> (owners), seed-s-<i> (works, reference number seed-<i>) and seed-p-<i>-<position> (participants).
func MustCloneWorks(tb testing.TB, d *db.DB, templateID string, first, last int) {
	tb.Helper()
	MustCloneWorksInto(tb, d, templateID, "", first, last)
}

// MustCloneWorksInto is MustCloneWorks storing the copies in the contest contestID ("": the
// template's), to fill several contests from one template; the ranges of i must not overlap.
func MustCloneWorksInto(tb testing.TB, d *db.DB, templateID, contestID string, first, last int) {
	tb.Helper()
	ctx := context.Background()
	driver, dsn := "pgx", d.URL()
	if d.Dialect() == db.SQLite {
		driver, dsn = "sqlite", "file:"+strings.TrimPrefix(d.URL(), "sqlite://")+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	var owner, templateContest string
	if err := conn.QueryRowContext(ctx, fmt.Sprintf("SELECT owner_id, contest_id FROM submissions WHERE id = '%s'", quote(templateID))).
		Scan(&owner, &templateContest); err != nil {
		tb.Fatalf("template work %s: %v", templateID, err)
	}
	if contestID == "" {
		contestID = templateContest
	}
	seq := fmt.Sprintf("WITH RECURSIVE seq(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM seq WHERE i < %d) ", first, last)
	for _, t := range []struct {
		table, where string
		set          map[string]string
	}{
		{"users", "id = '" + quote(owner) + "'", map[string]string{
			"id": "'seed-u-' || i", "email": "'seed' || i || '@example.org'"}},
		{"submissions", "id = '" + quote(templateID) + "'", map[string]string{
			"id": "'seed-s-' || i", "owner_id": "'seed-u-' || i", "title": `"title" || ' ' || i`, "reference": "'seed-' || i",
			"status": "CASE WHEN i % 2 = 0 THEN 'submitted' ELSE 'draft' END", "contest_id": "'" + quote(contestID) + "'"}},
		{"participants", "submission_id = '" + quote(templateID) + "'", map[string]string{
			"id": `'seed-p-' || i || '-' || "position"`, "submission_id": "'seed-s-' || i",
			"consent_token": `"consent_token" || '-' || i`}},
	} {
		cols := mustColumns(tb, conn, d.Dialect(), t.table)
		exprs := make([]string, len(cols))
		for i, c := range cols {
			exprs[i] = `"` + c + `"`
			if e, ok := t.set[c]; ok {
				exprs[i] = e
			}
		}
		q := seq + fmt.Sprintf(`INSERT INTO %s ("%s") SELECT %s FROM %s, seq WHERE %s`,
			t.table, strings.Join(cols, `", "`), strings.Join(exprs, ", "), t.table, t.where)
		if _, err := conn.ExecContext(ctx, q); err != nil {
			tb.Fatalf("clone %s: %v", t.table, err)
		}
	}
	// The counts per status the stores keep (submission_counts), counted again for the contest.
	for _, q := range []string{
		"DELETE FROM submission_counts WHERE contest_id = '" + quote(contestID) + "'",
		"INSERT INTO submission_counts (contest_id, status, n) SELECT contest_id, status, COUNT(*) FROM submissions WHERE contest_id = '" +
			quote(contestID) + "' GROUP BY contest_id, status",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			tb.Fatalf("recount: %v", err)
		}
	}
	if d.Dialect() == db.Postgres {
		if _, err := conn.ExecContext(ctx, "VACUUM ANALYZE users, submissions, participants"); err != nil {
			tb.Fatal(err)
		}
	}
}

func mustColumns(tb testing.TB, conn *sql.DB, dialect, table string) []string {
	tb.Helper()
	q := "SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid"
	if dialect == db.Postgres {
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '" +
			table + "' ORDER BY ordinal_position"
	}
	rows, err := conn.Query(q)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			tb.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil || len(cols) == 0 {
		tb.Fatalf("columns of %s: %v", table, err)
	}
	return cols
}

func quote(s string) string { return strings.ReplaceAll(s, "'", "''") }
