package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db/dbtest"
)

// The categories (migration 00022) are kept: the contest's list with a category's own quotas,
// a work's category (and the list filtered by it), and the category's name on a result and a
// certificate.
func TestCategories_StoredOnContestWorkResultAndCertificate(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			st := d.Stores()
			s := mustSubmission(t, d)
			c, err := st.ContestByID(ctx, s.ContestID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Categories != nil {
				t.Fatalf("a new contest has categories %v", c.Categories)
			}
			own := [3]contest.Quota{{Count: 1}, {Percent: 10}, {}}
			c.Categories = []contest.Category{{Key: "c1", Name: "个人"}, {Key: "c2", Name: "团队", Quotas: &own}}
			if err := st.UpdateContest(ctx, &c); err != nil {
				t.Fatal(err)
			}
			got, err := st.ContestByID(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.Categories, got.Categories); diff != "" {
				t.Errorf("categories (-saved +read):\n%s", diff)
			}

			s.Category = "c2"
			if err := st.UpdateSubmission(ctx, &s); err != nil {
				t.Fatal(err)
			}
			if w, err := st.SubmissionByID(ctx, s.ID); err != nil || w.Category != "c2" {
				t.Fatalf("the work's category = %q, %v", w.Category, err)
			}
			for key, want := range map[string]int64{"c2": 1, "c1": 0} {
				if n, err := st.CountSubmissions(ctx, contest.SubmissionFilter{ContestID: c.ID, Category: key}); err != nil || n != want {
					t.Errorf("works in %s = %d, %v; want %d", key, n, err, want)
				}
			}

			now := time.Date(2022, 5, 28, 2, 0, 0, 0, time.UTC)
			res := []contest.Result{{WorkID: s.ID, Tier: contest.TierFirst, Rank: 1, Title: "作品", Names: []string{"张三"}, Category: "团队"}}
			if err := st.SavePublicity(ctx, c, res, auditEntry(now), nil); err != nil {
				t.Fatal(err)
			}
			if rs, err := st.Results(ctx, c.ID); err != nil || len(rs) != 1 || rs[0].Category != "团队" {
				t.Fatalf("results %+v, %v", rs, err)
			}
			c, _ = st.ContestByID(ctx, c.ID)
			cert := contest.Certificate{Serial: "2022-1-0001-TESTTEST", ContestID: c.ID, WorkID: s.ID, Version: 1, Tier: contest.TierFirst,
				Title: "作品", Names: []string{"张三"}, Category: "团队", IssuedAt: now}
			if err := st.SavePublication(ctx, c, []contest.Certificate{cert}, nil, now, auditEntry(now), nil); err != nil {
				t.Fatal(err)
			}
			if back, err := st.CertificateBySerial(ctx, cert.Serial); err != nil || back.Category != "团队" {
				t.Fatalf("certificate %+v, %v", back, err)
			}
		})
	}
}
