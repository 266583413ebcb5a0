package contest

import "time"

// Phase is where the contest stands as its banner tells everyone: from the collection through
// the review and the 公示 to the published results. It joins the collection window with the
// results' Stage; the pages word it.
type Phase string

// The phases, in the order a contest goes through them.
const (
	PhaseNotOpen    Phase = "not_open"   // 征集尚未开始
	PhaseCollecting Phase = "collecting" // 征集中
	PhaseClosed     Phase = "closed"     // 征集已截止: collection closed, the review window not begun
	PhaseReview     Phase = "review"     // 评审中: the review window begun, no results public yet
	PhasePublicity  Phase = "publicity"  // 公示中: objections are taken
	PhaseReady      Phase = "ready"      // 公示期满: the results are about to be published
	PhasePublished  Phase = "published"  // 结果已发布
	PhaseWithdrawn  Phase = "withdrawn"  // published, then withdrawn for review: nothing public
)

// Phase returns the contest's phase at now. What has been made public decides first: a 公示
// or published results stand whatever the windows say (an organizer may edit them afterwards).
// Before that, the collection window decides; once it has closed, the contest waits for the
// review window to begin, then is in review until a 公示 starts, however long the awards take
// to confirm.
func (c Contest) Phase(now time.Time) Phase {
	switch c.Stage(now) {
	case StagePublished:
		return PhasePublished
	case StagePublicity:
		return PhasePublicity
	case StageReady:
		return PhaseReady
	case StageWithdrawn:
		return PhaseWithdrawn
	}
	switch {
	case now.Before(c.CollectionStart):
		return PhaseNotOpen
	case c.CollectionOpen(now):
		return PhaseCollecting
	case now.Before(c.ReviewStart):
		return PhaseClosed
	}
	return PhaseReview
}

// PublicityLastDay is the last day of the 公示, which ends at midnight after it (PublicityEnd is
// that midnight): the day an official notice prints as its end. Zero when no 公示 was started.
func (p Publication) PublicityLastDay() time.Time {
	if p.PublicityEnd == nil {
		return time.Time{}
	}
	return p.PublicityEnd.Add(-time.Second)
}

// FormatDays writes the days from first to last (both included) in loc as an official notice
// does: 2027年7月1日至7月7日, the year written once when both days fall in it
// (2026年12月28日至2027年1月3日 when not), and one day alone as 2027年7月1日.
func FormatDays(first, last time.Time, loc *time.Location) string {
	a, b := first.In(loc), last.In(loc)
	switch {
	case a.Year() != b.Year():
		return a.Format("2006年1月2日") + "至" + b.Format("2006年1月2日")
	case a.YearDay() == b.YearDay():
		return a.Format("2006年1月2日")
	}
	return a.Format("2006年1月2日") + "至" + b.Format("1月2日")
}

// FormatDate writes the day of t in loc: 2027年7月7日.
func FormatDate(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006年1月2日")
}
