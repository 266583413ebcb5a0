package contest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// JudgingSettings are a contest's rules for judging.
type JudgingSettings struct {
	Rubric         Rubric
	ReviewsPerWork int // judges per work (k)
	Quotas         [3]Quota
	Normalize      bool // rank on per-judge normalized scores
	// ByCategory (评委按组别评审): a judge reviews only works of the categories in
	// JudgeCategories; a judge without an entry there reviews every category.
	ByCategory bool `json:",omitempty"`
	// JudgeCategories are the categories (keys) each judge is limited to, by judge id. Kept
	// while ByCategory is off; changed only through SetJudgeCategories.
	JudgeCategories map[string][]string `json:",omitempty"`
	// ClosedAt is when the organizer closed judging: from then on scores are locked.
	ClosedAt *time.Time `json:",omitempty"`
	// AwardsConfirmedAt is when the awards were confirmed (frozen); AwardsVersion counts the
	// confirmations.
	AwardsConfirmedAt *time.Time `json:",omitempty"`
	AwardsVersion     int        `json:",omitempty"`
	// Round is the round being judged, from 1 (0 is 1); RoundName its name ("" for 初评/终评),
	// RoundJudges its judges (empty: every judge of the contest); Rounds the rounds advanced
	// before it, whose reviews are kept apart (round.go).
	Round       int           `json:",omitempty"`
	RoundName   string        `json:",omitempty"`
	RoundJudges []string      `json:",omitempty"`
	Rounds      []RoundRecord `json:",omitempty"`
	// Calibration are the calibration works (校准作品, ids, at most MaxCalibration): every judge
	// scores them first; they are not ranked, but their reviews feed each judge's normalization.
	// Changed only through SetCalibration.
	Calibration []string `json:",omitempty"`
	// ShareComments (评语反馈给参赛者): once the organizers release the feedback, each work's
	// contestant reads its judges' comments, anonymized. Judges are told beforehand.
	ShareComments bool `json:",omitempty"`
	// FeedbackReleasedAt is when the feedback was released (ReleaseFeedback).
	FeedbackReleasedAt *time.Time `json:",omitempty"`
	// Pairwise turns on the pairwise check at the award cuts (成对比较复核, pairwise.go).
	Pairwise PairwiseSettings `json:",omitzero"`
}

// errJudgingClosed refuses changes to judging once it is closed.
var errJudgingClosed = Errorf(EConflict, "评审已结束，评分已锁定")

// DefaultJudging is the notice's rubric, three judges per work, and 一/二/三等奖 for 5/10/15 %
// of the ranked works.
func DefaultJudging() JudgingSettings {
	return JudgingSettings{Rubric: DefaultRubric(), ReviewsPerWork: 3,
		Quotas: [3]Quota{{Percent: 5}, {Percent: 10}, {Percent: 15}}}
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
	for k, fe := range j.validateQuotas() {
		f.Add(k, fe.Code, fe.Message)
	}
	j.Pairwise.validate(&f)
	return f.Err()
}

// validateQuotas checks the quotas alone; a category's own quotas are checked the same way.
func (j JudgingSettings) validateQuotas() Fields {
	var f Fields
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
	return f
}

// openJudging returns the current contest for an organizer to change its judging settings:
// refused once judging is closed.
func (s *JudgingService) openJudging(ctx context.Context, actor User) (Contest, error) {
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
	return c, nil
}

// UpdateJudging saves the contest's judging settings. The rubric cannot change once a judge has
// saved a score (the scores would no longer mean the same); nothing changes once judging is
// closed. Organizers only; audited.
func (s *JudgingService) UpdateJudging(ctx context.Context, actor User, j JudgingSettings) (Contest, error) {
	c, err := s.openJudging(ctx, actor)
	if err != nil {
		return Contest{}, err
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
	if err := s.checkShareComments(ctx, c, j); err != nil {
		return Contest{}, err
	}
	before := c.Judging
	j.Calibration, j.FeedbackReleasedAt = c.Judging.Calibration, c.Judging.FeedbackReleasedAt
	j.ClosedAt, j.AwardsConfirmedAt, j.AwardsVersion = nil, c.Judging.AwardsConfirmedAt, c.Judging.AwardsVersion
	j.JudgeCategories = c.Judging.JudgeCategories
	j.Round, j.RoundName, j.RoundJudges, j.Rounds = c.Judging.Round, c.Judging.RoundName, c.Judging.RoundJudges, c.Judging.Rounds
	c.Judging, c.UpdatedAt = j, s.Now()
	if err := s.contests.SaveJudging(ctx, c); err != nil {
		return Contest{}, err
	}
	return c, s.audit(ctx, actor, "judging", c.ID, "settings", before, j)
}
