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

// JudgeLimitedTo reports whether the judge is limited to categories, the one with the key
// among them: what the judges page ticks.
func (c Contest) JudgeLimitedTo(judgeID, key string) bool {
	set := c.judgeCategories(judgeID)
	return set != nil && set[key]
}

// JudgeLimited reports whether the judge reviews only some categories.
func (c Contest) JudgeLimited(judgeID string) bool { return c.judgeCategories(judgeID) != nil }

// SetJudgeCategories limits a judge to the given categories (none: every category), for when
// judges review by category. Organizers only; audited. The next assignment follows it.
func (s *JudgingService) SetJudgeCategories(ctx context.Context, actor User, judgeID string, keys []string) (Contest, error) {
	c, err := s.openJudging(ctx, actor)
	if err != nil {
		return Contest{}, err
	}
	if _, err := s.judgeFor(ctx, actor, judgeID); err != nil { // a judge of this contest
		return Contest{}, err
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
