package db_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db/dbtest"
)

// 我的作品 reads only the contests it may show — the live ones taking works now and the
// contestant's own — not every past one; a window that closes or opens within the current
// second is not left out by the comparison of times.
func TestOpenContestsOr_ReadsTheOpenAndTheNamedOnly(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			ctx, st := context.Background(), d.Stores()
			now := time.Date(2022, 5, 15, 2, 0, 0, 500_000_000, time.UTC)
			day := 24 * time.Hour
			add := func(slug string, start, end time.Time, archived bool) string {
				t.Helper()
				c := contest.DefaultContest()
				c.ID, c.Slug, c.CreatedAt, c.UpdatedAt = contest.NewID(), slug, now, now
				c.CollectionStart, c.CollectionEnd = start, end
				if archived {
					c.ArchivedAt = &now
				}
				if err := st.CreateContest(ctx, &c); err != nil {
					t.Fatal(err)
				}
				return c.ID
			}
			add("open", now.Add(-day), now.Add(day), false)
			add("ends-this-second", now.Add(-day), now.Truncate(time.Second), false)
			add("starts-now", now, now.Add(day), false)
			add("past", now.Add(-2*day), now.Add(-day), false)
			add("future", now.Add(day), now.Add(2*day), false)
			add("archived", now.Add(-day), now.Add(day), true)
			mine := add("past-mine", now.Add(-2*day), now.Add(-day), false)

			for _, tc := range []struct {
				ids  []string
				want []string
			}{
				{nil, []string{"ends-this-second", "open", "starts-now"}},
				{[]string{mine}, []string{"ends-this-second", "open", "past-mine", "starts-now"}},
			} {
				got, err := st.OpenContestsOr(ctx, now, tc.ids)
				if err != nil {
					t.Fatal(err)
				}
				var slugs []string
				for _, c := range got {
					if c.ID == mine || c.CollectionOpen(now) {
						slugs = append(slugs, c.Slug)
					}
				}
				slices.Sort(slugs)
				if !slices.Equal(slugs, tc.want) || len(got) != len(tc.want) {
					t.Errorf("ids %v: read %d contests, shown %v, want %v", tc.ids, len(got), slugs, tc.want)
				}
			}
		})
	}
}
