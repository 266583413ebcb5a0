package contest

import (
	"fmt"
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
