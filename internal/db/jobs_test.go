package db_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
)

// TestHousekeeping_RunsOnceAcrossReplicasOnBothDatabases starts two replicas' workers on one
// database with a housekeeping task every second: River's elected leader queues it (on SQLite
// too), and it runs once per second across both, not once per replica.
func TestHousekeeping_RunsOnceAcrossReplicasOnBothDatabases(t *testing.T) {
	for _, dialect := range []string{db.SQLite, db.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			var runs atomic.Int64
			var observed atomic.Int64
			work := db.Work{
				Check: func(context.Context, contest.VideoCheckArgs, int, bool) error { return nil },
				Housekeeping: []db.Task{{Name: "count", Run: func(context.Context) (int, error) {
					runs.Add(1)
					return 1, nil
				}}},
				ObserveJob: func(kind string, _ time.Duration, err error) {
					if kind == "housekeeping" && err == nil {
						observed.Add(1)
					}
				},
			}
			s := db.JobSettings{Workers: 1, CheckTimeout: time.Minute, Timeout: time.Minute, MaxAttempts: 1,
				RetryBase: time.Second, RetryMax: time.Second, PollInterval: 50 * time.Millisecond, HousekeepingInterval: time.Second}
			start := time.Now()
			for range 2 {
				jobs, err := d.StartJobs(context.Background(), s, work, db.Discard())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { jobs.Stop(context.Background()) })
			}
			for deadline := time.Now().Add(30 * time.Second); runs.Load() < 4; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("housekeeping ran %d times in 30 s, want 4", runs.Load())
				}
			}
			// Once per second across the replicas (plus the round run when one became the
			// leader); both replicas queueing it would run it about twice as often.
			if n, max := runs.Load(), int64(time.Since(start)/time.Second)+2; n > max {
				t.Errorf("housekeeping ran %d times in %v, want at most %d", n, time.Since(start).Round(time.Millisecond), max)
			}
			if observed.Load() == 0 {
				t.Errorf("ObserveJob saw no housekeeping run")
			}
		})
	}
}
