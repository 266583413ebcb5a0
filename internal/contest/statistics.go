package contest

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
)

// StatRow counts one 工作单位 or city: works submitted, works that passed formal review, and
// awards.
type StatRow struct {
	Name     string
	Works    int
	Accepted int
	Awards   [3]int // 一/二/三等奖
}

// Awarded is the number of awards of any tier.
func (r StatRow) Awarded() int { return r.Awards[0] + r.Awards[1] + r.Awards[2] }

// DayCount is the works started and submitted on one day (in the contest's time zone).
type DayCount struct {
	Date      string // 2006-01-02
	Created   int
	Submitted int
}

// Statistics are the figures for the organizers' report (the notice commends excellent
// organizing units afterwards).
type Statistics struct {
	Drafts     int
	Works      int // submitted
	Accepted   int // passed formal review
	Awards     [3]int
	ByEmployer []StatRow // most works first
	ByCity     []StatRow
	PerDay     []DayCount
}

// Statistics counts the contest's works by employer, city and day. The awards are those in the
// running or finished 公示, or published. Organizers only.
func (s *ReportService) Statistics(ctx context.Context, actor User) (Statistics, error) {
	if err := requireOrganizer(actor); err != nil {
		return Statistics{}, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return Statistics{}, err
	}
	page, err := s.submissions.ListSubmissions(ctx, SubmissionFilter{ContestID: c.ID})
	if err != nil {
		return Statistics{}, err
	}
	var results []Result // the awards count once in the 公示 or published, not a stale list
	if st := c.Stage(s.Now()); st == StagePublicity || st == StageReady || st == StagePublished {
		if results, err = s.publication.Results(ctx, c.ID); err != nil {
			return Statistics{}, err
		}
	}
	return countStatistics(page.Items, results, c.Location()), nil
}

func countStatistics(works []Submission, results []Result, loc *time.Location) Statistics {
	tier := map[string]Tier{}
	for _, r := range results {
		tier[r.WorkID] = r.Tier
	}
	var st Statistics
	employers, cities := map[string]*StatRow{}, map[string]*StatRow{}
	row := func(m map[string]*StatRow, key, name string) *StatRow {
		if m[key] == nil {
			m[key] = &StatRow{Name: name}
		}
		return m[key]
	}
	days := map[string]*DayCount{}
	day := func(t time.Time) *DayCount {
		d := t.In(loc).Format(time.DateOnly)
		if days[d] == nil {
			days[d] = &DayCount{Date: d}
		}
		return days[d]
	}
	for _, w := range works {
		day(w.CreatedAt).Created++
		if w.Status != StatusSubmitted {
			st.Drafts++
			continue
		}
		if w.SubmittedAt != nil {
			day(*w.SubmittedAt).Submitted++
		}
		st.Works++
		emp := strings.TrimSpace(w.Registration.Employer)
		city := CityOf(w.Registration.Address)
		rows := []*StatRow{row(employers, NormalizeEmployer(emp), emp), row(cities, city, city)}
		passed := w.Formal != nil && w.Formal.Decision == FormalPassed
		if passed {
			st.Accepted++
		}
		t, won := tier[w.ID]
		if won && t >= TierFirst && t <= TierThird {
			st.Awards[t-1]++
		}
		for _, r := range rows {
			r.Works++
			if passed {
				r.Accepted++
			}
			if won && t >= TierFirst && t <= TierThird {
				r.Awards[t-1]++
			}
		}
	}
	st.ByEmployer, st.ByCity = sortedRows(employers), sortedRows(cities)
	for _, d := range days {
		st.PerDay = append(st.PerDay, *d)
	}
	slices.SortFunc(st.PerDay, func(a, b DayCount) int { return strings.Compare(a.Date, b.Date) })
	return st
}

// sortedRows orders rows by awards, then works, then name.
func sortedRows(m map[string]*StatRow) []StatRow {
	out := make([]StatRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b StatRow) int {
		if a.Awarded() != b.Awarded() {
			return b.Awarded() - a.Awarded()
		}
		if a.Works != b.Works {
			return b.Works - a.Works
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// cityRe takes the prefecture-level unit from a Chinese postal address: after an optional
// province or autonomous region, the first 市, 州 (自治州), 盟 or 地区.
var cityRe = regexp.MustCompile(`^(?:[^省]{2,7}省|[^区]{2,12}自治区)?(.{2,10}?(?:市|自治州|州|盟|地区))`)

// CityOf returns the city of a 通信地址 ("江苏省南京市玄武区…" → "南京市"); "未注明" when none can
// be read. The four municipalities (北京, 上海, 天津, 重庆) come out as themselves.
func CityOf(address string) string {
	a := strings.Join(strings.Fields(Normalize(address)), "")
	if m := cityRe.FindStringSubmatch(a); m != nil {
		return m[1]
	}
	return "未注明"
}
