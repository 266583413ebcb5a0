package contest

import (
	"strings"
	"testing"
	"time"
)

func TestReminderDue_FromItsMomentForAQuarterOfItsLead(t *testing.T) {
	end := time.Date(2022, 5, 20, 16, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		now  time.Time
		lead time.Duration
		want bool
	}{
		{end.Add(-24*time.Hour - time.Second), 24 * time.Hour, false}, // not yet
		{end.Add(-24 * time.Hour), 24 * time.Hour, true},              // its moment
		{end.Add(-18*time.Hour - time.Second), 24 * time.Hour, true},  // 6 h late: still "不到 24 小时"
		{end.Add(-18 * time.Hour), 24 * time.Hour, false},             // later: skipped, not sent late
		{end.Add(-2 * time.Hour), 2 * time.Hour, true},
		{end.Add(-90*time.Minute - time.Second), 2 * time.Hour, true},
		{end.Add(-90 * time.Minute), 2 * time.Hour, false}, // the service was down: no "2 小时" with 1 h left
		{end.Add(time.Minute), 2 * time.Hour, false},
	} {
		if got := reminderDue(tc.now, end, tc.lead); got != tc.want {
			t.Errorf("reminderDue(%s before the end, %s) = %v, want %v", end.Sub(tc.now), tc.lead, got, tc.want)
		}
	}
}

func TestDigestMoment_IsTodaysEightOClockBeijingOrYesterdays(t *testing.T) {
	at := func(d, h, m int) time.Time { return time.Date(2022, 5, d, h, m, 0, 0, Beijing) }
	if got := digestMoment(at(16, 8, 5)); !got.Equal(at(16, 8, 0)) {
		t.Errorf("at 08:05 the moment is %s, want 08:00 the same day", got)
	}
	if got := digestMoment(at(16, 7, 59)); !got.Equal(at(15, 8, 0)) {
		t.Errorf("at 07:59 the moment is %s, want 08:00 the day before", got)
	}
	c := DefaultContest() // collection from 2022-05-10, review until 2022-05-28 23:59:59
	if !digestDue(c, at(16, 8, 5), at(16, 8, 0)) || digestDue(c, at(16, 20, 0), at(16, 8, 0)) {
		t.Error("a day's digest is due from 08:00 until 20:00")
	}
	if digestDue(c, at(9, 8, 5), at(9, 8, 0)) || !digestDue(c, at(10, 8, 5), at(10, 8, 0)) {
		t.Error("the first digest is the first 08:00 after collection starts")
	}
	if !digestDue(c, at(29, 8, 5), at(29, 8, 0)) || digestDue(c, at(30, 8, 5), at(30, 8, 0)) {
		t.Error("the last digest is the morning after the review ends")
	}
}

func TestDeadlineTodo_SaysWhatIsMissingWithoutNamingAnyone(t *testing.T) {
	sub := Submission{Registration: Registration{Title: "作品"}, Participants: []Participant{{Name: "李四"}, {Name: "王五"}},
		Video: &Video{Check: VideoCheck{State: CheckRejected}}}
	todo := deadlineTodo(sub)
	for _, want := range []string{"参赛视频未通过检查", "有 2 位参与人员尚未签署作品授权书", "报名登记表尚未填写完整"} {
		if !strings.Contains(todo, want) {
			t.Errorf("todo lacks %q:\n%s", want, todo)
		}
	}
	if strings.Contains(todo, "李四") {
		t.Errorf("todo names a participant:\n%s", todo)
	}
	if !strings.HasPrefix(todo, "1. ") {
		t.Errorf("todo is not numbered:\n%s", todo)
	}
}
