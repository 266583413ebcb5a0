package contest

import (
	"testing"
	"time"
)

// TestPhase_FollowsTheContestFromCollectionToPublishedResults: the banner's phase at each point
// of the notice's contest (collection 5月10日–5月20日, review 5月21日–5月28日), with the
// publication as the organizer moves it on.
func TestPhase_FollowsTheContestFromCollectionToPublishedResults(t *testing.T) {
	bj := func(month time.Month, day, hour, min, sec int) time.Time {
		return time.Date(2022, month, day, hour, min, sec, 0, Beijing)
	}
	ptr := func(t time.Time) *time.Time { return &t }
	confirmed := func(c *Contest) {
		c.Judging.ClosedAt, c.Judging.AwardsConfirmedAt, c.Judging.AwardsVersion = ptr(bj(5, 29, 9, 0, 0)), ptr(bj(5, 29, 10, 0, 0)), 1
	}
	// The 公示 of version 1 started on 5月30日 at 22:06:05 and runs to 6月4日 00:00.
	publicity := func(c *Contest) {
		confirmed(c)
		p := &c.Publication
		p.PublicityStart, p.PublicityEnd, p.PublicityVersion = ptr(bj(5, 30, 22, 6, 5)), ptr(bj(6, 4, 0, 0, 0)), 1
	}
	published := func(c *Contest) { publicity(c); c.Publication.PublishedAt = ptr(bj(6, 5, 9, 0, 0)) }
	for _, tc := range []struct {
		name string
		now  time.Time
		set  func(*Contest)
		want Phase
	}{
		{"the day before collection", bj(5, 9, 23, 59, 59), nil, PhaseNotOpen},
		{"collection opens", bj(5, 10, 0, 0, 0), nil, PhaseCollecting},
		{"the last second of collection", bj(5, 20, 23, 59, 59), nil, PhaseCollecting},
		{"collection closed", bj(5, 21, 0, 0, 0), nil, PhaseReview},
		{"collection closed, the review a day later", bj(5, 21, 12, 0, 0), func(c *Contest) { c.ReviewStart = bj(5, 22, 0, 0, 0) }, PhaseClosed},
		{"the review begins", bj(5, 22, 0, 0, 0), func(c *Contest) { c.ReviewStart = bj(5, 22, 0, 0, 0) }, PhaseReview},
		{"after the review window, awards not confirmed", bj(5, 29, 8, 0, 0), nil, PhaseReview},
		{"awards confirmed, no 公示 yet", bj(5, 29, 12, 0, 0), confirmed, PhaseReview},
		{"公示 running", bj(5, 31, 12, 0, 0), publicity, PhasePublicity},
		{"the last second of the 公示", bj(6, 3, 23, 59, 59), publicity, PhasePublicity},
		{"公示 over, not published", bj(6, 4, 0, 0, 0), publicity, PhaseReady},
		{"a new awards version voids the 公示", bj(5, 31, 12, 0, 0), func(c *Contest) { publicity(c); c.Judging.AwardsVersion = 2 }, PhaseReview},
		{"published", bj(6, 5, 9, 0, 0), published, PhasePublished},
		{"published while the windows were moved later", bj(6, 5, 9, 0, 0), func(c *Contest) {
			published(c)
			c.CollectionStart, c.CollectionEnd = bj(6, 1, 0, 0, 0), bj(6, 30, 23, 59, 59)
		}, PhasePublished},
		{"withdrawn", bj(6, 6, 9, 0, 0), func(c *Contest) {
			publicity(c)
			c.Publication.WithdrawnAt = ptr(bj(6, 6, 8, 0, 0))
		}, PhaseWithdrawn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultContest()
			if tc.set != nil {
				tc.set(&c)
			}
			if got := c.Phase(tc.now); got != tc.want {
				t.Errorf("Phase(%s) = %q, want %q", FormatTime(tc.now, Beijing), got, tc.want)
			}
		})
	}
}

func TestFormatDays_AsAnOfficialNoticeWritesThem(t *testing.T) {
	bj := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, Beijing) }
	for _, tc := range []struct {
		first, last time.Time
		want        string
	}{
		{bj(2027, 7, 1, 22), bj(2027, 7, 7, 23), "2027年7月1日至7月7日"},
		{bj(2026, 12, 28, 9), bj(2027, 1, 3, 9), "2026年12月28日至2027年1月3日"},
		{bj(2027, 7, 1, 0), bj(2027, 7, 1, 23), "2027年7月1日"},
		// 16:30 UTC is already the next day in Beijing.
		{time.Date(2027, 6, 30, 16, 30, 0, 0, time.UTC), time.Date(2027, 7, 7, 15, 59, 59, 0, time.UTC), "2027年7月1日至7月7日"},
	} {
		if got := FormatDays(tc.first, tc.last, Beijing); got != tc.want {
			t.Errorf("FormatDays(%s, %s) = %q, want %q", tc.first, tc.last, got, tc.want)
		}
	}
}

// The 公示 ends at midnight; its last day is the day before.
func TestPublicityLastDay_IsTheDayBeforeTheMidnightItEnds(t *testing.T) {
	end := time.Date(2027, 7, 8, 0, 0, 0, 0, Beijing)
	p := Publication{PublicityEnd: &end}
	if got := FormatDate(p.PublicityLastDay(), Beijing); got != "2027年7月7日" {
		t.Errorf("last day %q", got)
	}
	if !(Publication{}).PublicityLastDay().IsZero() {
		t.Error("a contest without 公示 has a last day")
	}
}
