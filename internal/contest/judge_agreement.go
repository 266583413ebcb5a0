package contest

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// MinSharedWorks is how many works a judge must share with other judges before his
// correlation with them means anything.
const MinSharedWorks = 3

// JudgeAgreement compares one judge with the other judges on the works they share.
type JudgeAgreement struct {
	Judge int64
	// Shared is the number of this judge's works that other judges scored too.
	Shared int
	// Severity is the mean of (his score − the others' mean) in units of the panel's standard
	// deviation: positive for a lenient judge, negative for a severe one. NaN without shared works.
	Severity float64
	// Consistency is the Pearson correlation of his scores with the others' mean: does he order
	// the works as they do? NaN with fewer than MinSharedWorks shared works or no variation.
	Consistency float64
}

// AgreementOptions set the confidence level and the bootstrap of α.
type AgreementOptions struct {
	Level   float64 // e.g. 0.95
	Samples int     // bootstrap samples, e.g. 1000
	Seed    uint64  // the same seed gives the same interval
}

// Agreement is how far the judges agree: α over the whole panel and each judge against the rest.
type Agreement struct {
	Alpha  Alpha
	SD     float64 // standard deviation of all scores: the unit of severity
	Judges []JudgeAgreement
}

// MeasureAgreement computes Krippendorff's α and every judge's severity and consistency from
// ratings where each work is scored by some of the judges. Judges are ordered by id.
func MeasureAgreement(ratings []Rating, opts AgreementOptions) Agreement {
	works := groupByWork(ratings)
	sd := panelSD(works)
	return Agreement{
		Alpha:  alphaOf(works, opts.Level, opts.Samples, opts.Seed),
		SD:     sd,
		Judges: judgeAgreements(works, sd),
	}
}

func panelSD(works [][]Rating) float64 {
	var scores []float64
	for _, w := range works {
		for _, r := range w {
			scores = append(scores, r.Score)
		}
	}
	if len(scores) < 2 {
		return math.NaN()
	}
	return stat.StdDev(scores, nil)
}

// judgePairs holds a judge's scores and the others' means on the same works.
type judgePairs struct {
	own, others []float64
}

func judgeAgreements(works [][]Rating, sd float64) []JudgeAgreement {
	byJudge := make(map[int64]*judgePairs)
	for _, w := range works {
		var sum float64
		for _, r := range w {
			sum += r.Score
		}
		for _, r := range w {
			p := byJudge[r.Judge]
			if p == nil {
				p = &judgePairs{}
				byJudge[r.Judge] = p
			}
			if len(w) > 1 {
				p.own = append(p.own, r.Score)
				p.others = append(p.others, (sum-r.Score)/float64(len(w)-1))
			}
		}
	}
	out := make([]JudgeAgreement, 0, len(byJudge))
	for id, p := range byJudge {
		out = append(out, JudgeAgreement{
			Judge:       id,
			Shared:      len(p.own),
			Severity:    severity(p, sd),
			Consistency: consistency(p),
		})
	}
	slices.SortFunc(out, func(a, b JudgeAgreement) int { return cmp.Compare(a.Judge, b.Judge) })
	return out
}

func severity(p *judgePairs, sd float64) float64 {
	if len(p.own) == 0 {
		return math.NaN()
	}
	var offset float64
	for i := range p.own {
		offset += p.own[i] - p.others[i]
	}
	offset /= float64(len(p.own))
	if sd == 0 {
		return 0 // every score is the same, so every offset is 0
	}
	return offset / sd
}

func consistency(p *judgePairs) float64 {
	if len(p.own) < MinSharedWorks || stat.Variance(p.own, nil) == 0 || stat.Variance(p.others, nil) == 0 {
		return math.NaN()
	}
	return stat.Correlation(p.own, p.others, nil)
}

// Sentence says in plain Chinese how this judge scores compared with the others, for organizers
// who do not read statistics.
func (j JudgeAgreement) Sentence() string {
	if j.Shared == 0 {
		return "该评委没有与其他评委共同评审的作品，无法比较。"
	}
	return j.severitySentence() + "，" + j.consistencySentence() + "。"
}

func (j JudgeAgreement) severitySentence() string {
	switch {
	case j.Severity >= 0.2:
		return fmt.Sprintf("该评委打分平均高于其他评委 %.1f 个标准差", j.Severity)
	case j.Severity <= -0.2:
		return fmt.Sprintf("该评委打分平均低于其他评委 %.1f 个标准差", -j.Severity)
	default:
		return "该评委打分与其他评委基本持平"
	}
}

func (j JudgeAgreement) consistencySentence() string {
	r := j.Consistency
	switch {
	case j.Shared < MinSharedWorks:
		return fmt.Sprintf("与其他评委共同评审的作品不足 %d 件，无法判断排序是否一致", MinSharedWorks)
	case math.IsNaN(r):
		return "共同评审的作品得分没有高低之分，无法判断排序是否一致"
	case r >= 0.8:
		return fmt.Sprintf("与其他评委的排序高度一致（相关系数 %.2f）", r)
	case r >= 0.5:
		return fmt.Sprintf("与其他评委的排序基本一致（相关系数 %.2f）", r)
	case r >= 0.2:
		return fmt.Sprintf("与其他评委的排序一致性较弱（相关系数 %.2f）", r)
	case r > -0.2:
		return fmt.Sprintf("与其他评委的排序几乎无关（相关系数 %.2f）", r)
	default:
		return fmt.Sprintf("与其他评委的排序相反（相关系数 %.2f）", r)
	}
}
