package contest

import (
	"cmp"
	"context"
	"slices"
)

// Calibration works (校准作品): an organizer marks up to MaxCalibration works that passed formal
// review; every active judge scores each of them first, before their own random order, on top
// of their balanced load. They are not ranked, awarded or published, but their reviews feed
// each judge's normalization (RankOptions.Calibration) and stay in the review records.

// MaxCalibration is how many calibration works a contest may have.
const MaxCalibration = 3

// IsCalibration reports whether the work is one of the contest's calibration works, in this
// round or an earlier one: a work that calibrated the judges is never ranked nor shown.
func (j JudgingSettings) IsCalibration(workID string) bool {
	return slices.Contains(j.Calibration, workID) ||
		slices.ContainsFunc(j.Rounds, func(r RoundRecord) bool { return slices.Contains(r.Calibration, workID) })
}

// AssignCalibration gives every judge every calibration work, except the ones they are
// conflicted with by employer or by a declared conflict (回避). A judge limited to categories
// still scores them: a calibration work calibrates the judge, it is not ranked in a category.
func AssignCalibration(works []AssignWork, judges []AssignJudge) []Assignment {
	var out []Assignment
	for _, w := range works {
		for _, j := range judges {
			j.Categories = nil
			if !Conflicted(j, w) {
				out = append(out, Assignment{WorkID: w.ID, JudgeID: j.ID})
			}
		}
	}
	return out
}

// errCalibrationScored refuses to change the calibration works once a judge has saved a
// score: the reviews already given would change meaning (ranked or not).
var errCalibrationScored = Errorf(EConflict, "已有评委保存了评分，校准作品不能再更改")

// SetCalibration chooses the contest's calibration works: up to MaxCalibration works that
// passed formal review, none to have none. Refused once a judge has saved a score or judging
// is closed; the organizer runs the assignment again to give them to every judge.
// Organizers only; audited.
func (s *JudgingService) SetCalibration(ctx context.Context, actor User, ids []string) (Contest, error) {
	c, err := s.openJudging(ctx, actor)
	if err != nil {
		return Contest{}, err
	}
	ids = uniqueNonEmpty(ids)
	if len(ids) > MaxCalibration {
		return Contest{}, (Fields{"work_ids": {Code: "calibration_count", Message: "校准作品最多选择3件"}}).Err()
	}
	subs, err := s.roundWorks(ctx, c, c.Judging.CurrentRound())
	if err != nil {
		return Contest{}, err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(subs, func(sub Submission) bool { return sub.ID == id }) {
			return Contest{}, (Fields{"work_ids": {Code: "calibration_work", Message: "校准作品须为已通过形式审查的作品"}}).Err()
		}
	}
	if slices.Equal(ids, c.Judging.Calibration) {
		return c, nil
	}
	if err := s.refuseIfScored(ctx, c.ID); err != nil {
		return Contest{}, err
	}
	before := c.Judging.Calibration
	c.Judging.Calibration, c.UpdatedAt = ids, s.Now()
	if err := s.contests.SaveJudging(ctx, c); err != nil {
		return Contest{}, err
	}
	return c, s.audit(ctx, actor, "judging", c.ID, "calibration", map[string]any{"works": before}, map[string]any{"works": ids})
}

// refuseIfScored returns errCalibrationScored when a judge has saved a score in the contest.
func (s *JudgingService) refuseIfScored(ctx context.Context, contestID string) error {
	records, err := s.reviews.ReviewRecords(ctx, contestID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(records, func(r ReviewRecord) bool { return r.SavedAt != nil }) {
		return errCalibrationScored
	}
	return nil
}

// uniqueNonEmpty drops empty and repeated ids, keeping the first order.
func uniqueNonEmpty(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// CalibrationWork is a calibration work on the organizers' judging desk, with every judge's
// total: a judge far from the others on the same work shows how they score.
type CalibrationWork struct {
	WorkID string
	Title  string
	Scores []CalibrationScore // by judge name
	Mean   float64            // of the submitted totals; 0 without one
}

// CalibrationScore is one judge's review of a calibration work.
type CalibrationScore struct {
	JudgeID   string
	Judge     string // the judge's name
	Total     float64
	Submitted bool // false: assigned, not submitted yet (Total is 0)
}

// calibrationWorks returns the contest's calibration works among subs with their judges'
// totals, in the order the organizer chose them.
func (s *JudgingService) calibrationWorks(ctx context.Context, c Contest, subs []Submission, records []ReviewRecord) ([]CalibrationWork, error) {
	if len(c.Judging.Calibration) == 0 {
		return nil, nil
	}
	judges, err := s.users.ContestUsers(ctx, c.ID, RoleJudge)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, u := range judges {
		names[u.ID] = u.Name
	}
	var out []CalibrationWork
	for _, id := range c.Judging.Calibration {
		i := slices.IndexFunc(subs, func(sub Submission) bool { return sub.ID == id })
		if i < 0 {
			continue // no longer passed formal review
		}
		w := CalibrationWork{WorkID: id, Title: subs[i].Registration.Title}
		var totals []float64
		for _, r := range records {
			if r.WorkID != id {
				continue
			}
			sc := CalibrationScore{JudgeID: r.JudgeID, Judge: names[r.JudgeID], Submitted: r.SubmittedAt != nil}
			if sc.Submitted {
				sc.Total = c.Judging.Rubric.Total(r.Scores)
				totals = append(totals, sc.Total)
			}
			w.Scores = append(w.Scores, sc)
		}
		slices.SortFunc(w.Scores, func(a, b CalibrationScore) int {
			return cmp.Or(cmp.Compare(a.Judge, b.Judge), cmp.Compare(a.JudgeID, b.JudgeID))
		})
		w.Mean, _ = meanSD(totals)
		out = append(out, w)
	}
	return out, nil
}

// WorkChoice is a work an organizer may choose, by title.
type WorkChoice struct {
	ID    string
	Title string
}

// CalibrationChoices lists the works of the round, for choosing the calibration works, and
// whether the choice is still open (no score saved, judging not closed); the list is read only
// while it is. Organizers only.
func (s *JudgingService) CalibrationChoices(ctx context.Context, actor User) ([]WorkChoice, bool, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, false, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, false, err
	}
	if c.Judging.ClosedAt != nil {
		return nil, false, nil
	}
	switch err := s.refuseIfScored(ctx, c.ID); {
	case err == errCalibrationScored:
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	subs, err := s.roundWorks(ctx, c, c.Judging.CurrentRound())
	if err != nil {
		return nil, false, err
	}
	out := make([]WorkChoice, len(subs))
	for i, sub := range subs {
		out[i] = WorkChoice{ID: sub.ID, Title: sub.Registration.Title}
	}
	return out, true, nil
}

// splitCalibration separates the contest's calibration works from the others.
func splitCalibration(j JudgingSettings, works []AssignWork) (ordinary, calibration []AssignWork) {
	for _, w := range works {
		if j.IsCalibration(w.ID) {
			calibration = append(calibration, w)
		} else {
			ordinary = append(ordinary, w)
		}
	}
	return ordinary, calibration
}

// withoutCalibration returns the assignments that are not of a calibration work: those alone
// count towards k and the judges' balanced loads.
func withoutCalibration(j JudgingSettings, as []Assignment) []Assignment {
	return slices.DeleteFunc(slices.Clone(as), func(a Assignment) bool { return j.IsCalibration(a.WorkID) })
}
