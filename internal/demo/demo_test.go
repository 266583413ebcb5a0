package demo

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// The clock keeps its offset across restarts and never moves back.
func TestClock_KeepsItsOffsetAndNeverGoesBack(t *testing.T) {
	dir := t.TempDir()
	wall := time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC)
	c, err := OpenClock(dir)
	if err != nil {
		t.Fatal(err)
	}
	c.real = func() time.Time { return wall }
	if !c.Now().Equal(wall) {
		t.Fatalf("a new clock says %v, want the wall time", c.Now())
	}
	ahead := wall.Add(3*24*time.Hour + 7*time.Hour)
	if err := c.set(ahead); err != nil {
		t.Fatal(err)
	}
	if err := c.set(wall.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !c.Now().Equal(ahead) {
		t.Fatalf("after moving back the clock says %v, want it to stay at %v", c.Now(), ahead)
	}
	again, err := OpenClock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.Offset() != ahead.Sub(wall) {
		t.Fatalf("reopened offset %v, want %v", again.Offset(), ahead.Sub(wall))
	}
	if err := os.WriteFile(filepath.Join(dir, clockFile), []byte("offset: soon\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenClock(dir); err == nil {
		t.Error("a damaged clock file was read without an error")
	}
}

// The jumps land on the mornings of the review, of the day after it and of the day after the
// 公示, which runs the contest's number of days from the day after it starts.
func TestSteps_FollowTheContestWindows(t *testing.T) {
	bj := contest.Beijing
	seeded := time.Date(2026, 5, 1, 15, 30, 0, 0, bj)
	c := Contest(seeded)
	day := func(d int) time.Time { return time.Date(2026, 5, d, 9, 0, 0, 0, bj) }
	steps := Steps(c, seeded)
	want := []time.Time{day(4), day(6), day(10)}
	for i, s := range steps {
		if !s.At.Equal(want[i]) || s.Done {
			t.Errorf("step %s at %v (done %v), want %v, not done", s.Key, s.At.In(bj), s.Done, want[i])
		}
	}
	if got := Stage(c, seeded); got != "征集中" {
		t.Errorf("stage at seeding = %q", got)
	}
	if got := Stage(c, day(4)); got != "评审中" {
		t.Errorf("stage at the review = %q", got)
	}
	if s := Steps(c, day(4)); !s[0].Done || s[1].Done {
		t.Errorf("at the review's morning: %+v", s)
	}
}
