package contest

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// JudgeTask is one work in a judge's queue: what a blind review may show of it (title,
// creative description, video), and the judge's own scores. Nothing else about the work or
// its people is in it.
type JudgeTask struct {
	SubmissionID string
	Title        string
	Description  string
	Video        *Video
	Position     int // the judge's own random order
	Scores       Scores
	Comment      string
	SavedAt      *time.Time
	SubmittedAt  *time.Time
	// Calibration marks a calibration work (校准作品): every judge scores it, it is not ranked.
	Calibration bool
}

// Done reports whether the judge has submitted the review.
func (t JudgeTask) Done() bool { return t.SubmittedAt != nil }

// AssignedWork is an assignment as stored, with what is known of its work: enough for the
// domain to decide whether it is in the judge's queue and what the judge sees of it.
type AssignedWork struct {
	ReviewRecord
	Status      Status
	Formal      FormalDecision // "" until the formal review
	Title       string
	Description string
	Video       *Video // without the contestant's file name, which may say who made it
}

// BlindVideoName is the name a judge sees for every video: the contestant's file name may
// say who made it, and review is blind.
const BlindVideoName = "作品.mp4"

// Reviewable reports whether the work is in its judge's queue: only a submitted work that
// passed formal review is judged. An assignment whose work went back to draft (a new video)
// or was excluded stays stored, but leaves the queue.
func (w AssignedWork) Reviewable() bool {
	return w.Status == StatusSubmitted && w.Formal == FormalPassed
}

// Task is what a blind review shows of the work: its title, its creative description and its
// video under a neutral name, with the judge's own scores.
func (w AssignedWork) Task() JudgeTask {
	t := JudgeTask{SubmissionID: w.WorkID, Title: w.Title, Description: w.Description, Position: w.Position,
		Scores: w.Scores, Comment: w.Comment, SavedAt: w.SavedAt, SubmittedAt: w.SubmittedAt}
	if w.Video != nil {
		v := *w.Video
		v.Name = BlindVideoName
		t.Video = &v
	}
	return t
}

// ReviewRecord is an assignment as stored, with its review when there is one.
type ReviewRecord struct {
	Assignment
	Position    int
	Scores      Scores
	Comment     string
	SavedAt     *time.Time
	SubmittedAt *time.Time
}

// ReviewStore keeps assignments and the judges' reviews.
type ReviewStore interface {
	// ReviewRecords returns every assignment of the contest with its review.
	ReviewRecords(ctx context.Context, contestID string) ([]ReviewRecord, error)
	// ReplaceAssignments deletes the assignments in remove (only if still unreviewed) and in
	// drafts (only if still unsubmitted), and adds those in add, with the audit entry, in one
	// transaction, with the notes to the judges (one per event and recipient).
	ReplaceAssignments(ctx context.Context, contestID string, remove, drafts []Assignment, add []ReviewRecord, a AuditEntry, notes ...Notification) error
	// AssignedWorks returns every work assigned to the judge, in the judge's order, with its
	// status, its formal review and what a review may show of it; never personal data.
	AssignedWorks(ctx context.Context, judgeID string) ([]AssignedWork, error)
	// SaveReview stores a judge's scores for an assigned work, with the audit entry; ENotFound
	// when the work is not assigned to the judge.
	SaveReview(ctx context.Context, r ReviewRecord, a AuditEntry) error
	// DeclareConflict records a judge's conflict with a work and removes the (unsubmitted)
	// assignment, adding the replacements and the audit entry, in one transaction; ErrStale
	// when the review was submitted meanwhile. The notes to the judges given the work are
	// inserted with them.
	DeclareConflict(ctx context.Context, contestID string, c Assignment, reason string, at time.Time, add []ReviewRecord, a AuditEntry, notes ...Notification) error
	// Conflicts returns the declared conflicts, as judge → work → true.
	Conflicts(ctx context.Context) (map[string]map[string]bool, error)
}

// JudgeQueue returns the judge's works, the unscored first, the calibration works first among
// them, then the rest in the judge's order. Judges only.
func (s *JudgingService) JudgeQueue(ctx context.Context, actor User) ([]JudgeTask, error) {
	if !actor.IsJudge() {
		return nil, Errorf(EForbidden, "只有评委可以进行评审")
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	return s.judgeQueue(ctx, actor, c)
}

// judgeQueue is JudgeQueue in the contest c, already read.
func (s *JudgingService) judgeQueue(ctx context.Context, actor User, c Contest) ([]JudgeTask, error) {
	works, err := s.reviews.AssignedWorks(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	var tasks []JudgeTask
	for _, w := range works {
		if w.Reviewable() {
			t := w.Task()
			t.Calibration = c.Judging.IsCalibration(t.SubmissionID)
			tasks = append(tasks, t)
		}
	}
	slices.SortStableFunc(tasks, queueOrder)
	return tasks, nil
}

// queueOrder is a judge's order of work: unscored first, calibration works first among them,
// then the judge's own random order.
func queueOrder(a, b JudgeTask) int {
	return cmp.Or(compareFalseFirst(a.Done(), b.Done()), compareFalseFirst(!a.Calibration, !b.Calibration), a.Position-b.Position)
}

// compareFalseFirst orders false before true.
func compareFalseFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// JudgeTask returns one work of the judge's queue; ENotFound for a work not assigned to them.
func (s *JudgingService) JudgeTask(ctx context.Context, actor User, id string) (JudgeTask, error) {
	tasks, err := s.JudgeQueue(ctx, actor)
	if err != nil {
		return JudgeTask{}, err
	}
	i, err := taskIndex(tasks, id)
	if err != nil {
		return JudgeTask{}, err
	}
	return tasks[i], nil
}

// taskIndex finds a work in a judge's queue; ENotFound when it is not theirs to review.
func taskIndex(tasks []JudgeTask, id string) (int, error) {
	for i, t := range tasks {
		if t.SubmissionID == id {
			return i, nil
		}
	}
	return -1, Errorf(ENotFound, "作品不存在")
}

// Scored is a review just saved, with where the judge goes next.
type Scored struct {
	Task JudgeTask
	// Next is the judge's first work still to be submitted, in their order; "" when every
	// review is in.
	Next string
}

// ScoreWork saves the judge's scores and comment for an assigned work: a draft may be partial,
// a submitted review must score every criterion. Reviews can be revised while the review
// window is open.
// It reads the judge's queue and the contest once.
func (s *JudgingService) ScoreWork(ctx context.Context, actor User, id string, scores Scores, comment string, submit bool) (Scored, error) {
	if !actor.IsJudge() {
		return Scored{}, Errorf(EForbidden, "只有评委可以进行评审")
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Scored{}, err
	}
	tasks, err := s.judgeQueue(ctx, actor, c)
	if err != nil {
		return Scored{}, err
	}
	i, err := taskIndex(tasks, id)
	if err != nil {
		return Scored{}, err
	}
	t, err := s.saveReview(ctx, actor, c, tasks[i], scores, comment, submit)
	if err != nil {
		return Scored{}, err
	}
	tasks[i] = t
	out := Scored{Task: t}
	for _, q := range tasks {
		if !q.Done() {
			out.Next = q.SubmissionID
			break
		}
	}
	return out, nil
}

// saveReview checks and saves one review of t with its audit entry, and returns t as saved.
func (s *JudgingService) saveReview(ctx context.Context, actor User, c Contest, t JudgeTask, scores Scores, comment string, submit bool) (JudgeTask, error) {
	id := t.SubmissionID
	now := s.Now()
	if err := c.CheckScoring(now); err != nil {
		return JudgeTask{}, err
	}
	if t.Done() && !submit {
		return JudgeTask{}, Errorf(EConflict, "评分已提交，如需修改请修改后再次提交")
	}
	r := c.Judging.Rubric
	if err := r.Check(scores); err != nil {
		if submit {
			return JudgeTask{}, err
		}
		// A draft may miss criteria; every score out of range is refused, each by its field.
		wrong := Fields{}
		for field, fe := range ErrorFields(err) {
			if fe.Code != "score_missing" {
				wrong[field] = fe
			}
		}
		if err := wrong.Err(); err != nil {
			return JudgeTask{}, err
		}
	}
	comment, fe := ValidateText(comment, false, 1000)
	if fe != nil {
		return JudgeTask{}, (Fields{"comment": *fe}).Err()
	}
	rec := ReviewRecord{Assignment: Assignment{WorkID: id, JudgeID: actor.ID}, Position: t.Position,
		Scores: scores, Comment: comment, SavedAt: &now}
	if submit {
		rec.SubmittedAt = &now
	}
	before := map[string]any{"scores": t.Scores, "comment": t.Comment, "submitted": t.Done()}
	after := map[string]any{"scores": scores, "comment": comment, "submitted": submit, "total": r.Total(scores)}
	if err := s.reviews.SaveReview(ctx, rec, s.newAudit(actor, "review", id, map[bool]string{true: "submit", false: "draft"}[submit], before, after)); err != nil {
		return JudgeTask{}, err
	}
	t.Scores, t.Comment, t.SavedAt, t.SubmittedAt = scores, comment, rec.SavedAt, rec.SubmittedAt
	return t, nil
}

// JudgeProgress counts each judge's assigned and submitted reviews, for the organizer.
type JudgeProgress struct{ Assigned, Done int }

// Progress returns each judge's progress in the current contest. Organizers only.
func (s *JudgingService) Progress(ctx context.Context, actor User) (map[string]JudgeProgress, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	records, err := s.reviews.ReviewRecords(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]JudgeProgress{}
	for _, r := range records {
		p := out[r.JudgeID]
		p.Assigned++
		if r.SubmittedAt != nil {
			p.Done++
		}
		out[r.JudgeID] = p
	}
	return out, nil
}
