package contest

import (
	"context"
	"time"
)

// FormalDecision is the outcome of the organizers' formal review (形式审查) of a work: whether
// it goes to the judges.
type FormalDecision string

// Formal review decisions.
const (
	FormalPassed   FormalDecision = "passed"
	FormalExcluded FormalDecision = "excluded"
)

// Label returns the decision in Chinese.
func (d FormalDecision) Label() string {
	switch d {
	case FormalPassed:
		return "形式审查通过"
	case FormalExcluded:
		return "形式审查未通过"
	}
	return "待形式审查"
}

// FormalReview is the organizers' decision on a work, with the reason the contestant sees.
type FormalReview struct {
	Decision FormalDecision
	Reason   string
	ByID     string
	At       time.Time
}

// DecideFormal records the formal review of a submitted work with an accepted video: passed
// (it goes to the judges) or excluded, which needs a reason (theme, orientation, content —
// the notice's first requirement). It can be changed until judging starts; every decision is
// in the audit log.
func (s *JudgingService) DecideFormal(ctx context.Context, actor User, id string, d FormalDecision, reason string) (Submission, error) {
	if err := requireOrganizer(actor); err != nil {
		return Submission{}, err
	}
	var f Fields
	reason, fe := ValidateText(reason, d == FormalExcluded, 300)
	switch {
	case d != FormalPassed && d != FormalExcluded:
		f.Add("decision", "decision_unknown", "请选择“通过”或“不通过”")
	case fe != nil && d == FormalExcluded && fe.Code == "required":
		f.Add("reason", "reason_required", "不通过时须填写原因，参赛者会看到")
	case fe != nil:
		f.Add("reason", fe.Code, fe.Message)
	}
	if err := f.Err(); err != nil {
		return Submission{}, err
	}
	sub, err := s.submissions.SubmissionByID(ctx, id)
	if err != nil {
		return Submission{}, err
	}
	if sub.Status != StatusSubmitted || sub.Video == nil || sub.Video.Check.State != CheckAccepted {
		return Submission{}, Errorf(EConflict, "只有已提交且视频检查通过的作品才能进行形式审查")
	}
	fr := FormalReview{Decision: d, Reason: reason, ByID: actor.ID, At: s.Now()}
	var before any
	if sub.Formal != nil {
		before = formalAudit(*sub.Formal)
	}
	a := s.newAudit(actor, "formal_review", sub.ID, string(d), before, formalAudit(fr))
	var notes []Notification
	if d == FormalExcluded {
		c, err := s.contests.ContestByID(ctx, sub.ContestID)
		if err != nil {
			return Submission{}, err
		}
		notes = append(notes, exclusionNotification(fr.At, c, sub, fr))
	}
	if err := s.submissions.SaveFormalReview(ctx, sub.ID, fr, a, notes); err != nil {
		return Submission{}, err
	}
	sub.Formal = &fr
	return sub, nil
}

func formalAudit(fr FormalReview) map[string]any {
	return map[string]any{"decision": fr.Decision, "reason": fr.Reason}
}
