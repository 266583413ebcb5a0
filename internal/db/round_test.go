package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
)

// Advancing a round files its reviews whole under its number, empties the current round,
// admits the shortlist to the next and saves the settings; a second advance of the same round
// (another organizer's, at the same moment) is stale and changes nothing.
func TestRounds_AdvanceFilesTheRoundOnce(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background()
		now := time.Date(2022, 5, 22, 2, 0, 0, 0, time.UTC)
		judge := contest.User{ID: contest.NewID(), Email: "j@example.org", Name: "评委", Role: contest.RoleJudge, PasswordHash: "x", CreatedAt: now}
		if err := st.CreateUser(ctx, &judge); err != nil {
			t.Fatal(err)
		}
		a := contest.Assignment{WorkID: s.ID, JudgeID: judge.ID}
		if err := st.ReplaceAssignments(ctx, s.ContestID, nil, nil, []contest.ReviewRecord{{Assignment: a, Position: 7}}, auditEntry(now)); err != nil {
			t.Fatal(err)
		}
		review := contest.ReviewRecord{Assignment: a, Position: 7, Scores: contest.Scores{"theme": 25}, Comment: "好", SavedAt: &now, SubmittedAt: &now}
		if err := st.SaveReview(ctx, review, auditEntry(now)); err != nil {
			t.Fatal(err)
		}
		c, err := st.ContestByID(ctx, s.ContestID)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveAward(ctx, c.ID, contest.AwardDecision{WorkID: s.ID, Tier: contest.TierFirst, Reason: "初评时调整", ByID: "org", At: now}, auditEntry(now)); err != nil {
			t.Fatal(err)
		}
		before := c // as read by another organizer before the advance
		c.Judging.Round, c.Judging.Rounds = 2, []contest.RoundRecord{{Number: 1, Name: "初评", Advanced: 1}}
		shortlist := []contest.RankingRow{{RankedWork: contest.RankedWork{WorkID: s.ID, Rank: 1, Score: 83.5}}}
		if err := st.AdvanceRound(ctx, c, 1, shortlist, auditEntry(now)); err != nil {
			t.Fatal(err)
		}
		if err := st.AdvanceRound(ctx, c, 1, shortlist, auditEntry(now)); !errors.Is(err, contest.ErrStale) {
			t.Fatalf("advancing round 1 again: %v, want ErrStale", err)
		}
		if err := st.SaveJudging(ctx, before); !errors.Is(err, contest.ErrStale) {
			t.Fatalf("saving judging settings read before the advance: %v, want ErrStale (it would take the contest back to round 1)", err)
		}
		filed, err := st.RoundReviews(ctx, c.ID, 1)
		if err != nil || len(filed) != 1 || filed[0].Comment != "好" || filed[0].Scores["theme"] != 25 || filed[0].Position != 7 || filed[0].SubmittedAt == nil {
			t.Fatalf("round 1's reviews %+v, %v", filed, err)
		}
		if cur, err := st.ReviewRecords(ctx, c.ID); err != nil || len(cur) != 0 {
			t.Errorf("the current round still has %d assignments, %v", len(cur), err)
		}
		if works, err := st.RoundWorks(ctx, c.ID, 2); err != nil || len(works) != 1 || works[0] != s.ID {
			t.Errorf("round 2's works %v, %v", works, err)
		}
		if moved, err := st.AwardDecisions(ctx, c.ID); err != nil || len(moved) != 0 {
			t.Errorf("award moves made on round 1's ranking are kept: %v, %v", moved, err)
		}
		back, err := st.ContestByID(ctx, c.ID)
		if err != nil || back.Judging.CurrentRound() != 2 || back.Judging.LastRound().Name != "初评" {
			t.Errorf("saved judging %+v, %v", back.Judging, err)
		}
	})
}

// Two starts of the pairwise check at the same moment (a double click) store the comparisons
// once: the second finds the first's and is stale.
func TestPairwise_StartedTwiceStoresOnce(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background()
		now := time.Date(2022, 5, 22, 2, 0, 0, 0, time.UTC)
		judge := contest.User{ID: contest.NewID(), Email: "j@example.org", Name: "评委", Role: contest.RoleJudge, PasswordHash: "x", CreatedAt: now}
		if err := st.CreateUser(ctx, &judge); err != nil {
			t.Fatal(err)
		}
		second := s
		second.ID, second.Reference, second.Participants = contest.NewID(), "2022-000002", nil
		if err := st.CreateSubmission(ctx, &second, nil); err != nil {
			t.Fatal(err)
		}
		other := second.ID
		pair := func() []contest.PairComparison {
			return []contest.PairComparison{{ID: contest.NewID(), ContestID: s.ContestID, Round: 1, WorkA: s.ID, WorkB: other, JudgeID: judge.ID, CreatedAt: now}}
		}
		if err := st.AddPairComparisons(ctx, pair(), auditEntry(now)); err != nil {
			t.Fatal(err)
		}
		if err := st.AddPairComparisons(ctx, pair(), auditEntry(now)); !errors.Is(err, contest.ErrStale) {
			t.Fatalf("the second start: %v, want ErrStale", err)
		}
		if got, err := st.PairComparisons(ctx, s.ContestID, 1); err != nil || len(got) != 1 {
			t.Errorf("comparisons after two starts: %d, %v; want 1", len(got), err)
		}
	})
}
