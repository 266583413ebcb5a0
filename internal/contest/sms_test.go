package contest

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestSMSParam_CutsByCharactersNotBytes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"星空", "星空"},
		{"星空下的光影", "星空下的光影"},         // exactly 6
		{"星空下的光影故事", "星空下的光…"},       // 8 runes: 5 + …
		{"  实验室里的\n创新誓言 ", "实验室里的…"}, // spaces folded, then cut
		{"ab😀cdefg", "ab😀cd…"},       // a 4-byte rune is one character
		{"", "-"},                    // providers refuse an empty parameter
	} {
		got := smsParam(tc.in, 6)
		if got != tc.want || !utf8.ValidString(got) || utf8.RuneCountInString(got) > 6 {
			t.Errorf("smsParam(%q, 6) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSMSMessage_EachKindHasItsTemplatesParameters(t *testing.T) {
	now := time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC)
	sub := Submission{ID: "s1", OwnerID: "u1", Status: StatusSubmitted, Registration: Registration{Title: "实验室里的创新誓言"}}
	end := time.Date(2022, 6, 7, 16, 0, 0, 0, time.UTC) // 6月8日 00:00 Beijing: the 公示's last day is 6月7日
	c := Contest{ID: "c1", Publication: Publication{PublicityEnd: &end, PublicityVersion: 1, PublishedVersion: 1}}
	results := []Result{{WorkID: "s1", Title: "实验室里的创新誓言", Tier: TierFirst}}
	works := map[string]Submission{"s1": sub}
	for _, tc := range []struct {
		n    Notification
		want []string
	}{
		{verdictNotification(now, c, sub, "k", VideoCheck{State: CheckRejected, Reasons: []Reason{{Message: "分辨率过低"}}}), []string{"实验室里的…"}},
		{exclusionNotification(now, c, sub, FormalReview{Reason: "缺少授权书"}), []string{"实验室里的…"}},
		{publicityNotifications(now, c, results, works)[0], []string{"实验室里的…", TierFirst.Label(), "6月7日"}},
		{resultNotifications(now, c, []Submission{sub}, results, nil)[0], []string{"实验室里的…", TierFirst.Label()}},
		{resultNotifications(now, c, []Submission{sub}, nil, nil)[0], []string{"实验室里的…", "未获奖"}},
	} {
		m := smsMessage(tc.n, "13800138000", "2001", DefaultSMSParamMax)
		if d := cmp.Diff(SMS{Number: "13800138000", TemplateID: "2001", Params: tc.want}, m); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.n.Kind, d)
		}
	}
	if accepted := verdictNotification(now, c, sub, "k", VideoCheck{State: CheckAccepted}); accepted.SMSParams != nil {
		t.Errorf("an accepted video has SMS parameters %q; it is not sent by SMS", accepted.SMSParams)
	}
}

// Every kind that may go by SMS has its parameters set where it is made.
func TestSMSKinds_AreTheImportantOnes(t *testing.T) {
	want := []NotificationKind{NoteVideoRejected, NoteFormalExcluded, NotePublicity, NoteResults, NoteNotAwarded}
	if d := cmp.Diff(want, SMSKinds()); d != "" {
		t.Errorf("SMS kinds (-want +got):\n%s", d)
	}
}

func TestReserveSMS_OnePer30SecondsAndTenADayPerNumber(t *testing.T) {
	t0 := time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC) // 10:00 Beijing
	r, wait, full := reserveSMS(SMSRate{}, t0)
	if wait != 0 || full || r.DayCount != 1 || r.Day != "2022-05-15" || !r.LastSentAt.Equal(t0) || r.Version != 1 {
		t.Fatalf("first SMS: rate %+v wait %v full %v", r, wait, full)
	}
	if _, wait, _ := reserveSMS(r, t0.Add(10*time.Second)); wait != 20*time.Second {
		t.Errorf("10 s later: wait %v, want 20s", wait)
	}
	for i := 2; i <= SMSPerDay; i++ {
		var w time.Duration
		if r, w, full = reserveSMS(r, t0.Add(time.Duration(i)*time.Minute)); w != 0 || full {
			t.Fatalf("SMS %d: wait %v full %v", i, w, full)
		}
	}
	if r.DayCount != SMSPerDay {
		t.Fatalf("count = %d", r.DayCount)
	}
	if _, w, full := reserveSMS(r, t0.Add(time.Hour)); !full || w != 0 {
		t.Errorf("SMS %d the same day: wait %v full %v, want the day full", SMSPerDay+1, w, full)
	}
	// The Beijing day turns at 16:00 UTC.
	next, w, full := reserveSMS(r, time.Date(2022, 5, 15, 16, 0, 0, 0, time.UTC))
	if full || w != 0 || next.DayCount != 1 || next.Day != "2022-05-16" {
		t.Errorf("next Beijing day: rate %+v wait %v full %v", next, w, full)
	}
}
