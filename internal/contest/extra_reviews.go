package contest

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
)

// ExtraReviews is what AddReviewsToFlagged did.
type ExtraReviews struct {
	Added []Assignment // one new review for each flagged work that could get one
	// Waiting are flagged works skipped because a review of theirs is still to come.
	Waiting []string
	// NoJudge are flagged works with no judge free to take them (all review it already, have a
	// conflict or do not review its category).
	NoJudge  []string
	Reopened bool // judging was closed and has been reopened for these reviews
}

// AddReviewsToFlagged gives each work flagged in the award stability one more review: by the
// least loaded active judge of the contest who is free of conflicts with it, does not review it
// yet and reviews its category. A flagged work still waiting for a review is skipped, so that
// pressing twice does not pile judges on it. When judging was closed, it is reopened so that
// the new reviews can be scored (audited); awards already confirmed or a review period that has
// ended refuse. Judges are notified as by the assignment. Organizers only; audited.
func (s *JudgingService) AddReviewsToFlagged(ctx context.Context, actor User) (ExtraReviews, error) {
	if err := requireOrganizer(actor); err != nil {
		return ExtraReviews{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return ExtraReviews{}, err
	}
	switch {
	case c.Judging.AwardsConfirmedAt != nil:
		return ExtraReviews{}, Errorf(EConflict, "奖项已确认；如需增加评委，请先开启新版本")
	case s.Now().After(c.ReviewEnd):
		return ExtraReviews{}, Errorf(EDeadline, "评审期已于 %s 结束，请先延长评审期再增加评委", FormatTime(c.ReviewEnd, c.Location()))
	}
	t, err := s.ranking(ctx, c)
	if err != nil {
		return ExtraReviews{}, err
	}
	rep, err := s.report(ctx, c, t)
	if err != nil {
		return ExtraReviews{}, err
	}
	if len(rep.Flagged) == 0 {
		return ExtraReviews{}, Errorf(EConflict, "没有需要增加评委的作品")
	}
	in, err := s.assignmentInputs(ctx, c, Assignment{})
	if err != nil {
		return ExtraReviews{}, err
	}
	out, add := extraReviews(rep.Flagged, in)
	if len(add) == 0 {
		return out, Errorf(EConflict, "被标记的作品都在等待评分，或没有可以增加的评委（须无回避关系、尚未评审该作品）")
	}
	out.Reopened = c.Judging.ClosedAt != nil
	audit := s.newAudit(actor, "assignment", c.ID, "extra_reviews", map[string]any{"flagged": rep.Flagged},
		map[string]any{"added": pairs(add), "waiting": out.Waiting, "no_judge": out.NoJudge, "reopened": out.Reopened})
	notes := assignedNotifications(s.Now(), c, add, queueSizes(append(pairs2(in.records), out.Added...)))
	if err := s.reviews.ReplaceAssignments(ctx, c.ID, nil, nil, add, audit, notes...); err != nil {
		return ExtraReviews{}, err
	}
	if out.Reopened {
		return out, s.reopenJudging(ctx, actor, c, rep.Flagged)
	}
	return out, nil
}

// extraReviews chooses a judge for each flagged work, the least loaded first (ties by ID).
func extraReviews(flagged []string, in assignmentInput) (ExtraReviews, []ReviewRecord) {
	var out ExtraReviews
	load := queueSizes(pairs2(in.records))
	has, waiting := map[Assignment]bool{}, map[string]bool{}
	for _, r := range in.records {
		has[r.Assignment] = true
		if r.SubmittedAt == nil {
			waiting[r.WorkID] = true
		}
	}
	works := map[string]AssignWork{}
	for _, w := range in.works {
		works[w.ID] = w
	}
	judges := slices.SortedFunc(slices.Values(in.judges), func(a, b AssignJudge) int { return cmp.Compare(a.ID, b.ID) })
	var add []ReviewRecord
	for _, id := range flagged {
		if waiting[id] {
			out.Waiting = append(out.Waiting, id)
			continue
		}
		best := -1
		for i, j := range judges {
			w, ok := works[id]
			if ok && !has[Assignment{WorkID: id, JudgeID: j.ID}] && !Conflicted(j, w) && (best < 0 || load[j.ID] < load[judges[best].ID]) {
				best = i
			}
		}
		if best < 0 {
			out.NoJudge = append(out.NoJudge, id)
			continue
		}
		a := Assignment{WorkID: id, JudgeID: judges[best].ID}
		load[a.JudgeID]++
		out.Added = append(out.Added, a)
		add = append(add, ReviewRecord{Assignment: a, Position: rand.IntN(1 << 30)})
	}
	return out, add
}

// reopenJudging opens a closed round again for the extra reviews of works, audited.
func (s *JudgingService) reopenJudging(ctx context.Context, actor User, c Contest, works []string) error {
	closed := c.Judging.ClosedAt
	c.Judging.ClosedAt = nil
	c.UpdatedAt = s.Now()
	if err := s.contests.SaveJudging(ctx, c); err != nil {
		return err
	}
	return s.audit(ctx, actor, "judging", c.ID, "reopen_judging", map[string]any{"closed_at": closed},
		map[string]any{"reason": "为评奖不稳定的作品增加评委", "flagged": works})
}
