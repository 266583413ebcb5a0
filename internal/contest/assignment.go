package contest

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
)

// AssignWork is a work to be reviewed, with the employers of everyone on it (lead creator and
// participants) for conflicts of interest.
type AssignWork struct {
	ID        string
	Employers []string
	Category  string // the work's category key
}

// AssignJudge is an active judge: their employer, and the works they declared a conflict with.
type AssignJudge struct {
	ID        string
	Employer  string
	Conflicts map[string]bool // work IDs
	// Categories, when not nil, are the only categories (keys) the judge reviews (评委按组别评审).
	Categories map[string]bool
}

// Allowed reports whether the judge reviews works of the category.
func (j AssignJudge) Allowed(category string) bool {
	return j.Categories == nil || j.Categories[category]
}

// Assignment is one judge's review of one work.
type Assignment struct {
	WorkID  string
	JudgeID string
}

// Plan is an assignment of judges to works.
type Plan struct {
	Assignments []Assignment
	Load        map[string]int // works per judge
	// Short lists works that got fewer than k judges, because too few judges are free of a
	// conflict with them; the organizer must add judges or accept fewer reviews.
	Short map[string]int // work ID → judges assigned
	// ShortCategories lists the categories with fewer judges allowed for them than each work
	// needs (评委按组别评审): category key → judges allowed.
	ShortCategories map[string]int
	// Calibration are the reviews of the calibration works (AssignCalibration), apart from
	// the balanced ones: they count towards no load.
	Calibration []Assignment
}

// NormalizeEmployer makes employer names comparable: full-width to half-width, case, spaces
// and punctuation removed ("江苏省 农业科学院（南京）" and "江苏省农业科学院(南京)" match).
func NormalizeEmployer(s string) string {
	s = strings.ToLower(Normalize(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}, s)
}

// Conflicted reports whether judge j must not review work w: someone on the work has the
// judge's employer, the judge declared a conflict, or the judge does not review the work's
// category.
func Conflicted(j AssignJudge, w AssignWork) bool {
	if j.Conflicts[w.ID] || !j.Allowed(w.Category) {
		return true
	}
	mine := NormalizeEmployer(j.Employer)
	if mine == "" {
		return false
	}
	for _, e := range w.Employers {
		if NormalizeEmployer(e) == mine {
			return true
		}
	}
	return false
}

// Assign gives each work k judges, never a conflicted one, keeping the judges' loads as even as
// the conflicts allow (the largest and smallest load differ by at most one when they do not
// stand in the way). keep are assignments that must stay (reviews already scored); they count
// towards k, and towards the loads of active judges. seed makes the choice among equally loaded judges repeatable.
func Assign(works []AssignWork, judges []AssignJudge, k int, keep []Assignment, seed uint64) Plan {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	p := Plan{Load: map[string]int{}, Short: map[string]int{}, ShortCategories: shortCategories(works, judges, k)}
	for _, j := range judges {
		p.Load[j.ID] = 0
	}
	normJudge := make([]string, len(judges))
	for i, j := range judges {
		normJudge[i] = NormalizeEmployer(j.Employer)
	}
	has := map[Assignment]bool{}
	count := map[string]int{}
	active := map[string]bool{}
	for _, j := range judges {
		active[j.ID] = true
	}
	for _, a := range keep {
		if has[a] {
			continue
		}
		if !active[a.JudgeID] { // a deactivated judge's submitted review counts, but loads no one
			has[a] = true
			count[a.WorkID]++
			continue
		}
		has[a] = true
		p.Assignments = append(p.Assignments, a)
		p.Load[a.JudgeID]++
		count[a.WorkID]++
	}

	// Each work's eligible judges; the most constrained works are served first, so they are
	// not left with only busy judges.
	type job struct {
		w        AssignWork
		eligible []int
	}
	jobs := make([]job, len(works))
	for i, w := range works {
		emp := map[string]bool{}
		for _, e := range w.Employers {
			if n := NormalizeEmployer(e); n != "" {
				emp[n] = true
			}
		}
		var el []int
		for ji, j := range judges {
			if !j.Conflicts[w.ID] && !emp[normJudge[ji]] && j.Allowed(w.Category) {
				el = append(el, ji)
			}
		}
		jobs[i] = job{w, el}
	}
	rng.Shuffle(len(jobs), func(a, b int) { jobs[a], jobs[b] = jobs[b], jobs[a] })
	slices.SortStableFunc(jobs, func(a, b job) int { return cmp.Compare(len(a.eligible), len(b.eligible)) })

	tiebreak := make([]uint32, len(judges))
	for _, jb := range jobs {
		need := k - count[jb.w.ID]
		if need <= 0 {
			continue
		}
		cand := make([]int, 0, len(jb.eligible))
		for _, ji := range jb.eligible {
			if !has[Assignment{jb.w.ID, judges[ji].ID}] {
				cand = append(cand, ji)
				tiebreak[ji] = rng.Uint32()
			}
		}
		slices.SortFunc(cand, func(a, b int) int {
			return cmp.Or(cmp.Compare(p.Load[judges[a].ID], p.Load[judges[b].ID]), cmp.Compare(tiebreak[a], tiebreak[b]))
		})
		for _, ji := range cand[:min(need, len(cand))] {
			a := Assignment{jb.w.ID, judges[ji].ID}
			has[a] = true
			p.Assignments = append(p.Assignments, a)
			p.Load[a.JudgeID]++
			count[a.WorkID]++
		}
		if count[jb.w.ID] < k {
			p.Short[jb.w.ID] = count[jb.w.ID]
		}
	}
	p.rebalance(works, judges, has, keep)
	return p
}

// shortCategories returns the works' categories for which fewer than k judges are allowed,
// with how many are; only when some judge is limited to categories.
func shortCategories(works []AssignWork, judges []AssignJudge, k int) map[string]int {
	out := map[string]int{}
	if !slices.ContainsFunc(judges, func(j AssignJudge) bool { return j.Categories != nil }) {
		return out
	}
	for _, w := range works {
		if _, seen := out[w.Category]; seen {
			continue
		}
		n := 0
		for _, j := range judges {
			if j.Allowed(w.Category) {
				n++
			}
		}
		out[w.Category] = n
	}
	maps.DeleteFunc(out, func(_ string, n int) bool { return n >= k })
	return out
}

// rebalance moves reviews from the most to the least loaded judges while that narrows the
// spread and the receiving judge is free of conflicts; kept assignments never move.
func (p *Plan) rebalance(works []AssignWork, judges []AssignJudge, has map[Assignment]bool, keep []Assignment) {
	if len(judges) < 2 {
		return
	}
	fixed := map[Assignment]bool{}
	for _, a := range keep {
		fixed[a] = true
	}
	byID := map[string]AssignWork{}
	for _, w := range works {
		byID[w.ID] = w
	}
	judgeByID := map[string]AssignJudge{}
	for _, j := range judges {
		judgeByID[j.ID] = j
	}
	for range len(p.Assignments) { // each round moves one review; bounded
		lo, hi := judges[0].ID, judges[0].ID
		for _, j := range judges {
			if p.Load[j.ID] < p.Load[lo] {
				lo = j.ID
			}
			if p.Load[j.ID] > p.Load[hi] {
				hi = j.ID
			}
		}
		if p.Load[hi]-p.Load[lo] <= 1 {
			return
		}
		moved := false
		for i, a := range p.Assignments {
			if a.JudgeID != hi || fixed[a] {
				continue
			}
			to := Assignment{a.WorkID, lo}
			if has[to] || Conflicted(judgeByID[lo], byID[a.WorkID]) {
				continue
			}
			delete(has, a)
			has[to] = true
			p.Assignments[i] = to
			p.Load[hi]--
			p.Load[lo]++
			moved = true
			break
		}
		if !moved {
			return // the least loaded judge is conflicted with every review the busiest has
		}
	}
}
