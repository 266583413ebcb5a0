package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
)

// BenchmarkListSubmissions measures the organizer's list over 2 000 works of two participants:
// one page of 50 with counts (the baseline), and the exact ID-number search through the keyed
// hash, which should cost no more than the page thanks to its index.
func BenchmarkListSubmissions(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			d := dbtest.MustOpen(b, dialect, dbtest.MustBox(b))
			ctx, st := context.Background(), d.Stores()
			contestID, target := seedMany(b, d, 2000)
			b.Run("page-of-50", func(b *testing.B) {
				for b.Loop() {
					if _, err := st.ListSubmissions(ctx, contest.SubmissionFilter{ContestID: contestID, Limit: 50}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("id-number-search", func(b *testing.B) {
				f := contest.SubmissionFilter{ContestID: contestID, IDKey: st.SearchKey(target), Limit: 50}
				for b.Loop() {
					p, err := st.ListSubmissions(ctx, f)
					if err != nil || p.Total != 1 {
						b.Fatalf("search found %d (%v)", p.Total, err)
					}
				}
			})
		})
	}
}

// seedMany stores n submissions; each has a distinct second participant. It returns the contest
// id and the ID number of one participant to search for.
func seedMany(b *testing.B, d *db.DB, n int) (string, string) {
	ctx := context.Background()
	s, st := mustSubmission(b, d), d.Stores()
	var target string
	for i := range n {
		num := validID(fmt.Sprintf("1101051980%02d%02d%03d", i%12+1, i%28+1, i%1000))
		if i == n/2 {
			target = num
		}
		sub := s
		sub.ID, sub.Reference = contest.NewID(), contest.WorkReference(contest.Contest{}, int64(i+1))
		sub.UpdatedAt = sub.UpdatedAt.Add(time.Duration(i) * time.Second)
		sub.Participants = []contest.Participant{
			{ID: contest.NewID(), Name: "张三", IDType: contest.IDResident, IDNumber: idZhang, ConsentToken: contest.NewID()},
			{ID: contest.NewID(), Name: "参与者", IDType: contest.IDResident, IDNumber: num, ConsentToken: contest.NewID()},
		}
		if err := st.CreateSubmission(ctx, &sub, nil); err != nil {
			b.Fatal(err)
		}
	}
	return s.ContestID, target
}

func validID(first17 string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * w[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// BenchmarkListsAsTheContestFills measures the two lists whose cost must not grow with other
// people's works: a contestant's own works (我的作品: one work, up to 200 shown) and the
// organizer's first page of 50 with its counts per status, in a contest with 200 other works
// and in one with 10 000 (copies of the contestant's, each with its own owner, stored in
// bulk). The sizes are measured in turn, round after round, so that load from elsewhere on the
// machine falls on both alike; compare the best round of each.
//
//	go test -run '^$' -bench ListsAsTheContestFills -benchtime 300x ./internal/db/
func BenchmarkListsAsTheContestFills(b *testing.B) {
	const rounds = 5
	sizes := []int{200, 10000}
	for _, dialect := range dbtest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			type site struct {
				st   *db.Stores
				mine contest.Submission
			}
			sites := make([]site, len(sizes))
			for i, n := range sizes {
				d := dbtest.MustOpen(b, dialect, dbtest.MustBox(b))
				mine := mustSubmission(b, d)
				dbtest.MustCloneWorks(b, d, mine.ID, 1, n)
				sites[i] = site{d.Stores(), mine}
			}
			ctx := context.Background()
			for round := range rounds {
				for i, n := range sizes {
					st, mine := sites[i].st, sites[i].mine
					b.Run(fmt.Sprintf("others=%d/my-works/round=%d", n, round+1), func(b *testing.B) {
						f := contest.SubmissionFilter{ContestID: mine.ContestID, OwnerID: mine.OwnerID, Limit: 200}
						for b.Loop() {
							if p, err := st.ListSubmissions(ctx, f); err != nil || len(p.Items) != 1 {
								b.Fatalf("my works: %d (%v)", len(p.Items), err)
							}
						}
					})
					b.Run(fmt.Sprintf("others=%d/page-of-50/round=%d", n, round+1), func(b *testing.B) {
						f := contest.SubmissionFilter{ContestID: mine.ContestID, Limit: 50}
						for b.Loop() {
							if p, err := st.ListSubmissions(ctx, f); err != nil || p.Total != int64(n+1) {
								b.Fatalf("page: total %d (%v)", p.Total, err)
							}
						}
					})
				}
			}
		})
	}
}
