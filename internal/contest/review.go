package contest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// JudgingSettings are a contest's rules for judging.
type JudgingSettings struct {
	Rubric         Rubric
	ReviewsPerWork int // judges per work (k)
	Quotas         [3]Quota
	Normalize      bool // rank on per-judge normalized scores
	// ClosedAt is when the organizer closed judging: from then on scores are locked.
	ClosedAt *time.Time `json:",omitempty"`
	// AwardsConfirmedAt is when the awards were confirmed (frozen); AwardsVersion counts the
	// confirmations.
	AwardsConfirmedAt *time.Time `json:",omitempty"`
	AwardsVersion     int        `json:",omitempty"`
}

// errJudgingClosed refuses changes to judging once it is closed.
var errJudgingClosed = Errorf(EConflict, "评审已结束，评分已锁定")

// DefaultJudging is the notice's rubric, three judges per work, and 一/二/三等奖 for 5/10/15 %
// of the ranked works.
func DefaultJudging() JudgingSettings {
	return JudgingSettings{Rubric: DefaultRubric(), ReviewsPerWork: 3,
		Quotas: [3]Quota{{Percent: 5}, {Percent: 10}, {Percent: 15}}}
}

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
}

// Done reports whether the judge has submitted the review.
func (t JudgeTask) Done() bool { return t.SubmittedAt != nil }

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
	// transaction.
	ReplaceAssignments(ctx context.Context, contestID string, remove, drafts []Assignment, add []ReviewRecord, a AuditEntry) error
	// JudgeTasks returns the judge's queue in the judge's order.
	JudgeTasks(ctx context.Context, judgeID string) ([]JudgeTask, error)
	// SaveReview stores a judge's scores for an assigned work, with the audit entry; ENotFound
	// when the work is not assigned to the judge.
	SaveReview(ctx context.Context, r ReviewRecord, a AuditEntry) error
	// DeclareConflict records a judge's conflict with a work and removes the (unsubmitted)
	// assignment, adding the replacements and the audit entry, in one transaction.
	DeclareConflict(ctx context.Context, contestID string, c Assignment, reason string, at time.Time, add []ReviewRecord, a AuditEntry) error
	// Conflicts returns the declared conflicts, as judge → work → true.
	Conflicts(ctx context.Context) (map[string]map[string]bool, error)
}

// passedWorks returns the contest's works that passed formal review, for assignment.
func (s *Service) passedWorks(ctx context.Context, contestID string) ([]Submission, error) {
	page, err := s.submissions.ListSubmissions(ctx, SubmissionFilter{ContestID: contestID, Status: StatusSubmitted, Formal: FormalPassed})
	return page.Items, err
}

// RunAssignment assigns judges to every work that passed formal review: k judges each, no
// conflicts, balanced loads. Reviews already saved or submitted stay with their judge; the
// other assignments are made anew. Each judge gets their works in a random order of their own.
func (s *Service) RunAssignment(ctx context.Context, actor User, seed uint64) (Plan, error) {
	return s.runAssignment(ctx, actor, seed, true)
}

// PreviewAssignment returns the plan RunAssignment would make with the same seed, without
// saving it: the organizer sees the loads and the works short of judges first.
func (s *Service) PreviewAssignment(ctx context.Context, actor User, seed uint64) (Plan, error) {
	return s.runAssignment(ctx, actor, seed, false)
}

func (s *Service) runAssignment(ctx context.Context, actor User, seed uint64, save bool) (Plan, error) {
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
	in, err := s.assignmentInputs(ctx, c.ID, Assignment{})
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
	plan := Assign(works, judges, c.Judging.ReviewsPerWork, keep, seed)
	if !save {
		return plan, nil
	}
	add := additions(plan, keep)
	audit := s.newAudit(actor, "assignment", c.ID, "run",
		map[string]any{"assignments": len(records), "removed": pairs(append(stale, drafts...))},
		map[string]any{"assignments": len(plan.Assignments), "added": pairs(add), "works": len(works), "judges": len(judges), "short": len(plan.Short)})
	if err := s.reviews.ReplaceAssignments(ctx, c.ID, stale, drafts, add, audit); err != nil {
		return Plan{}, err
	}
	return plan, nil
}

// JudgeQueue returns the judge's works, the next unscored first, then the rest in the judge's
// order. Judges only.
func (s *Service) JudgeQueue(ctx context.Context, actor User) ([]JudgeTask, error) {
	if actor.Role != RoleJudge || actor.Disabled {
		return nil, Errorf(EForbidden, "只有评委可以进行评审")
	}
	tasks, err := s.reviews.JudgeTasks(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(tasks, func(a, b JudgeTask) int {
		switch {
		case a.Done() == b.Done():
			return a.Position - b.Position
		case b.Done():
			return -1
		}
		return 1
	})
	return tasks, nil
}

// JudgeTask returns one work of the judge's queue; ENotFound for a work not assigned to them.
func (s *Service) JudgeTask(ctx context.Context, actor User, id string) (JudgeTask, error) {
	tasks, err := s.JudgeQueue(ctx, actor)
	if err != nil {
		return JudgeTask{}, err
	}
	for _, t := range tasks {
		if t.SubmissionID == id {
			return t, nil
		}
	}
	return JudgeTask{}, Errorf(ENotFound, "作品不存在")
}

// ScoreWork saves the judge's scores and comment for an assigned work: a draft may be partial,
// a submitted review must score every criterion. Reviews can be revised while the review
// window is open.
func (s *Service) ScoreWork(ctx context.Context, actor User, id string, scores Scores, comment string, submit bool) (JudgeTask, error) {
	t, err := s.JudgeTask(ctx, actor, id)
	if err != nil {
		return JudgeTask{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return JudgeTask{}, err
	}
	if c.Judging.ClosedAt != nil {
		return JudgeTask{}, errJudgingClosed
	}
	now := s.Now()
	if now.Before(c.ReviewStart) || now.After(c.ReviewEnd) {
		return JudgeTask{}, Errorf(EDeadline, "不在评审期内（%s 至 %s），评分未保存", FormatTime(c.ReviewStart, c.Location()), FormatTime(c.ReviewEnd, c.Location()))
	}
	if t.Done() && !submit {
		return JudgeTask{}, Errorf(EConflict, "评分已提交，如需修改请修改后再次提交")
	}
	r := c.Judging.Rubric
	if err := r.Check(scores); err != nil {
		if submit {
			return JudgeTask{}, err
		}
		// A draft keeps what is in range; missing criteria are fine.
		for field, fe := range ErrorFields(err) {
			if fe.Code != "score_missing" {
				return JudgeTask{}, (Fields{field: fe}).Err()
			}
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

// RankingRow is a ranked work with what the organizer's table shows about it.
type RankingRow struct {
	RankedWork
	Title    string
	Assigned int // judges assigned
	Missing  []string
	Short    bool // fewer submitted reviews than the contest's judges per work
	Proposed Tier // the award the quotas give this rank
}

// RankingTable is the organizer's ranking with the award proposal.
type RankingTable struct {
	Rows     []RankingRow
	Over     map[Tier]int // tiers that exceed their quota through ties at the cut
	ClosedAt *time.Time

	// works and records are what the ranking was made from, for the awards' other uses
	// (the 公示 list, the exports) so that they do not read them again.
	works   map[string]Submission
	records []ReviewRecord
}

// Ranking ranks the works that passed formal review on their submitted reviews and proposes
// their awards from the contest's quotas. Organizers only.
func (s *Service) Ranking(ctx context.Context, actor User) (RankingTable, error) {
	if err := requireOrganizer(actor); err != nil {
		return RankingTable{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return RankingTable{}, err
	}
	return s.ranking(ctx, c)
}

// ranking ranks the contest's works, for the organizers' pages and background packages.
func (s *Service) ranking(ctx context.Context, c Contest) (RankingTable, error) {
	subs, err := s.passedWorks(ctx, c.ID)
	if err != nil {
		return RankingTable{}, err
	}
	records, err := s.reviews.ReviewRecords(ctx, c.ID)
	if err != nil {
		return RankingTable{}, err
	}
	ids, works := make([]string, len(subs)), make(map[string]Submission, len(subs))
	for i, sub := range subs {
		ids[i], works[sub.ID] = sub.ID, sub
	}
	var reviews []Review
	assigned, missing := map[string]int{}, map[string][]string{}
	for _, r := range records {
		assigned[r.WorkID]++
		if r.SubmittedAt != nil {
			reviews = append(reviews, Review{WorkID: r.WorkID, JudgeID: r.JudgeID, Scores: r.Scores})
		} else {
			missing[r.WorkID] = append(missing[r.WorkID], r.JudgeID)
		}
	}
	ranked := Rank(c.Judging.Rubric, reviews, ids, RankOptions{Normalize: c.Judging.Normalize})
	props, over := ProposeAwards(ranked, c.Judging.Quotas)
	t := RankingTable{Rows: make([]RankingRow, len(ranked)), Over: over, ClosedAt: c.Judging.ClosedAt, works: works, records: records}
	for i, w := range ranked {
		t.Rows[i] = RankingRow{RankedWork: w, Title: works[w.WorkID].Registration.Title, Assigned: assigned[w.WorkID], Missing: missing[w.WorkID],
			Short: w.Reviews < c.Judging.ReviewsPerWork, Proposed: props[i].Tier}
	}
	return t, nil
}

// CloseJudging ends the judging round: scores are locked from now on. It returns the ranking,
// in which Short marks the works left with fewer reviews than wanted. Organizers only.
func (s *Service) CloseJudging(ctx context.Context, actor User) (RankingTable, error) {
	if err := requireOrganizer(actor); err != nil {
		return RankingTable{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return RankingTable{}, err
	}
	if c.Judging.ClosedAt == nil {
		now := s.Now()
		c.Judging.ClosedAt = &now
		c.UpdatedAt = now
		if err := s.contests.SaveJudging(ctx, c); err != nil {
			return RankingTable{}, err
		}
		if err := s.audit(ctx, actor, "judging", c.ID, "close", nil, map[string]any{"closed_at": now}); err != nil {
			return RankingTable{}, err
		}
	}
	return s.Ranking(ctx, actor)
}

// JudgeProgress counts each judge's assigned and submitted reviews, for the organizer.
type JudgeProgress struct{ Assigned, Done int }

// Progress returns each judge's progress in the current contest. Organizers only.
func (s *Service) Progress(ctx context.Context, actor User) (map[string]JudgeProgress, error) {
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

// DeclareConflict is a judge's 回避: they have a conflict of interest with a work in their queue.
// The work leaves their queue, is never assigned to them again, and goes to another judge free
// of conflicts (the least loaded). A submitted review cannot be withdrawn this way.
func (s *Service) DeclareConflict(ctx context.Context, actor User, id, reason string) error {
	t, err := s.JudgeTask(ctx, actor, id)
	if err != nil {
		return err
	}
	if t.Done() {
		return Errorf(EConflict, "已提交评分的作品不能回避，请联系组织方")
	}
	c, err := s.contests.CurrentContest(ctx)
	switch {
	case err != nil:
		return err
	case c.Judging.ClosedAt != nil:
		return errJudgingClosed
	case s.Now().After(c.ReviewEnd):
		return Errorf(EDeadline, "评审期已结束，不能再回避；请联系组织方")
	}
	reason, fe := ValidateText(reason, false, 300)
	if fe != nil {
		return (Fields{"reason": *fe}).Err()
	}
	mine := Assignment{WorkID: id, JudgeID: actor.ID}
	in, err := s.assignmentInputs(ctx, c.ID, mine)
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
	// Everything else stays; only this work gets a judge in place of the one leaving.
	add := additions(Assign(works, judges, c.Judging.ReviewsPerWork, keep, uint64(s.Now().UnixNano())), keep)
	audit := s.newAudit(actor, "assignment", id, "conflict", map[string]any{"judge": actor.ID},
		map[string]any{"reason": reason, "reassigned_to": pairs(add)})
	return s.reviews.DeclareConflict(ctx, c.ID, mine, reason, s.Now(), add, audit)
}

// assignmentInput is what an assignment is made from: the works that passed formal review, the
// active judges with their declared conflicts (and extra, one being declared now), and the
// assignments as stored.
type assignmentInput struct {
	works   []AssignWork
	judges  []AssignJudge
	records []ReviewRecord
}

func (s *Service) assignmentInputs(ctx context.Context, contestID string, extra Assignment) (assignmentInput, error) {
	var in assignmentInput
	subs, err := s.passedWorks(ctx, contestID)
	if err != nil {
		return in, err
	}
	judgeUsers, err := s.users.UsersByRole(ctx, RoleJudge)
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
	for _, u := range judgeUsers {
		if !u.Disabled {
			in.judges = append(in.judges, AssignJudge{ID: u.ID, Employer: u.Employer, Conflicts: declared[u.ID]})
		}
	}
	return in, nil
}

func assignWork(sub Submission) AssignWork {
	w := AssignWork{ID: sub.ID, Employers: []string{sub.Registration.Employer}}
	for _, p := range sub.Participants {
		w.Employers = append(w.Employers, sub.EmployerOf(p))
	}
	return w
}

// Validate checks the judging settings: the rubric, 1 to 20 judges per work, quotas that are a
// count or a percentage (0 to 100) each, together at most every work.
func (j JudgingSettings) Validate() error {
	var f Fields
	for field, fe := range ErrorFields(j.Rubric.Validate()) {
		f.Add(field, fe.Code, fe.Message)
	}
	if j.ReviewsPerWork < 1 || j.ReviewsPerWork > 20 {
		f.Add("reviews_per_work", "reviews_range", "每件作品的评委人数须在1到20之间")
	}
	pct := 0.0
	for i, q := range j.Quotas {
		switch {
		case q.Count < 0 || q.Percent < 0 || q.Percent > 100 || math.IsNaN(q.Percent):
			f.Add(fmt.Sprintf("quotas.%d", i), "quota_range", Tier(i+1).Label()+"名额须为非负整数或0到100的百分比")
		case q.Count > 0 && q.Percent > 0:
			f.Add(fmt.Sprintf("quotas.%d", i), "quota_both", Tier(i+1).Label()+"名额请填写数量或百分比之一")
		}
		pct += q.Percent
	}
	if pct > 100 {
		f.Add("quotas", "quota_total", "各奖项百分比之和不能超过100%")
	}
	return f.Err()
}

// UpdateJudging saves the contest's judging settings. The rubric cannot change once a judge has
// saved a score (the scores would no longer mean the same); nothing changes once judging is
// closed. Organizers only; audited.
func (s *Service) UpdateJudging(ctx context.Context, actor User, j JudgingSettings) (Contest, error) {
	if err := requireOrganizer(actor); err != nil {
		return Contest{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Contest{}, err
	}
	if c.Judging.ClosedAt != nil {
		return Contest{}, errJudgingClosed
	}
	if err := j.Validate(); err != nil {
		return Contest{}, err
	}
	if !slices.Equal(j.Rubric, c.Judging.Rubric) {
		records, err := s.reviews.ReviewRecords(ctx, c.ID)
		if err != nil {
			return Contest{}, err
		}
		for _, r := range records {
			if r.SavedAt != nil {
				return Contest{}, Errorf(EConflict, "已有评委保存了评分，评分标准不能再修改")
			}
		}
	}
	before := c.Judging
	j.ClosedAt, j.AwardsConfirmedAt, j.AwardsVersion = nil, c.Judging.AwardsConfirmedAt, c.Judging.AwardsVersion
	c.Judging, c.UpdatedAt = j, s.Now()
	if err := s.contests.SaveJudging(ctx, c); err != nil {
		return Contest{}, err
	}
	return c, s.audit(ctx, actor, "judging", c.ID, "settings", before, j)
}

// reassignFrom gives the unsubmitted reviews of a judge just deactivated to other judges free
// of conflicts (the least loaded); submitted reviews stay and count. Nothing happens before the
// first assignment or after judging is closed.
func (s *Service) reassignFrom(ctx context.Context, actor User, judgeID string) error {
	c, err := s.contests.CurrentContest(ctx)
	if err != nil || c.Judging.ClosedAt != nil {
		return err
	}
	in, err := s.assignmentInputs(ctx, c.ID, Assignment{})
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
	add := additions(Assign(in.works, in.judges, c.Judging.ReviewsPerWork, keep, uint64(s.Now().UnixNano())), keep)
	audit := s.newAudit(actor, "assignment", judgeID, "reassign", map[string]any{"removed": pairs(leaving)}, map[string]any{"added": pairs(add)})
	return s.reviews.ReplaceAssignments(ctx, c.ID, nil, leaving, add, audit)
}

// MoveAssignment gives one unstarted review of a work to another judge: the organizer's manual
// adjustment of the assignment. The new judge must be active, free of conflicts with the work
// and not already reviewing it. Audited.
func (s *Service) MoveAssignment(ctx context.Context, actor User, workID, fromJudge, toJudge string) error {
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
	in, err := s.assignmentInputs(ctx, c.ID, Assignment{})
	if err != nil {
		return err
	}
	if fromJudge == toJudge {
		return Errorf(EConflict, "该评委已在评审这件作品")
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
	case Conflicted(*judge, *work):
		return (Fields{"to": {Code: "judge_conflicted", Message: "该评委与这件作品须回避（同单位或已申请回避）"}}).Err()
	}
	to := ReviewRecord{Assignment: Assignment{WorkID: workID, JudgeID: toJudge}, Position: rand.IntN(1 << 30)}
	a := s.newAudit(actor, "assignment", workID, "move", map[string]any{"judge": fromJudge}, map[string]any{"judge": toJudge})
	return s.reviews.ReplaceAssignments(ctx, c.ID, []Assignment{from}, nil, []ReviewRecord{to}, a)
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
func (s *Service) AssignmentTable(ctx context.Context, actor User) ([]WorkAssignment, map[string]User, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, nil, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, nil, err
	}
	subs, err := s.passedWorks(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	in, err := s.assignmentInputs(ctx, c.ID, Assignment{})
	if err != nil {
		return nil, nil, err
	}
	users, err := s.users.UsersByRole(ctx, RoleJudge)
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
	for _, w := range in.works {
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
	for _, a := range plan.Assignments {
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
