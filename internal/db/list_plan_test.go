package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
)

// The lists a contestant and an organizer open read only what they show: the query plans of
// a contestant's works and of the organizer's page of 50, in a contest of 2 000 works, search
// an index in the list's order — no scan of the contest's works, no sort of them.
func TestLists_ReadOnlyTheirRowsThroughAnIndex(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			s := mustSubmission(t, d)
			dbtest.MustCloneWorks(t, d, s.ID, 1, 2000)
			for name, q := range map[string]string{
				"my works": fmt.Sprintf("SELECT * FROM submissions WHERE contest_id = '%s' AND owner_id = '%s' ORDER BY updated_at DESC, id LIMIT 200",
					s.ContestID, s.OwnerID),
				"page of 50": fmt.Sprintf("SELECT * FROM submissions WHERE contest_id = '%s' ORDER BY updated_at DESC, id LIMIT 50", s.ContestID),
			} {
				plan := mustPlan(t, d, q)
				bad := []string{"SCAN submissions", "TEMP B-TREE", "Seq Scan", "Sort"}
				for _, b := range bad {
					if strings.Contains(plan, b) {
						t.Errorf("%s: plan has %q:\n%s", name, b, plan)
					}
				}
				if !strings.Contains(plan, "submissions_contest_") {
					t.Errorf("%s: plan uses none of the list indexes:\n%s", name, plan)
				}
			}
		})
	}
}

func mustPlan(t *testing.T, d *db.DB, q string) string {
	t.Helper()
	explain := "EXPLAIN "
	if d.Dialect() == db.SQLite {
		explain = "EXPLAIN QUERY PLAN "
	}
	rows, err := d.RawRows(context.Background(), explain+q)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		for _, k := range []string{"detail", "QUERY PLAN"} {
			if v, ok := r[k]; ok {
				fmt.Fprintln(&b, v)
			}
		}
	}
	return b.String()
}
