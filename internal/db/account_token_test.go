package db_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
)

// A reset names whatever address was typed, an account's or not: the job's arguments, kept in
// river_job until River's cleaner deletes the job, hold it sealed.
func TestAccountMail_AddressesSealedInTheJob(t *testing.T) {
	for _, dialect := range []string{db.SQLite, db.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			typed, next := "typed-someone@example.org", "new-box@example.org"
			err := d.Stores().QueueAccountMail(t.Context(), contest.AccountMailArgs{Purpose: contest.TokenReset, Email: typed},
				contest.AccountMailArgs{Purpose: contest.TokenEmail, UserID: "u1", NewEmail: next})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := d.RawRows(t.Context(), "SELECT CAST(args AS TEXT) AS args FROM river_job WHERE kind = 'account_mail'")
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 {
				t.Fatalf("%d jobs, want 2", len(rows))
			}
			for _, r := range rows {
				args := fmt.Sprintf("%s", r["args"])
				if strings.Contains(args, "example.org") || !strings.Contains(args, "reset") && !strings.Contains(args, "email") {
					t.Errorf("job args = %s, want the addresses sealed", args)
				}
			}
		})
	}
}
