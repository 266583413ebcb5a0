package contest

import (
	"context"
	"slices"
	"time"
)

// PairTask is a pair of works a judge compares, each shown as a blind review shows it (title,
// description, video under a neutral name), with the judge's choice.
type PairTask struct {
	ID        string
	A, B      JudgeTask
	Choice    string // "a", "b", or "" until the judge has chosen
	Reason    string
	DecidedAt *time.Time
}

// Done reports whether the judge has chosen.
func (t PairTask) Done() bool { return t.DecidedAt != nil }

// Side returns work A's or B's task by "a" or "b".
func (t PairTask) Side(side string) (JudgeTask, bool) {
	switch side {
	case "a":
		return t.A, true
	case "b":
		return t.B, true
	}
	return JudgeTask{}, false
}

// JudgePairs returns the judge's pairs in the current contest, those still to compare first.
// A pair with a work no longer judged (excluded, or back to draft) is left out. Judges only.
func (s *JudgingService) JudgePairs(ctx context.Context, actor User) ([]PairTask, error) {
	if !actor.IsJudge() {
		return nil, Errorf(EForbidden, "只有评委可以进行评审")
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	stored, err := s.pairs.PairComparisons(ctx, c.ID, pairRound(c))
	if err != nil {
		return nil, err
	}
	var mine []PairComparison
	var ids []string
	for _, p := range stored {
		if p.JudgeID == actor.ID {
			mine = append(mine, p)
			ids = append(ids, p.WorkA, p.WorkB)
		}
	}
	if len(mine) == 0 {
		return nil, nil
	}
	works, err := s.pairs.BlindWorks(ctx, ids)
	if err != nil {
		return nil, err
	}
	shown := map[string]JudgeTask{}
	for _, w := range works {
		if w.Reviewable() {
			shown[w.WorkID] = w.Task()
		}
	}
	var out []PairTask
	for _, p := range mine {
		a, okA := shown[p.WorkA]
		b, okB := shown[p.WorkB]
		if okA && okB {
			out = append(out, pairTask(p, a, b))
		}
	}
	slices.SortStableFunc(out, func(x, y PairTask) int { // those still to compare first
		switch {
		case x.Done() == y.Done():
			return 0
		case y.Done():
			return -1
		}
		return 1
	})
	return out, nil
}

// pairTask is comparison p as its judge sees it.
func pairTask(p PairComparison, a, b JudgeTask) PairTask {
	t := PairTask{ID: p.ID, A: a, B: b, Reason: p.Reason, DecidedAt: p.DecidedAt}
	// Only what a blind review shows: the judge's own scores of the works are not theirs here.
	t.A.Scores, t.A.Comment, t.A.SavedAt, t.A.SubmittedAt, t.A.Position = nil, "", nil, nil, 0
	t.B.Scores, t.B.Comment, t.B.SavedAt, t.B.SubmittedAt, t.B.Position = nil, "", nil, nil, 0
	switch p.Winner {
	case p.WorkA:
		t.Choice = "a"
	case p.WorkB:
		t.Choice = "b"
	}
	return t
}

// JudgePair returns one of the judge's pairs; ENotFound for a pair that is not theirs.
func (s *JudgingService) JudgePair(ctx context.Context, actor User, id string) (PairTask, error) {
	tasks, err := s.JudgePairs(ctx, actor)
	if err != nil {
		return PairTask{}, err
	}
	for _, t := range tasks {
		if t.ID == id {
			return t, nil
		}
	}
	return PairTask{}, Errorf(ENotFound, "比较任务不存在")
}

// ComparePair records the judge's choice of the better work of a pair ("a" or "b"), with an
// optional short reason; the judge may change it until the awards are confirmed. Audited.
func (s *JudgingService) ComparePair(ctx context.Context, actor User, id, choice, reason string) (PairTask, error) {
	t, err := s.JudgePair(ctx, actor, id)
	if err != nil {
		return PairTask{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return PairTask{}, err
	}
	if c.Judging.AwardsConfirmedAt != nil {
		return PairTask{}, Errorf(EConflict, "奖项已确认，成对比较已结束")
	}
	var f Fields
	winner, ok := t.Side(choice)
	if !ok {
		f.Add("choice", "choice_required", "请选择您认为更好的一件作品")
	}
	reason, fe := ValidateText(reason, false, 200)
	if fe != nil {
		f.Add("reason", fe.Code, fe.Message)
	}
	if err := f.Err(); err != nil {
		return PairTask{}, err
	}
	now := s.Now()
	p := PairComparison{ID: id, ContestID: c.ID, JudgeID: actor.ID, Winner: winner.SubmissionID, Reason: reason, DecidedAt: &now}
	a := s.newAudit(actor, "pairwise", id, "compare", map[string]any{"choice": t.Choice},
		map[string]any{"choice": choice, "work": winner.SubmissionID, "reason": reason})
	if err := s.pairs.DecidePair(ctx, p, a); err != nil {
		return PairTask{}, err
	}
	t.Choice, t.Reason, t.DecidedAt = choice, reason, &now
	return t, nil
}

// PairVideo returns the video of side "a" or "b" of the judge's pair, for playback.
func (s *JudgingService) PairVideo(ctx context.Context, actor User, id, side string) (*Video, error) {
	t, err := s.JudgePair(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	w, ok := t.Side(side)
	if !ok || w.Video == nil {
		return nil, Errorf(ENotFound, "视频不存在")
	}
	return w.Video, nil
}
