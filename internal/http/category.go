package http

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jskx/contest/internal/contest"
)

// categoryJSON is a contest's 组别 in the API; quotas, when given, replace the contest's
// quotas within the category.
type categoryJSON struct {
	Key    string      `json:"key"`
	Name   string      `json:"name"`
	Quotas []quotaJSON `json:"quotas,omitempty"`
}

// quotaJSON is one tier's quota: a count, or a percentage of the category's ranked works.
type quotaJSON struct {
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

func toCategoriesJSON(cats []contest.Category) []categoryJSON {
	out := make([]categoryJSON, len(cats))
	for i, c := range cats {
		out[i] = categoryJSON{Key: c.Key, Name: c.Name}
		if c.Quotas != nil {
			for _, q := range c.Quotas {
				out[i].Quotas = append(out[i].Quotas, quotaJSON(q))
			}
		}
	}
	return out
}

func categoriesFromJSON(in []categoryJSON) ([]contest.Category, error) {
	out := make([]contest.Category, len(in))
	for i, c := range in {
		out[i] = contest.Category{Key: c.Key, Name: c.Name}
		switch len(c.Quotas) {
		case 0:
		case 3:
			var q [3]contest.Quota
			for t := range q {
				q[t] = contest.Quota(c.Quotas[t])
			}
			out[i].Quotas = &q
		default:
			return nil, (contest.Fields{fmt.Sprintf("categories.%d", i): {Code: "quota_count",
				Message: "组别名额请填写一、二、三等奖三个名额，或不填（用活动的名额）"}}).Err()
		}
	}
	return out, nil
}

// categoryRow is a category on the settings form, its quotas as typed ("1, 2, 10%").
type categoryRow struct {
	Key, Name, Quotas string
}

// newCategoryRows is how many empty rows the settings form offers for new categories.
const newCategoryRows = 3

// categoryRows returns the form's rows for cats, with room for new ones.
func categoryRows(cats []contest.Category) []categoryRow {
	rows := make([]categoryRow, 0, len(cats)+newCategoryRows)
	for _, c := range cats {
		r := categoryRow{Key: c.Key, Name: c.Name}
		if c.Quotas != nil {
			parts := make([]string, 3)
			for i, q := range c.Quotas {
				parts[i] = q.String()
			}
			r.Quotas = strings.Join(parts, ", ")
		}
		rows = append(rows, r)
	}
	for range min(newCategoryRows, contest.MaxCategories-len(cats)) {
		rows = append(rows, categoryRow{})
	}
	return rows
}

// categoriesFromRows reads the form's rows: a row without a name is left out (an existing
// category so removed, if it has no works).
func categoriesFromRows(rows []categoryRow, f *contest.Fields) []contest.Category {
	var out []contest.Category
	for _, r := range rows {
		if strings.TrimSpace(r.Name) == "" {
			continue
		}
		cat := contest.Category{Key: r.Key, Name: r.Name}
		if raw := strings.TrimSpace(r.Quotas); raw != "" {
			q, ok := parseQuotas(raw)
			if !ok {
				f.Add(fmt.Sprintf("categories.%d", len(out)), "quota_number",
					"组别“"+strings.TrimSpace(r.Name)+"”的名额请依次填写一、二、三等奖，如 1, 2, 3 或 5%, 10%, 15%")
			}
			cat.Quotas = &q
		}
		out = append(out, cat)
	}
	return out
}

// parseQuotas reads three quotas separated by commas, each a count ("3") or a percentage ("5%").
func parseQuotas(raw string) (q [3]contest.Quota, ok bool) {
	parts := strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' })
	if len(parts) != 3 {
		return q, false
	}
	for i, p := range parts {
		var err error
		if q[i], err = parseQuota(p); err != nil {
			return q, false
		}
	}
	return q, true
}

// parseQuota reads one quota as typed: a count ("3") or a percentage ("5%").
func parseQuota(raw string) (q contest.Quota, err error) {
	raw = strings.TrimSpace(raw)
	if pct, ok := strings.CutSuffix(raw, "%"); ok {
		q.Percent, err = strconv.ParseFloat(strings.TrimSpace(pct), 64)
	} else {
		q.Count, err = strconv.Atoi(raw)
	}
	return q, err
}
