package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// TestJobDefaults_AKilledReplicasCheckIsTakenOverWithin2Minutes checks the production
// defaults' arithmetic: a verdict whose replica died runs again on another replica early enough
// that, with the verdict itself (about a second; 20 s allowed), it is in within 2 minutes.
func TestJobDefaults_AKilledReplicasCheckIsTakenOverWithin2Minutes(t *testing.T) {
	cfg, _, err := loadConfig("serve", nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	j := cfg.Jobs
	if j.Workers != min(runtime.GOMAXPROCS(0), 64) {
		t.Errorf("%d verdict workers by default, want one per usable core (%d)", j.Workers, min(runtime.GOMAXPROCS(0), 64))
	}
	if j.RescueAfter() <= j.CheckTimeout {
		t.Errorf("a verdict is counted lost after %v, within its own timeout %v", j.RescueAfter(), j.CheckTimeout)
	}
	if got := j.Takeover(); got > 100*time.Second {
		t.Errorf("a killed replica's verdict runs again up to %v after it started, want at most 100 s (2 minutes less 20 s for the verdict)", got)
	}
}

// TestWorker_RunsTheJobsAndHousekeepingForAServeWithoutWorkers runs `contest serve` with
// CONTEST_WORKERS=0 and `contest worker` beside it: the worker checks the uploaded video, and
// its housekeeping (every second here) deletes organizer.txt once the password is changed.
func TestWorker_RunsTheJobsAndHousekeepingForAServeWithoutWorkers(t *testing.T) {
	ffmpegtest.Require(t)
	dir := t.TempDir()
	env := map[string]string{"CONTEST_DATA_DIR": dir, "CONTEST_WORKERS": "0", "CONTEST_LOG_LEVEL": "warn"}
	addr, out, stop := startServe(t, env)
	defer stop()
	saved, err := os.ReadFile(filepath.Join(dir, "organizer.txt"))
	if err != nil {
		t.Fatal(err)
	}
	password := strings.TrimSpace(strings.SplitAfter(string(saved), "password: ")[1])
	changePassword(t, "http://"+addr, "admin@contest.local", password, "a-new-organizer-pass")

	c := newAPIClient(t, "http://"+addr)
	c.call("POST", "/api/v1/auth/signup", map[string]string{"email": "worker@example.org", "password": "secret-pass", "name": "张三"}, nil)
	var sub struct{ ID string }
	c.call("POST", "/api/v1/submissions", map[string]any{"registration": map[string]any{"title": "分开运行"}}, &sub)
	video, err := os.ReadFile(ffmpegtest.MustVideo(t, ffmpegtest.Video{Audio: true}))
	if err != nil {
		t.Fatal(err)
	}
	c.upload(sub.ID, "作品.mp4", video)
	if _, err := os.Stat(filepath.Join(dir, "organizer.txt")); err != nil {
		t.Fatalf("serve without workers already did the housekeeping: %v", err)
	}

	workerEnv := map[string]string{"CONTEST_DATA_DIR": dir, "CONTEST_HOUSEKEEPING_INTERVAL": "1s", "CONTEST_LOG_LEVEL": "warn"}
	ctx, cancel := context.WithCancel(context.Background())
	done, wout := make(chan error, 1), &syncBuffer{}
	go func() {
		done <- run(ctx, []string{"worker"}, func(k string) string { return workerEnv[k] }, wout, wout)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	}()
	var got check
	if !waitFor(t, time.Minute, func() bool { got = checkState(c, sub.ID); return got.State != "checking" }) || got.State != "accepted" {
		t.Fatalf("check = %+v; worker output:\n%s\nserve output:\n%s", got, wout, out)
	}
	if !waitFor(t, 30*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(dir, "organizer.txt"))
		return errors.Is(err, os.ErrNotExist)
	}) {
		t.Fatalf("organizer.txt still there; worker output:\n%s", wout)
	}
}
