package contest

import (
	"testing"
	"time"
)

// The rules in this file once lived in SQL (a WHERE clause, a JOIN, a constant in a SELECT);
// they are tested here, at the domain level, where a contestant, a judge or an organizer
// would describe them.

func TestAttachVideo_ASubmittedWorkGoesBackToDraft(t *testing.T) {
	now := time.Date(2022, 5, 15, 10, 0, 0, 0, Beijing)
	submitted := now.Add(-time.Hour)
	for _, tc := range []struct {
		status       Status
		wantStatus   Status
		wantReopened bool
	}{
		{StatusSubmitted, StatusDraft, true},
		{StatusDraft, StatusDraft, false},
	} {
		s := Submission{Status: tc.status, Uploading: &Upload{ID: "u1"}}
		if tc.status == StatusSubmitted {
			s.SubmittedAt = &submitted
		}
		v := Video{Attachment: Attachment{Key: "videos/new.mp4", Name: "新版.mp4"}, Check: VideoCheck{State: CheckPending}}
		reopened := s.AttachVideo(v)
		if reopened != tc.wantReopened || s.Status != tc.wantStatus {
			t.Errorf("%s work: reopened %v status %q, want %v %q", tc.status, reopened, s.Status, tc.wantReopened, tc.wantStatus)
		}
		if s.Status == StatusDraft && s.SubmittedAt != nil {
			t.Errorf("%s work: a draft keeps a submission time %v", tc.status, s.SubmittedAt)
		}
		if s.Video == nil || s.Video.Key != v.Key || s.Uploading != nil {
			t.Errorf("%s work: video %+v, uploading %+v; want the new video and no upload", tc.status, s.Video, s.Uploading)
		}
	}
}

func TestAssignedWork_OnlySubmittedWorksThatPassedFormalReviewAreJudged(t *testing.T) {
	for _, tc := range []struct {
		status Status
		formal FormalDecision
		want   bool
	}{
		{StatusSubmitted, FormalPassed, true},
		{StatusSubmitted, "", false},             // not yet through formal review
		{StatusSubmitted, FormalExcluded, false}, // excluded at 形式审查
		{StatusDraft, FormalPassed, false},       // a new video sent it back to draft
	} {
		w := AssignedWork{Status: tc.status, Formal: tc.formal}
		if got := w.Reviewable(); got != tc.want {
			t.Errorf("status %q, formal %q: reviewable %v, want %v", tc.status, tc.formal, got, tc.want)
		}
	}
}

func TestAssignedWork_TaskHidesTheContestantsFileName(t *testing.T) {
	w := AssignedWork{
		ReviewRecord: ReviewRecord{Assignment: Assignment{WorkID: "w1", JudgeID: "j1"}, Position: 3, Comment: "好"},
		Status:       StatusSubmitted, Formal: FormalPassed, Title: "追光", Description: "创意",
		Video: &Video{Attachment: Attachment{Key: "videos/w1.mp4", Name: "张三-某某研究所-终版.mp4", Size: 42}},
	}
	task := w.Task()
	if task.Video == nil || task.Video.Name != BlindVideoName || task.Video.Key != "videos/w1.mp4" || task.Video.Size != 42 {
		t.Fatalf("task video = %+v, want the same video named %q", task.Video, BlindVideoName)
	}
	if w.Video.Name != "张三-某某研究所-终版.mp4" {
		t.Errorf("Task changed the stored work's video name to %q", w.Video.Name)
	}
	if task.SubmissionID != "w1" || task.Title != "追光" || task.Description != "创意" || task.Position != 3 || task.Comment != "好" {
		t.Errorf("task = %+v", task)
	}
}

func TestCheckScoring_ReviewWindowInShanghaiAndClosedJudging(t *testing.T) {
	c := DefaultContest() // review 2022-05-21 00:00 to 2022-05-28 23:59:59, Beijing
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		now          string
		score, avoid string // codes of CheckScoring and CheckConflictDeclaration
	}{
		{"2022-05-20T15:59:59Z", EDeadline, ""}, // the day before: no scores yet, but a judge may step aside
		{"2022-05-20T16:00:00Z", "", ""},        // 5月21日 00:00 Beijing
		{"2022-05-28T15:59:59Z", "", ""},        // 5月28日 23:59:59
		{"2022-05-28T16:00:00Z", EDeadline, EDeadline},
	} {
		now := at(tc.now)
		if got := ErrorCode(c.CheckScoring(now)); got != tc.score {
			t.Errorf("scoring at %s: %q, want %q", tc.now, got, tc.score)
		}
		if got := ErrorCode(c.CheckConflictDeclaration(now)); got != tc.avoid {
			t.Errorf("conflict at %s: %q, want %q", tc.now, got, tc.avoid)
		}
		if c.ScoringOpen(now) != (tc.score == "") {
			t.Errorf("ScoringOpen at %s disagrees with CheckScoring", tc.now)
		}
	}
	closed := at("2022-05-22T00:00:00Z")
	c.Judging.ClosedAt = &closed
	open := at("2022-05-23T00:00:00Z")
	if got := ErrorCode(c.CheckScoring(open)); got != EConflict {
		t.Errorf("scoring after judging closed: %q, want %q", got, EConflict)
	}
	if got := ErrorCode(c.CheckConflictDeclaration(open)); got != EConflict {
		t.Errorf("conflict after judging closed: %q, want %q", got, EConflict)
	}
}

// Personal data may be purged from the start of the day (Beijing) the retention period after
// publishing ends; a publication saved before the setting existed keeps the default period.
func TestContest_PurgeDue(t *testing.T) {
	var c Contest
	if _, ok := c.PurgeDue(); ok {
		t.Fatal("a purge is due before the results are published")
	}
	late := time.Date(2022, 5, 28, 23, 30, 0, 0, Beijing) // 15:30 UTC
	c.Publication = Publication{PublishedAt: &late, RetentionDays: 30}
	if due, _ := c.PurgeDue(); !due.Equal(time.Date(2022, 6, 27, 0, 0, 0, 0, Beijing)) {
		t.Errorf("due %v, want 2022-06-27 00:00 Beijing", due)
	}
	c.Publication.RetentionDays = 0
	if due, _ := c.PurgeDue(); !due.Equal(time.Date(2022, 11, 24, 0, 0, 0, 0, Beijing)) {
		t.Errorf("default due %v, want 180 days later: 2022-11-24", due)
	}
}
