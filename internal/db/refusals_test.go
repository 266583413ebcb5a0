package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
)

// The stores do not word refusals: a conditional write that finds the record changed since the
// service read it answers contest.ErrStale, and the service says what happened.

func TestStores_SecondDecisionOnAnObjectionIsStale(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background()
		now := time.Date(2022, 6, 1, 2, 0, 0, 0, time.UTC)
		o := contest.Objection{ID: contest.NewID(), ContestID: s.ContestID, WorkID: s.ID, WorkTitle: "作品", Version: 1,
			Name: "王五", Contact: "13900139000", Reason: "署名有误", CreatedAt: now, Status: contest.ObjectionOpen}
		if err := st.CreateObjection(ctx, &o, nil); err != nil {
			t.Fatal(err)
		}
		decide := func(status contest.ObjectionStatus) error {
			o := o
			o.Status, o.Decision, o.DecidedBy, o.DecidedAt = status, "已核实", "org", &now
			return st.DecideObjection(ctx, o, auditEntry(now), nil)
		}
		if err := decide(contest.ObjectionDismissed); err != nil {
			t.Fatal(err)
		}
		if err := decide(contest.ObjectionUpheld); !errors.Is(err, contest.ErrStale) {
			t.Fatalf("second decision: %v, want ErrStale", err)
		}
		got, err := st.ObjectionByID(ctx, o.ID)
		if err != nil || got.Status != contest.ObjectionDismissed {
			t.Fatalf("objection after the refused decision: %+v, %v; want the first decision kept", got.Status, err)
		}
	})
}

func TestStores_ConflictAfterASubmittedReviewIsStale(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background()
		now := time.Date(2022, 5, 22, 2, 0, 0, 0, time.UTC)
		judge := contest.User{ID: contest.NewID(), Email: "j@example.org", Name: "评委", Role: contest.RoleJudge, PasswordHash: "x", CreatedAt: now}
		if err := st.CreateUser(ctx, &judge); err != nil {
			t.Fatal(err)
		}
		a := contest.Assignment{WorkID: s.ID, JudgeID: judge.ID}
		if err := st.ReplaceAssignments(ctx, s.ContestID, nil, nil, []contest.ReviewRecord{{Assignment: a, Position: 1}}, auditEntry(now)); err != nil {
			t.Fatal(err)
		}
		// The judge submits in one window while declaring a conflict in another.
		rec := contest.ReviewRecord{Assignment: a, Position: 1, Scores: contest.Scores{"theme": 28}, SavedAt: &now, SubmittedAt: &now}
		if err := st.SaveReview(ctx, rec, auditEntry(now)); err != nil {
			t.Fatal(err)
		}
		err := st.DeclareConflict(ctx, s.ContestID, a, "亲属关系", now, nil, auditEntry(now))
		if !errors.Is(err, contest.ErrStale) {
			t.Fatalf("conflict after a submitted review: %v, want ErrStale", err)
		}
		records, err := st.ReviewRecords(ctx, s.ContestID)
		if err != nil || len(records) != 1 || records[0].SubmittedAt == nil {
			t.Fatalf("reviews after the refused conflict: %+v, %v; want the submitted review kept", records, err)
		}
	})
}

func TestStores_NewVideoOnAWorkChangedMeanwhileIsStaleAndChangesNothing(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background()
		now := time.Date(2022, 5, 15, 3, 0, 0, 0, time.UTC)
		u := mustOpenUpload(t, st, s, now)
		read, err := st.SubmissionByID(ctx, s.ID) // the service reads the work…
		if err != nil {
			t.Fatal(err)
		}
		// …meanwhile a participant consents, which bumps the version.
		if err := st.SaveConsent(ctx, s.ID, s.Version, s.Participants[1].ID, contest.Consent{Name: "李四", At: now}); err != nil {
			t.Fatal(err)
		}
		read.Status = contest.StatusSubmitted // as if it had been submitted when read
		read.AttachVideo(contest.Video{Attachment: contest.Attachment{Key: u.Key, Name: u.FileName, Size: 10}, UploadedAt: now})
		done := u
		done.State, done.CompletedAt = contest.UploadCompleted, &now
		if err := st.FinishUpload(ctx, &done, &read, true, ""); !errors.Is(err, contest.ErrStale) {
			t.Fatalf("finishing on a stale version: %v, want ErrStale", err)
		}
		gotU, _ := st.UploadByID(ctx, u.ID)
		gotS, _ := st.SubmissionByID(ctx, s.ID)
		if gotU.State != contest.UploadOpen || gotS.Video != nil {
			t.Fatalf("after the stale finish: upload %q, video %+v; want the upload still open and no video", gotU.State, gotS.Video)
		}
	})
}

func TestStores_NewVideoOnADraftFinalizedMeanwhileIsStale(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background()
		now := time.Date(2022, 5, 15, 3, 0, 0, 0, time.UTC)
		u := mustOpenUpload(t, st, s, now)
		read, _ := st.SubmissionByID(ctx, s.ID) // the completion reads a draft…
		// …and the owner submits it in another tab before the completion writes.
		final := read
		final.Status, final.SubmittedAt = contest.StatusSubmitted, &now
		if err := st.UpdateSubmission(ctx, &final); err != nil {
			t.Fatal(err)
		}
		v := contest.Video{Attachment: contest.Attachment{Key: u.Key, Name: u.FileName, Size: 10}, UploadedAt: now}
		if read.AttachVideo(v) {
			t.Fatal("a draft was reopened")
		}
		done := u
		done.State, done.CompletedAt = contest.UploadCompleted, &now
		if err := st.FinishUpload(ctx, &done, &read, false, ""); !errors.Is(err, contest.ErrStale) {
			t.Fatalf("finishing on a draft submitted meanwhile: %v, want ErrStale", err)
		}
		// Read again, the rule sends the work back to draft with its new video.
		again, _ := st.SubmissionByID(ctx, s.ID)
		if !again.AttachVideo(v) {
			t.Fatal("the submitted work was not reopened")
		}
		if err := st.FinishUpload(ctx, &done, &again, true, ""); err != nil {
			t.Fatal(err)
		}
		got, _ := st.SubmissionByID(ctx, s.ID)
		if got.Status != contest.StatusDraft || got.SubmittedAt != nil || got.Video == nil || got.Video.Key != u.Key {
			t.Fatalf("after the retry: status %q, submitted %v, video %+v; want a draft with the new video", got.Status, got.SubmittedAt, got.Video)
		}
	})
}

// withWork runs fn on each database, with a contest, an account and a work stored.
func withWork(t *testing.T, fn func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission)) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			fn(t, d, d.Stores(), mustSubmission(t, d))
		})
	}
}

// mustOpenUpload stores an open upload of a new video for s.
func mustOpenUpload(t *testing.T, st *db.Stores, s contest.Submission, now time.Time) contest.Upload {
	t.Helper()
	u := contest.Upload{ID: contest.NewID(), SubmissionID: s.ID, OwnerID: s.OwnerID, Key: "videos/" + s.ID + "/u.mp4",
		StorageID: "sid", FileName: "新版.mp4", ContentType: "video/mp4", Size: 10, PartSize: 10, PartCount: 1,
		State: contest.UploadOpen, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.CreateUpload(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// auditEntry is an audit row for a store call under test.
func auditEntry(at time.Time) contest.AuditEntry {
	return contest.AuditEntry{ID: contest.NewID(), ActorID: "test", ActorName: "测试", At: at, Entity: "test", EntityID: "x", Action: "test"}
}

// TestStores_TextTheDatabaseCannotHoldIsInvalidInput: a NUL byte reaching PostgreSQL is the
// input's fault (invalid), not a server error.
func TestStores_TextTheDatabaseCannotHoldIsInvalidInput(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			_, err := d.Stores().UserByEmail(context.Background(), "a\x00@example.org")
			if code := contest.ErrorCode(err); code != contest.EInvalid && code != contest.ENotFound {
				t.Fatalf("looking up a NUL byte: %v (code %q), want invalid or not found", err, code)
			}
		})
	}
}

// A completion that read the work before its candidate replaced the video must not drop the
// promoted video's row (whose object it would then delete): it is stale, and read again it
// becomes the new candidate.
func TestStores_NewVideoReadBeforeACandidateWasPromotedIsStale(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background()
		now := time.Date(2022, 5, 15, 3, 0, 0, 0, time.UTC)
		accepted := contest.VideoCheck{State: contest.CheckAccepted, CheckedAt: &now}
		finish := func(u contest.Upload, read contest.Submission, v contest.Video, replacing string) error {
			done := u
			done.State, done.CompletedAt = contest.UploadCompleted, &now
			if read.KeepsVideo() {
				read.ProposeVideo(v)
				return st.FinishCandidate(ctx, &done, &read, replacing)
			}
			return st.FinishUpload(ctx, &done, &read, read.AttachVideo(v), replacing)
		}
		video := func(u contest.Upload) contest.Video {
			return contest.Video{Attachment: contest.Attachment{Key: u.Key, Name: u.FileName, Size: 10}, UploadedAt: now}
		}
		upload := func(name string) contest.Upload {
			u := contest.Upload{ID: contest.NewID(), SubmissionID: s.ID, OwnerID: s.OwnerID, Key: "videos/" + s.ID + "/" + name + ".mp4",
				StorageID: name, FileName: name + ".mp4", ContentType: "video/mp4", Size: 10, PartSize: 10, PartCount: 1,
				State: contest.UploadOpen, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := st.CreateUpload(ctx, &u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		// The work's video passes; a first new video waits as its candidate.
		first, cand, late := upload("first"), upload("cand"), upload("late")
		read, _ := st.SubmissionByID(ctx, s.ID)
		v := video(first)
		v.Check = accepted
		if err := finish(first, read, v, ""); err != nil {
			t.Fatal(err)
		}
		read, _ = st.SubmissionByID(ctx, s.ID)
		if err := finish(cand, read, video(cand), ""); err != nil {
			t.Fatal(err)
		}
		// A third completion reads the work (video first, candidate cand)…
		stale, _ := st.SubmissionByID(ctx, s.ID)
		if stale.Candidate == nil || stale.Candidate.Key != cand.Key {
			t.Fatalf("candidate %+v, want %s", stale.Candidate, cand.Key)
		}
		// …while the candidate passes and replaces the video.
		c := *stale.Candidate
		c.Check = accepted
		if err := st.PromoteCandidate(ctx, s.ID, first.Key, c, contest.VerdictFollowUp{}, nil); err != nil {
			t.Fatal(err)
		}
		if err := finish(late, stale, video(late), cand.Key); !errors.Is(err, contest.ErrStale) {
			t.Fatalf("finishing on a work whose candidate was promoted meanwhile: %v, want ErrStale", err)
		}
		got, _ := st.SubmissionByID(ctx, s.ID)
		gotU, _ := st.UploadByID(ctx, late.ID)
		if got.Video == nil || got.Video.Key != cand.Key || got.Candidate != nil || gotU.State != contest.UploadOpen {
			t.Fatalf("after the stale finish: video %+v, candidate %+v, upload %q; want the promoted video, no candidate, the upload open",
				got.Video, got.Candidate, gotU.State)
		}
		// Read again, the new video waits as the promoted one's candidate.
		if err := finish(late, got, video(late), ""); err != nil {
			t.Fatal(err)
		}
		got, _ = st.SubmissionByID(ctx, s.ID)
		if got.Video.Key != cand.Key || got.Candidate == nil || got.Candidate.Key != late.Key {
			t.Fatalf("after the retry: video %+v, candidate %+v; want %s kept and %s its candidate", got.Video, got.Candidate, cand.Key, late.Key)
		}
		// Two completions read the same candidate: the second to write finds another candidate
		// than the one it read (and would delete the object of), and is stale.
		newer, last := upload("newer"), upload("last")
		if err := finish(newer, got, video(newer), late.Key); err != nil {
			t.Fatal(err)
		}
		if err := finish(last, got, video(last), late.Key); !errors.Is(err, contest.ErrStale) {
			t.Fatalf("finishing over a candidate replaced meanwhile: %v, want ErrStale", err)
		}
		got, _ = st.SubmissionByID(ctx, s.ID)
		if got.Candidate == nil || got.Candidate.Key != newer.Key {
			t.Fatalf("candidate %+v after the stale finish, want %s kept", got.Candidate, newer.Key)
		}
	})
}
