package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db/dbtest"
)

func TestReminders_EveryDraftOfManyBatchesIsRemindedOnce(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			s := mustSubmission(t, d)
			dbtest.MustCloneWorks(t, d, s.ID, 1, 1000)          // 500 more drafts, 500 submitted
			at := time.Date(2022, 5, 19, 16, 5, 0, 0, time.UTC) // 24 h before the collection closes
			svc := contest.New(d.Stores(), nil, contest.Options{Now: func() time.Time { return at }})
			first, err := svc.Messages.RunReminders(ctx)
			if err != nil {
				t.Fatal(err)
			}
			again, err := svc.Messages.RunReminders(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if first != 501 || again != 0 {
				t.Errorf("reminders made: %d, then %d; want 501 (every draft, over three batches), then none", first, again)
			}
			rows, err := d.RawRows(ctx, `SELECT count(*) AS n, count(DISTINCT n.recipient) AS owners,
				sum(CASE WHEN s.status = 'draft' THEN 1 ELSE 0 END) AS drafts
				FROM notifications n JOIN submissions s ON s.owner_id = n.recipient WHERE n.kind = 'deadline_reminder'`)
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprint(rows[0]["n"], " ", rows[0]["owners"], " ", rows[0]["drafts"])
			if got != "501 501 501" {
				t.Errorf("reminders, their owners, of drafts = %s, want 501 each", got)
			}
		})
	}
}
