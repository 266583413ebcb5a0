package contest

import (
	"context"
	"slices"
)

// judgeCategories returns the categories a judge is limited to when judges review by
// category (nil: every category).
func (c Contest) judgeCategories(judgeID string) map[string]bool {
	keys, ok := c.Judging.JudgeCategories[judgeID]
	if !c.Judging.ByCategory || len(c.Categories) == 0 || !ok {
		return nil
	}
	out := map[string]bool{}
	for _, k := range keys {
		out[k] = true
	}
	return out
}

// JudgeCategoryNames returns the names of the categories a judge is limited to, for the pages;
// nil when the judge reviews every category.
func (c Contest) JudgeCategoryNames(judgeID string) []string {
	var out []string
	for _, cat := range c.Categories {
		if set := c.judgeCategories(judgeID); set != nil && set[cat.Key] {
			out = append(out, cat.Name)
		}
	}
	return out
}

// JudgeReviews reports whether the judge reviews works of the category (key).
func (c Contest) JudgeReviews(judgeID, key string) bool {
	set := c.judgeCategories(judgeID)
	return set == nil || set[key]
}

// SetJudgeCategories limits a judge to the given categories (none: every category), for when
// judges review by category. Organizers only; audited. The next assignment follows it.
func (s *JudgingService) SetJudgeCategories(ctx context.Context, actor User, judgeID string, keys []string) (Contest, error) {
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
	judge, err := s.users.UserByID(ctx, judgeID)
	if err != nil || judge.Role != RoleJudge {
		return Contest{}, Errorf(ENotFound, "评委不存在")
	}
	var set []string
	for _, cat := range c.Categories { // in the contest's order, unknown keys left out
		if slices.Contains(keys, cat.Key) {
			set = append(set, cat.Key)
		}
	}
	before := c.Judging.JudgeCategories[judgeID]
	if c.Judging.JudgeCategories == nil {
		c.Judging.JudgeCategories = map[string][]string{}
	}
	if len(set) == 0 || len(set) == len(c.Categories) {
		delete(c.Judging.JudgeCategories, judgeID)
		set = nil
	} else {
		c.Judging.JudgeCategories[judgeID] = set
	}
	c.UpdatedAt = s.Now()
	if err := s.contests.SaveJudging(ctx, c); err != nil {
		return Contest{}, err
	}
	return c, s.audit(ctx, actor, "judge", judgeID, "categories", map[string]any{"categories": before}, map[string]any{"categories": set})
}
