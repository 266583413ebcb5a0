package contest

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
)

// passedWorks returns the contest's works that passed formal review.
func (s *JudgingService) passedWorks(ctx context.Context, contestID string) ([]Submission, error) {
	page, err := s.submissions.ListSubmissions(ctx, SubmissionFilter{ContestID: contestID, Status: StatusSubmitted, Formal: FormalPassed})
	return page.Items, err
}

// RunAssignment assigns judges to every work that passed formal review: k judges each, no
// conflicts, balanced loads. Reviews already saved or submitted stay with their judge; the
// other assignments are made anew. Each judge gets their works in a random order of their own.
func (s *JudgingService) RunAssignment(ctx context.Context, actor User, seed uint64) (Plan, error) {
	return s.runAssignment(ctx, actor, seed, true)
}

// PreviewAssignment returns the plan RunAssignment would make with the same seed, without
// saving it: the organizer sees the loads and the works short of judges first.
func (s *JudgingService) PreviewAssignment(ctx context.Context, actor User, seed uint64) (Plan, error) {
	return s.runAssignment(ctx, actor, seed, false)
}

func (s *JudgingService) runAssignment(ctx context.Context, actor User, seed uint64, save bool) (Plan, error) {
	if err := requireOrganizer(actor); err != nil {
		return Plan{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Plan{}, err
	}
	if c.Judging.ClosedAt != nil {
		return Plan{}, errJudgingClosed
	}
	in, err := s.assignmentInputs(ctx, c, Assignment{})
	if err != nil {
		return Plan{}, err
	}
	works, judges, records := in.works, in.judges, in.records
	// Submitted reviews always stay (a deactivated judge's count towards k); an active judge's
	// draft stays with them; everything else is assigned anew.
	active := map[string]bool{}
	for _, j := range judges {
		active[j.ID] = true
	}
	var keep, stale, drafts []Assignment
	for _, r := range records {
		switch {
		case r.SubmittedAt != nil, r.SavedAt != nil && active[r.JudgeID]:
			keep = append(keep, r.Assignment)
		case r.SavedAt != nil:
			drafts = append(drafts, r.Assignment) // a deactivated judge's unfinished review
		default:
			stale = append(stale, r.Assignment)
		}
	}
	plan := Assign(works, judges, c.Judging.ReviewsPerWork, withoutCalibration(c.Judging, keep), seed)
	plan.Calibration = AssignCalibration(in.calibration, judges)
	if !save {
		return plan, nil
	}
	add := additions(plan, keep)
	audit := s.newAudit(actor, "assignment", c.ID, "run",
		map[string]any{"assignments": len(records), "removed": pairs(append(stale, drafts...))},
		map[string]any{"assignments": len(plan.Assignments), "added": pairs(add), "works": len(works), "judges": len(judges), "short": len(plan.Short)})
	notes := assignedNotifications(s.Now(), c, add, queueSizes(append(plan.Assignments, plan.Calibration...)))
	if err := s.reviews.ReplaceAssignments(ctx, c.ID, stale, drafts, add, audit, notes...); err != nil {
		return Plan{}, err
	}
	return plan, nil
}

// DeclareConflict is a judge's 回避: they have a conflict of interest with a work in their queue.
// The work leaves their queue, is never assigned to them again, and goes to another judge free
// of conflicts (the least loaded). A submitted review cannot be withdrawn this way.
func (s *JudgingService) DeclareConflict(ctx context.Context, actor User, id, reason string) error {
	t, err := s.JudgeTask(ctx, actor, id)
	if err != nil {
		return err
	}
	if t.Done() {
		return errConflictAfterReview
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	if err := c.CheckConflictDeclaration(s.Now()); err != nil {
		return err
	}
	reason, fe := ValidateText(reason, false, 300)
	if fe != nil {
		return (Fields{"reason": *fe}).Err()
	}
	mine := Assignment{WorkID: id, JudgeID: actor.ID}
	in, err := s.assignmentInputs(ctx, c, mine)
	if err != nil {
		return err
	}
	var works []AssignWork
	for _, w := range in.works {
		if w.ID == id {
			works = append(works, w)
		}
	}
	judges := in.judges
	var keep []Assignment
	for _, r := range in.records {
		if r.Assignment != mine {
			keep = append(keep, r.Assignment)
		}
	}
	// Everything else stays; only this work gets a judge in place of the one leaving (a
	// calibration work none: it is in works only when ordinary).
	add := additions(Assign(works, judges, c.Judging.ReviewsPerWork, withoutCalibration(c.Judging, keep), uint64(s.Now().UnixNano())), keep)
	audit := s.newAudit(actor, "assignment", id, "conflict", map[string]any{"judge": actor.ID},
		map[string]any{"reason": reason, "reassigned_to": pairs(add)})
	notes := assignedNotifications(s.Now(), c, add, queueSizes(append(keep, pairs2(add)...)))
	err = s.reviews.DeclareConflict(ctx, c.ID, mine, reason, s.Now(), add, audit, notes...)
	if errors.Is(err, ErrStale) {
		return errConflictAfterReview // submitted in another window meanwhile
	}
	return err
}

// errConflictAfterReview refuses a conflict declared on a work the judge has already scored.
var errConflictAfterReview = Errorf(EConflict, "已提交评分的作品不能回避，请联系组织方")

// assignmentInput is what an assignment is made from: the works that passed formal review, the
// active judges with their declared conflicts (and extra, one being declared now), and the
// assignments as stored. The calibration works are apart from the others.
type assignmentInput struct {
	works       []AssignWork
	calibration []AssignWork
	judges      []AssignJudge
	records     []ReviewRecord
}

func (s *JudgingService) assignmentInputs(ctx context.Context, c Contest, extra Assignment) (assignmentInput, error) {
	var in assignmentInput
	contestID := c.ID
	subs, err := s.roundWorks(ctx, c, c.Judging.CurrentRound())
	if err != nil {
		return in, err
	}
	judgeUsers, err := s.users.ContestUsers(ctx, contestID, RoleJudge)
	if err != nil {
		return in, err
	}
	if in.records, err = s.reviews.ReviewRecords(ctx, contestID); err != nil {
		return in, err
	}
	declared, err := s.reviews.Conflicts(ctx)
	if err != nil {
		return in, err
	}
	if extra.JudgeID != "" {
		if declared[extra.JudgeID] == nil {
			declared[extra.JudgeID] = map[string]bool{}
		}
		declared[extra.JudgeID][extra.WorkID] = true
	}
	for _, sub := range subs {
		in.works = append(in.works, assignWork(sub))
	}
	in.works, in.calibration = splitCalibration(c.Judging, in.works)
	for _, u := range judgeUsers {
		if !u.Disabled && c.Judging.InRound(u.ID) {
			in.judges = append(in.judges, AssignJudge{ID: u.ID, Employer: u.Employer, Conflicts: declared[u.ID], Categories: c.judgeCategories(u.ID)})
		}
	}
	return in, nil
}

func assignWork(sub Submission) AssignWork {
	w := AssignWork{ID: sub.ID, Employers: []string{sub.Registration.Employer}, Category: sub.Category}
	for _, p := range sub.Participants {
		w.Employers = append(w.Employers, sub.EmployerOf(p))
	}
	return w
}

// reassignFrom gives the unsubmitted reviews of a judge just deactivated to other judges free
// of conflicts (the least loaded); submitted reviews stay and count. Nothing happens before the
// first assignment or after judging is closed.
func (s *JudgingService) reassignFrom(ctx context.Context, actor User, judgeID string) error {
	c, err := s.contests.CurrentContest(ctx)
	if err != nil || c.Judging.ClosedAt != nil {
		return err
	}
	in, err := s.assignmentInputs(ctx, c, Assignment{})
	if err != nil || len(in.records) == 0 {
		return err
	}
	var keep, leaving []Assignment
	for _, r := range in.records {
		if r.JudgeID == judgeID && r.SubmittedAt == nil {
			leaving = append(leaving, r.Assignment)
		} else {
			keep = append(keep, r.Assignment)
		}
	}
	if len(leaving) == 0 {
		return nil
	}
	add := additions(Assign(in.works, in.judges, c.Judging.ReviewsPerWork, withoutCalibration(c.Judging, keep), uint64(s.Now().UnixNano())), keep)
	audit := s.newAudit(actor, "assignment", judgeID, "reassign", map[string]any{"removed": pairs(leaving)}, map[string]any{"added": pairs(add)})
	notes := assignedNotifications(s.Now(), c, add, queueSizes(append(keep, pairs2(add)...)))
	return s.reviews.ReplaceAssignments(ctx, c.ID, nil, leaving, add, audit, notes...)
}

// MoveAssignment gives one unstarted review of a work to another judge: the organizer's manual
// adjustment of the assignment. The new judge must be active, free of conflicts with the work
// and not already reviewing it. Audited.
func (s *JudgingService) MoveAssignment(ctx context.Context, actor User, workID, fromJudge, toJudge string) error {
	if err := requireOrganizer(actor); err != nil {
		return err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	if c.Judging.ClosedAt != nil {
		return errJudgingClosed
	}
	in, err := s.assignmentInputs(ctx, c, Assignment{})
	if err != nil {
		return err
	}
	if fromJudge == toJudge {
		return Errorf(EConflict, "该评委已在评审这件作品")
	}
	if c.Judging.IsCalibration(workID) {
		return Errorf(EConflict, "校准作品由每位评委评审，不能改派")
	}
	from := Assignment{WorkID: workID, JudgeID: fromJudge}
	var found bool
	for _, r := range in.records {
		switch {
		case r.Assignment == from && (r.SavedAt != nil || r.SubmittedAt != nil):
			return Errorf(EConflict, "该评委已开始评分，不能改派")
		case r.Assignment == from:
			found = true
		case r.WorkID == workID && r.JudgeID == toJudge:
			return Errorf(EConflict, "该评委已在评审这件作品")
		}
	}
	if !found {
		return Errorf(ENotFound, "评审任务不存在")
	}
	var work *AssignWork
	for i := range in.works {
		if in.works[i].ID == workID {
			work = &in.works[i]
		}
	}
	var judge *AssignJudge
	for i := range in.judges {
		if in.judges[i].ID == toJudge {
			judge = &in.judges[i]
		}
	}
	switch {
	case work == nil:
		return Errorf(ENotFound, "作品不存在或未通过形式审查")
	case judge == nil:
		return (Fields{"to": {Code: "judge_unknown", Message: "请选择一位在用的评委"}}).Err()
	case !judge.Allowed(work.Category):
		return (Fields{"to": {Code: "judge_category", Message: "该评委不评审“" + c.CategoryName(work.Category) + "”组别的作品"}}).Err()
	case Conflicted(*judge, *work):
		return (Fields{"to": {Code: "judge_conflicted", Message: "该评委与这件作品须回避（同单位或已申请回避）"}}).Err()
	}
	to := ReviewRecord{Assignment: Assignment{WorkID: workID, JudgeID: toJudge}, Position: rand.IntN(1 << 30)}
	a := s.newAudit(actor, "assignment", workID, "move", map[string]any{"judge": fromJudge}, map[string]any{"judge": toJudge})
	var queue []Assignment
	for _, r := range in.records {
		if r.JudgeID == toJudge {
			queue = append(queue, r.Assignment)
		}
	}
	notes := assignedNotifications(s.Now(), c, []ReviewRecord{to}, queueSizes(append(queue, to.Assignment)))
	return s.reviews.ReplaceAssignments(ctx, c.ID, []Assignment{from}, nil, []ReviewRecord{to}, a, notes...)
}

// WorkAssignment is a work with its judges, for the organizer's adjustment page.
type WorkAssignment struct {
	WorkID  string
	Title   string
	Reviews []ReviewRecord
	// Free lists the active judges who could take a review of this work over.
	Free []User
}

// AssignmentTable lists the works that passed formal review with their judges. Organizers only.
func (s *JudgingService) AssignmentTable(ctx context.Context, actor User) ([]WorkAssignment, map[string]User, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, nil, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, nil, err
	}
	subs, err := s.roundWorks(ctx, c, c.Judging.CurrentRound())
	if err != nil {
		return nil, nil, err
	}
	in, err := s.assignmentInputs(ctx, c, Assignment{})
	if err != nil {
		return nil, nil, err
	}
	users, err := s.users.ContestUsers(ctx, c.ID, RoleJudge)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	reviews := map[string][]ReviewRecord{}
	for _, r := range in.records {
		reviews[r.WorkID] = append(reviews[r.WorkID], r)
	}
	workByID := map[string]AssignWork{}
	for _, w := range append(in.works, in.calibration...) {
		workByID[w.ID] = w
	}
	var out []WorkAssignment
	for _, sub := range subs {
		w := WorkAssignment{WorkID: sub.ID, Title: sub.Registration.Title, Reviews: reviews[sub.ID]}
		taken := map[string]bool{}
		for _, r := range w.Reviews {
			taken[r.JudgeID] = true
		}
		for _, j := range in.judges {
			if !taken[j.ID] && !Conflicted(j, workByID[sub.ID]) {
				w.Free = append(w.Free, byID[j.ID])
			}
		}
		out = append(out, w)
	}
	return out, byID, nil
}

// additions returns the plan's assignments that are not in keep, each at a random place in its
// judge's order.
func additions(plan Plan, keep []Assignment) []ReviewRecord {
	kept := make(map[Assignment]bool, len(keep))
	for _, a := range keep {
		kept[a] = true
	}
	var add []ReviewRecord
	for _, a := range append(slices.Clip(plan.Assignments), plan.Calibration...) {
		if !kept[a] {
			add = append(add, ReviewRecord{Assignment: a, Position: rand.IntN(1 << 30)})
		}
	}
	return add
}

// pairs names assignments as "work:judge" for the audit log.
func pairs[T interface{ pair() Assignment }](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		a := x.pair()
		out[i] = a.WorkID + ":" + a.JudgeID
	}
	return out
}

func (a Assignment) pair() Assignment { return a } // ReviewRecord has it too, through its Assignment

// queueSizes counts the works of each judge among the assignments.
func queueSizes(as []Assignment) map[string]int {
	out := map[string]int{}
	for _, a := range as {
		out[a.JudgeID]++
	}
	return out
}

// pairs2 returns the assignments of records.
func pairs2(rs []ReviewRecord) []Assignment {
	out := make([]Assignment, len(rs))
	for i, r := range rs {
		out[i] = r.Assignment
	}
	return out
}
