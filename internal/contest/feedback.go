package contest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"slices"
	"strings"
	"time"
)

// Feedback to entrants (评审意见反馈): when the organizers chose before scoring that the judges'
// comments are shared (JudgingSettings.ShareComments) and judges were told so, the organizers
// release the feedback after the results are published; each contestant then reads, for their
// own work, the mean points of each criterion and the judges' comments under 评委一, 评委二…:
// never a judge's name, id or the time of a review.

// Feedback is what a contestant reads of the judging of their work.
type Feedback struct {
	Criteria []CriterionFeedback // in the rubric's order
	Comments []FeedbackComment   // non-empty comments, in an order stable per work
}

// CriterionFeedback is a criterion's mean points over the work's submitted reviews.
type CriterionFeedback struct {
	Name      string
	Mean      float64
	MaxPoints float64
}

// FeedbackComment is one judge's comment, anonymized.
type FeedbackComment struct {
	Judge string // 评委一, 评委二…
	Text  string
}

// errCommentsUntold refuses to share the comments once a judge has written one without being
// told it would be shared.
var errCommentsUntold = Errorf(EConflict, "已有评委在“评语不反馈给参赛者”的设置下填写了评语，不能再改为反馈")

// checkShareComments refuses to switch ShareComments on once a judge has saved a comment:
// they wrote it believing only the organizers would read it. Switching off is always allowed.
func (s *JudgingService) checkShareComments(ctx context.Context, c Contest, j JudgingSettings) error {
	if !j.ShareComments || c.Judging.ShareComments {
		return nil
	}
	rounds, err := s.roundRecords(ctx, c) // the comments of earlier rounds too
	if err != nil {
		return err
	}
	for _, r := range rounds {
		if slices.ContainsFunc(r.records, func(r ReviewRecord) bool { return strings.TrimSpace(r.Comment) != "" }) {
			return errCommentsUntold
		}
	}
	return nil
}

// FeedbackReleased reports whether contestants may read their feedback: comments are shared,
// the feedback was released and the results are public.
func (c Contest) FeedbackReleased() bool {
	return c.Judging.ShareComments && c.Judging.FeedbackReleasedAt != nil && c.Publication.PublishedAt != nil
}

// ReleaseFeedback releases the judges' comments and the criteria's means to each work's
// contestant, who is notified (评审意见已发布). Only when comments are shared and the results
// are published; releasing again changes nothing. Organizers only; audited.
func (s *JudgingService) ReleaseFeedback(ctx context.Context, actor User) (Contest, error) {
	if err := requireOrganizer(actor); err != nil {
		return Contest{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Contest{}, err
	}
	switch {
	case !c.Judging.ShareComments:
		return Contest{}, Errorf(EConflict, "评审设置为评语不反馈给参赛者，不能发布评审意见")
	case c.Publication.PublishedAt == nil:
		return Contest{}, Errorf(EConflict, "请在评选结果正式发布后再发布评审意见")
	case c.Judging.FeedbackReleasedAt != nil:
		return c, nil
	}
	subs, err := s.passedWorks(ctx, c.ID)
	if err != nil {
		return Contest{}, err
	}
	rounds, err := s.roundRecords(ctx, c)
	if err != nil {
		return Contest{}, err
	}
	var records []ReviewRecord
	for _, r := range rounds {
		records = append(records, r.records...)
	}
	now := s.Now()
	c.Judging.FeedbackReleasedAt, c.UpdatedAt = &now, now
	notes := feedbackNotifications(now, c, subs, records)
	if err := s.contests.SaveJudging(ctx, c, notes...); err != nil {
		return Contest{}, err
	}
	return c, s.audit(ctx, actor, "judging", c.ID, "feedback_release", nil, map[string]any{"released_at": now, "works": len(notes)})
}

// feedbackNotifications tell the owner of each work with a submitted review that its
// feedback is released. One per work.
func feedbackNotifications(now time.Time, c Contest, subs []Submission, records []ReviewRecord) []Notification {
	reviewed := map[string]bool{}
	for _, r := range records {
		if r.SubmittedAt != nil {
			reviewed[r.WorkID] = true
		}
	}
	var out []Notification
	for _, w := range subs {
		if w.OwnerID == "" || !reviewed[w.ID] {
			continue
		}
		out = append(out, notice(now, c, w.OwnerID, NoteFeedback, "feedback:"+c.ID+":"+w.ID, workLink(w.ID),
			noticeValues(c, "作品名称", noticeTitle(w))))
	}
	return out
}

// WorkFeedback returns the feedback on the actor's own work, and false while there is none to
// read (not released, or not shared). Another's work is ENotFound, as if it did not exist.
func (s *JudgingService) WorkFeedback(ctx context.Context, actor User, workID string) (Feedback, bool, error) {
	sub, err := s.ownSubmission(ctx, actor, workID)
	if err != nil {
		return Feedback{}, false, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Feedback{}, false, err
	}
	if sub.ContestID != c.ID {
		return Feedback{}, false, Errorf(ENotFound, "作品不存在")
	}
	if !c.FeedbackReleased() || sub.Status != StatusSubmitted || sub.Formal == nil || sub.Formal.Decision != FormalPassed {
		return Feedback{}, false, nil
	}
	rounds, err := s.roundRecords(ctx, c)
	if err != nil {
		return Feedback{}, false, err
	}
	f := feedbackOverRounds(workID, rounds)
	return f, len(f.Criteria) > 0, nil
}

// roundReviews are a round's rubric and review records.
type roundReviews struct {
	rubric  Rubric
	records []ReviewRecord
}

// roundRecords returns the reviews of every round, the current one last.
func (s *JudgingService) roundRecords(ctx context.Context, c Contest) ([]roundReviews, error) {
	var out []roundReviews
	for _, r := range c.Judging.Rounds {
		records, err := s.rounds.RoundReviews(ctx, c.ID, r.Number)
		if err != nil {
			return nil, err
		}
		out = append(out, roundReviews{r.Rubric, records})
	}
	records, err := s.reviews.ReviewRecords(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return append(out, roundReviews{c.Judging.Rubric, records}), nil
}

// feedbackOverRounds is a work's feedback when it was judged in several rounds: the criteria's
// means of the last round that reviewed it (with that round's rubric), and the comments of
// every round, the last round's first.
func feedbackOverRounds(workID string, rounds []roundReviews) Feedback {
	var f Feedback
	for i := len(rounds) - 1; i >= 0; i-- {
		g := WorkFeedbackOf(rounds[i].rubric, workID, rounds[i].records)
		if f.Criteria == nil {
			f.Criteria = g.Criteria
		}
		f.Comments = append(f.Comments, g.Comments...)
	}
	for i := range f.Comments {
		f.Comments[i].Judge = "评委" + chineseNumber(i+1)
	}
	return f
}

// WorkFeedbackOf is the feedback on a work from its submitted reviews: each criterion's mean
// (over the reviews that scored it) and the non-empty comments, ordered by a hash of the work
// and the judge, so the order is the same on every visit and says nothing of who wrote what.
func WorkFeedbackOf(r Rubric, workID string, records []ReviewRecord) Feedback {
	var mine []ReviewRecord
	for _, rec := range records {
		if rec.WorkID == workID && rec.SubmittedAt != nil {
			mine = append(mine, rec)
		}
	}
	var f Feedback
	if len(mine) == 0 {
		return f
	}
	for _, cr := range r {
		var xs []float64
		for _, rec := range mine {
			if v, ok := rec.Scores[cr.Key]; ok {
				xs = append(xs, v)
			}
		}
		m, _ := meanSD(xs)
		f.Criteria = append(f.Criteria, CriterionFeedback{Name: cr.Name, Mean: m, MaxPoints: cr.MaxPoints})
	}
	key := func(rec ReviewRecord) [32]byte { return sha256.Sum256([]byte(workID + "\x00" + rec.JudgeID)) }
	slices.SortFunc(mine, func(a, b ReviewRecord) int {
		ka, kb := key(a), key(b)
		return cmp.Compare(string(ka[:]), string(kb[:]))
	})
	for _, rec := range mine {
		if text := strings.TrimSpace(rec.Comment); text != "" {
			f.Comments = append(f.Comments, FeedbackComment{Judge: "评委" + chineseNumber(len(f.Comments)+1), Text: text})
		}
	}
	return f
}

// chineseNumber writes 1 to 99 in Chinese numerals: 一, 十, 十一, 二十三.
func chineseNumber(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + digits[n%10]
	}
	return digits[n/10] + "十" + digits[n%10]
}
