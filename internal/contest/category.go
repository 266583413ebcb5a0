package contest

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Category is a 组别 of a contest (个人/团队, or a field such as 农业科技): works are ranked
// and awarded within their category. Key is short and stable (a work stores it), so a
// category can be renamed without touching its works.
type Category struct {
	Key  string
	Name string
	// Quotas, when set, replace the contest's quotas (JudgingSettings.Quotas) in this category.
	Quotas *[3]Quota `json:",omitempty"`
}

// Category limits.
const (
	MaxCategories    = 20
	MaxCategoryRunes = 20
)

// Category returns the contest's category with the key.
func (c Contest) Category(key string) (Category, bool) {
	for _, cat := range c.Categories {
		if cat.Key == key {
			return cat, true
		}
	}
	return Category{}, false
}

// CategoryName returns the name of the category with the key, or "" when there is none.
func (c Contest) CategoryName(key string) string {
	cat, _ := c.Category(key)
	return cat.Name
}

// quotasOf returns the quotas that apply within a category: its own, or the contest's.
func (c Contest) quotasOf(key string) [3]Quota {
	if cat, ok := c.Category(key); ok && cat.Quotas != nil {
		return *cat.Quotas
	}
	return c.Judging.Quotas
}

// validateCategories trims the categories' names, gives new ones a key, and checks them: at
// most MaxCategories, each named (at most MaxCategoryRunes characters), no name twice, each
// override a valid set of quotas.
func validateCategories(cats []Category, f *Fields) {
	if len(cats) > MaxCategories {
		f.Add("categories", "categories_max", fmt.Sprintf("组别最多%d个", MaxCategories))
		return
	}
	names, keys := map[string]bool{}, map[string]bool{}
	for i := range cats {
		k := strings.TrimSpace(cats[i].Key)
		if keys[k] || len(k) > MaxCategoryRunes {
			k = "" // a key given twice, or too long, is not one of ours: the category is new
		}
		cats[i].Key = k
		if k != "" {
			keys[k] = true
		}
	}
	for i := range cats {
		cat := &cats[i]
		field := fmt.Sprintf("categories.%d", i)
		cat.Name = strings.TrimSpace(cat.Name)
		switch n := len([]rune(cat.Name)); {
		case n == 0:
			f.Add(field, "category_name", "请填写组别名称")
		case n > MaxCategoryRunes:
			f.Add(field, "category_name", fmt.Sprintf("组别名称至多%d个字", MaxCategoryRunes))
		case names[cat.Name]:
			f.Add(field, "category_duplicate", "组别“"+cat.Name+"”重复")
		}
		names[cat.Name] = true
		if cat.Key == "" {
			cat.Key = freeCategoryKey(keys)
		}
		if cat.Quotas != nil {
			if fe := (JudgingSettings{Quotas: *cat.Quotas}).validateQuotas(); len(fe) > 0 {
				f.Add(field, "category_quotas", "组别“"+cat.Name+"”的名额："+firstMessage(fe))
			}
		}
	}
}

// freeCategoryKey returns the first key c1, c2, … not in keys, and takes it.
func freeCategoryKey(keys map[string]bool) string {
	for i := 1; ; i++ {
		k := fmt.Sprintf("c%d", i)
		if !keys[k] {
			keys[k] = true
			return k
		}
	}
}

// firstMessage returns one message of fe, the same one every time.
func firstMessage(fe Fields) string {
	keys := slicesSorted(fe)
	return fe[keys[0]].Message
}

// checkCategory checks a work's category against the contest: a key the contest does not have
// is refused; an empty one is for the draft to fill in (see MissingIn).
func (c Contest) checkCategory(key string) error {
	if key == "" {
		return nil
	}
	if _, ok := c.Category(key); !ok {
		return (Fields{"category": {Code: "category_unknown", Message: "所选组别不存在，请重新选择"}}).Err()
	}
	return nil
}

// MissingIn is Missing with what contest c asks of every work besides: a category when it has
// categories.
func (s Submission) MissingIn(c Contest) Fields {
	f := s.Missing()
	if len(c.Categories) > 0 {
		if _, ok := c.Category(s.Category); !ok {
			f.Add("category", "category_required", "请选择组别")
		}
	}
	return f
}

// removedCategories returns the keys of old's categories that cats no longer has.
func removedCategories(old, cats []Category) []Category {
	keep := map[string]bool{}
	for _, c := range cats {
		keep[c.Key] = true
	}
	var out []Category
	for _, c := range old {
		if !keep[c.Key] {
			out = append(out, c)
		}
	}
	return out
}

// CategoryName returns the name of the ranking group with the key: "" without categories.
func (t RankingTable) CategoryName(key string) string { return groupName(t.Groups, key) }

// groupName returns the name of the ranking group with the key ("" when there is none).
func groupName(groups []RankingGroup, key string) string {
	for _, g := range groups {
		if g.Key == key {
			return g.Name
		}
	}
	return ""
}

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
