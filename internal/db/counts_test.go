package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
)

// The organizer's counts per status are kept as works change, not counted on every view: they
// must follow every change of status — a new work, a finalized one, one sent back to draft by
// a new video, a deleted one — and ignore a refused (stale) write.
func TestSubmissionCounts_FollowEveryStatusChange(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background()
		now := time.Date(2022, 5, 15, 3, 0, 0, 0, time.UTC)
		wantCounts := func(when string, want map[contest.Status]int64) {
			t.Helper()
			// A page smaller than the contest reads the kept counts; a search counts the rows.
			kept, err := st.ListSubmissions(ctx, contest.SubmissionFilter{ContestID: s.ContestID, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			counted, err := st.ListSubmissions(ctx, contest.SubmissionFilter{ContestID: s.ContestID, Query: s.Registration.Title, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, kept.ByStatus); diff != "" {
				t.Errorf("%s: kept counts (-want +got):\n%s", when, diff)
			}
			if diff := cmp.Diff(want, counted.ByStatus); diff != "" {
				t.Errorf("%s: counted (-want +got):\n%s", when, diff)
			}
		}
		wantCounts("one draft", map[contest.Status]int64{contest.StatusDraft: 1})

		other := s
		other.ID, other.Reference, other.Participants = contest.NewID(), "2022-000002", nil
		if err := st.CreateSubmission(ctx, &other, nil); err != nil {
			t.Fatal(err)
		}
		wantCounts("two drafts", map[contest.Status]int64{contest.StatusDraft: 2})

		final := s
		final.Status, final.SubmittedAt = contest.StatusSubmitted, &now
		if err := st.UpdateSubmission(ctx, &final); err != nil {
			t.Fatal(err)
		}
		wantCounts("one finalized", map[contest.Status]int64{contest.StatusDraft: 1, contest.StatusSubmitted: 1})

		stale := s // still at the version before finalizing
		stale.Status = contest.StatusDraft
		if err := st.UpdateSubmission(ctx, &stale); contest.ErrorCode(err) != contest.EConflict {
			t.Fatalf("stale update: %v, want a conflict", err)
		}
		wantCounts("after a stale update", map[contest.Status]int64{contest.StatusDraft: 1, contest.StatusSubmitted: 1})

		u := mustOpenUpload(t, st, s, now)
		read, err := st.SubmissionByID(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !read.AttachVideo(contest.Video{Attachment: contest.Attachment{Key: u.Key, Name: u.FileName, Size: 10}, UploadedAt: now}) {
			t.Fatal("the submitted work was not reopened")
		}
		done := u
		done.State, done.CompletedAt = contest.UploadCompleted, &now
		if err := st.FinishUpload(ctx, &done, &read, true, ""); err != nil {
			t.Fatal(err)
		}
		wantCounts("reopened by a new video", map[contest.Status]int64{contest.StatusDraft: 2})

		if err := st.DeleteSubmission(ctx, other.ID); err != nil {
			t.Fatal(err)
		}
		if err := st.DeleteSubmission(ctx, other.ID); err != nil && !errors.Is(err, contest.ErrStale) {
			t.Fatalf("deleting twice: %v", err)
		}
		wantCounts("one deleted", map[contest.Status]int64{contest.StatusDraft: 1})
	})
}

// Counts that drifted (a writer that does not keep them: an older replica during an upgrade, a
// change by hand) are corrected by the housekeeping's recount; correct counts are left alone.
func TestSubmissionCounts_RecountCorrectsDrift(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background()
		if n, err := d.RecountSubmissions(ctx); err != nil || n != 0 {
			t.Fatalf("recount of right counts corrected %d (%v), want 0", n, err)
		}
		if err := d.RawExec(ctx, "UPDATE submission_counts SET n = 99 WHERE contest_id = ?", s.ContestID); err != nil {
			t.Fatal(err)
		}
		if err := d.RawExec(ctx, "INSERT INTO submission_counts (contest_id, status, n) VALUES (?, 'submitted', 7)", s.ContestID); err != nil {
			t.Fatal(err)
		}
		if n, err := d.RecountSubmissions(ctx); err != nil || n != 2 {
			t.Fatalf("recount corrected %d (%v), want 2", n, err)
		}
		page, err := st.ListSubmissions(ctx, contest.SubmissionFilter{ContestID: s.ContestID, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[contest.Status]int64{contest.StatusDraft: 1}, page.ByStatus); diff != "" {
			t.Errorf("counts after the recount (-want +got):\n%s", diff)
		}
	})
}
