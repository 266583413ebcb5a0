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
	// FormalPending selects, in a list's filter, the works not reviewed yet.
	FormalPending FormalDecision = "pending"
)

// FormalFilters are the choices of the organizers' list filter on the formal review.
var FormalFilters = []FormalDecision{FormalPending, FormalPassed, FormalExcluded}

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

// FilterLabel names the choice in the list's filter.
func (d FormalDecision) FilterLabel() string {
	return map[FormalDecision]string{FormalPending: "待审查", FormalPassed: "已通过", FormalExcluded: "未通过"}[d]
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
	if d == FormalPassed && sub.Candidate != nil && !sub.Candidate.Check.hasVerdict() {
		return Submission{}, Errorf(EConflict, "作者新上传的视频尚未检查完，检查通过后将替换现有视频，请届时再审查")
	}
	return s.decideFormal(ctx, actor, sub, d, reason)
}

// decideFormal records a checked decision on sub with its audit entry (and, for an
// exclusion, the contestant's message).
func (s *JudgingService) decideFormal(ctx context.Context, actor User, sub Submission, d FormalDecision, reason string) (Submission, error) {
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

// FormalRefusal is a work a bulk pass left as it was, with the reason in Chinese.
type FormalRefusal struct {
	ID, Title, Reason string
}

// FormalBulkResult is what a bulk pass did: how many works it passed, how many had passed
// already, and the works it could not pass.
type FormalBulkResult struct {
	Passed, AlreadyPassed int
	Refused               []FormalRefusal
}

// PassFormal passes the formal review of each work in ids, each decided and audited on its
// own as DecideFormal does. A work that cannot pass — not submitted, its video not accepted,
// already excluded (that is changed on the work's own page, with care) — is left as it was and
// reported with the reason; the others pass. A work already passed is not recorded again.
func (s *JudgingService) PassFormal(ctx context.Context, actor User, ids []string) (FormalBulkResult, error) {
	var res FormalBulkResult
	if err := requireOrganizer(actor); err != nil {
		return res, err
	}
	if len(ids) == 0 {
		return res, (Fields{"id": {Code: "required", Message: "请勾选要通过形式审查的作品"}}).Err()
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		sub, err := s.submissions.SubmissionByID(ctx, id)
		if ErrorCode(err) == ENotFound {
			res.Refused = append(res.Refused, FormalRefusal{ID: id, Reason: "作品不存在或已删除"})
			continue
		} else if err != nil {
			return res, err
		}
		if why := formalPassBlocker(sub); why != "" {
			res.Refused = append(res.Refused, FormalRefusal{ID: id, Title: sub.Registration.Title, Reason: why})
			continue
		}
		if sub.Formal != nil && sub.Formal.Decision == FormalPassed {
			res.AlreadyPassed++
			continue
		}
		// What the content scan found (a name on screen, the same video as another work) is
		// looked at on the work's own page, not passed unseen in a batch.
		if why, err := s.media.scanBlocker(ctx, sub.Video.Key); err != nil {
			return res, err
		} else if why != "" {
			res.Refused = append(res.Refused, FormalRefusal{ID: id, Title: sub.Registration.Title, Reason: why})
			continue
		}
		if _, err := s.decideFormal(ctx, actor, sub, FormalPassed, ""); err != nil {
			return res, err
		}
		res.Passed++
	}
	return res, nil
}

// formalPassBlocker says why sub cannot pass the formal review in bulk, or "".
func formalPassBlocker(sub Submission) string {
	switch {
	case sub.Status != StatusSubmitted:
		return "作品尚未提交（" + sub.Status.Label() + "）"
	case sub.Video == nil:
		return "没有参赛视频"
	case sub.Video.Check.State != CheckAccepted:
		return "视频未通过检查（" + sub.Video.Check.State.Label() + "）"
	case sub.Candidate != nil && !sub.Candidate.Check.hasVerdict():
		return "作者新上传的视频尚未检查完，请检查完成后再审查"
	case sub.Formal != nil && sub.Formal.Decision == FormalExcluded:
		return "已判定形式审查不通过；如需改为通过，请在作品页修改"
	}
	return ""
}
