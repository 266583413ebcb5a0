package contest

import (
	"testing"
	"time"
)

func TestCheckCollectionOpen_EndOfDayInShanghaiWithServerInUTC(t *testing.T) {
	c := DefaultContest()
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	for _, tc := range []struct {
		now  string
		code string
	}{
		{"2022-05-09T15:59:59Z", ENotOpen},  // 5月9日 23:59:59 Beijing
		{"2022-05-09T16:00:00Z", ""},        // 5月10日 00:00:00
		{"2022-05-20T15:59:59Z", ""},        // 5月20日 23:59:59
		{"2022-05-20T15:59:59.999Z", ""},    // still within the last second
		{"2022-05-20T16:00:00Z", EDeadline}, // 5月21日 00:00:00
		{"2022-05-20T23:30:00Z", EDeadline}, // still 5月20日 in UTC, but past in Beijing
	} {
		if got := ErrorCode(c.CheckCollectionOpen(utc(tc.now))); got != tc.code {
			t.Errorf("at %s: code %q, want %q", tc.now, got, tc.code)
		}
	}
	if msg := ErrorMessage(c.CheckCollectionOpen(utc("2022-05-21T00:00:00Z"))); msg != "作品征集已于2022年5月20日 23:59:59（北京时间）截止，已保存的内容不受影响" {
		t.Errorf("deadline message = %q", msg)
	}
}

func TestDemoContest_IsOpenWhenSeeded(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 29, 16, 30, 0, 0, time.UTC), // already 11月30日 in Beijing
	} {
		c := DemoContest(now)
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if !c.CollectionOpen(now) || !c.CollectionOpen(now.Add(10*24*time.Hour)) {
			t.Errorf("demo contest seeded at %s is not open for ten days", now)
		}
	}
}

func TestContestValidate_RefusesWindowsOutOfOrder(t *testing.T) {
	c := DefaultContest()
	c.CollectionEnd = c.CollectionStart.Add(-time.Hour)
	c.Rules.MaxDurationSec = 0
	fields := ErrorFields(c.Validate())
	if fields["collection_end"].Code != "window_order" || fields["max_duration_sec"].Code != "range" {
		t.Errorf("fields = %v", fields)
	}
}
