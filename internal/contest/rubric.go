package contest

import (
	"fmt"
	"math"
)

// Criterion is one line of the judges' scoring form.
type Criterion struct {
	Key       string  `json:"key"`        // stable identifier, e.g. "theme"
	Name      string  `json:"name"`       // in Chinese, e.g. "主题契合度"
	Hint      string  `json:"hint"`       // what the judge looks at
	MaxPoints float64 `json:"max_points"` // the judge scores 0..MaxPoints
	Weight    float64 `json:"weight"`     // share of the total; the weights add up to 100
}

// Rubric is a contest's scoring form. A judge's weighted total for a work is
// Σ score/MaxPoints × Weight, on a scale of 0 to 100.
type Rubric []Criterion

// Criterion keys of the default rubric; ties are broken by artistry, then theme.
const (
	CritTheme       = "theme"
	CritOrientation = "orientation"
	CritTimeliness  = "timeliness"
	CritArtistry    = "artistry"
)

// DefaultRubric follows the notice's requirement: 与主题相关，导向正确，内容健康，有较高的时代性和艺术性.
func DefaultRubric() Rubric {
	return Rubric{
		{Key: CritTheme, Name: "主题契合度", Hint: "与“创新争先、自立自强”主题相关，紧扣科技工作者的创新实践", MaxPoints: 30, Weight: 30},
		{Key: CritOrientation, Name: "导向与内容", Hint: "导向正确，内容健康，事实准确", MaxPoints: 20, Weight: 20},
		{Key: CritTimeliness, Name: "时代性", Hint: "反映新时代科技发展与科技工作者精神风貌", MaxPoints: 25, Weight: 25},
		{Key: CritArtistry, Name: "艺术性", Hint: "创意、叙事、画面、声音与剪辑的表现力", MaxPoints: 25, Weight: 25},
	}
}

// Validate checks the rubric: at least one criterion, unique keys, positive maxima and weights
// adding up to 100.
func (r Rubric) Validate() error {
	var f Fields
	if len(r) == 0 {
		f.Add("rubric", "rubric_empty", "评分标准至少需要一项")
	}
	seen, sum := map[string]bool{}, 0.0
	for i, c := range r {
		key := fmt.Sprintf("rubric.%d", i)
		switch {
		case c.Key == "" || c.Name == "":
			f.Add(key, "criterion_name", "评分项需要名称")
		case seen[c.Key]:
			f.Add(key, "criterion_duplicate", "评分项“"+c.Name+"”重复")
		case !(c.MaxPoints > 0) || c.MaxPoints > 1000:
			f.Add(key, "criterion_max", "评分项“"+c.Name+"”的满分须大于0")
		case !(c.Weight > 0):
			f.Add(key, "criterion_weight", "评分项“"+c.Name+"”的权重须大于0")
		}
		seen[c.Key] = true
		sum += c.Weight
	}
	if len(r) > 0 && math.Abs(sum-100) > 1e-9 {
		f.Add("rubric", "rubric_weights", fmt.Sprintf("各评分项权重之和须为100（现为%g）", sum))
	}
	return f.Err()
}

// Scores are one judge's points for one work, by criterion key.
type Scores map[string]float64

// Check returns an error naming each criterion missing or out of range.
func (r Rubric) Check(s Scores) error {
	var f Fields
	for _, c := range r {
		v, ok := s[c.Key]
		switch {
		case !ok:
			f.Add("scores."+c.Key, "score_missing", "请为“"+c.Name+"”打分")
		case math.IsNaN(v) || v < 0 || v > c.MaxPoints:
			f.Add("scores."+c.Key, "score_range", fmt.Sprintf("“%s”的分数须在0到%g之间", c.Name, c.MaxPoints))
		}
	}
	for k := range s {
		if r.index(k) < 0 {
			f.Add("scores."+k, "score_unknown", "没有这个评分项")
		}
	}
	return f.Err()
}

// Total is the weighted total of complete scores, 0 to 100.
func (r Rubric) Total(s Scores) float64 {
	t := 0.0
	for _, c := range r {
		t += s[c.Key] / c.MaxPoints * c.Weight
	}
	return t
}

func (r Rubric) index(key string) int {
	for i, c := range r {
		if c.Key == key {
			return i
		}
	}
	return -1
}
