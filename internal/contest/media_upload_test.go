package contest

import (
	"strings"
	"testing"
	"time"
)

// After the close an upload is refused for one of two reasons, and the contestant is told which:
// it was opened after the close (no grace at all), or it was opened before and the grace is over.
func TestUploadWindow_SaysWhetherTheUploadCameTooLateOrTheGraceRanOut(t *testing.T) {
	c := DefaultContest()
	closes := c.CollectionCloses() // 2022-05-21 00:00:00 Beijing time
	const late, graceOver = "截止后不能再开始上传", "截止前开始的上传可在截止后30分钟内完成，现已超过"
	for _, tc := range []struct {
		name         string
		started, now time.Time
		want         string // "" for allowed
		notWant      string
	}{
		{"opened before the close, in the grace", closes.Add(-time.Minute), closes.Add(10 * time.Minute), "", ""},
		{"opened before the close, grace over", closes.Add(-time.Minute), closes.Add(31 * time.Minute), graceOver, late},
		{"opened at the close", closes, closes.Add(time.Minute), late, graceOver},
		{"opened after the close, within what would be the grace", closes.Add(5 * time.Minute), closes.Add(6 * time.Minute), late, graceOver},
		{"opened after the close, later", closes.Add(2 * time.Hour), closes.Add(2 * time.Hour), late, graceOver},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			s := &MediaService{core: &core{Now: func() time.Time { return now }}, settings: DefaultUploadSettings()}
			_, err := s.uploadWindow(c, tc.started)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "":
				return
			case ErrorCode(err) != EDeadline:
				t.Fatalf("error %v, want %s", err, EDeadline)
			}
			msg := ErrorMessage(err)
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, tc.notWant) {
				t.Errorf("message %q: want %q, not %q", msg, tc.want, tc.notWant)
			}
			if !strings.Contains(msg, "2022年5月20日 23:59:59") {
				t.Errorf("message %q does not say when collection closed", msg)
			}
		})
	}
}
