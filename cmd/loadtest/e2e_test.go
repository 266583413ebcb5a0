package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
	"github.com/jskx/contest/internal/ffmpeg"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	webhttp "github.com/jskx/contest/internal/http"
	"github.com/jskx/contest/internal/localfs"
)

// TestLoadtest_ThreeContestantsCompleteThroughTwoReplicas runs the tool against two servers
// over one SQLite database and one local folder, as two replicas behind a load balancer: every
// contestant completes, every stored video is byte-identical, and each consent is recorded
// from the address the tool forwarded for that person.
func TestLoadtest_ThreeContestantsCompleteThroughTwoReplicas(t *testing.T) {
	ffmpegtest.Require(t)
	ctx := context.Background()
	box := dbtest.MustBox(t)
	d := dbtest.MustOpen(t, db.SQLite, box)
	files, err := localfs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	storage := localfs.NewMultipart(files, webhttp.PartURL)
	svc := contest.New(d.Stores(), storage, contest.Options{BcryptCost: bcrypt.MinCost, Uploads: contest.DefaultUploadSettings(),
		Media: ffmpeg.Tools{}, Check: contest.CheckSettings{DurationTolerance: contest.DefaultDurationTolerance, TempDir: t.TempDir()},
		Files: box})
	if _, err := svc.Contests.SeedContest(ctx, contest.DemoContest(time.Now())); err != nil {
		t.Fatal(err)
	}
	_, loopback, _ := net.ParseCIDR("127.0.0.1/32")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var bases []string
	for range 2 {
		srv := httptest.NewServer(webhttp.New(svc, d.Ping, log, webhttp.Options{TrustedProxies: []*net.IPNet{loopback}}))
		t.Cleanup(srv.Close)
		bases = append(bases, "-base", srv.URL)
	}
	settings := db.DefaultJobSettings()
	settings.PollInterval = 50 * time.Millisecond
	jobs, err := d.StartJobs(ctx, settings, db.Work{Check: svc.Media.CheckVideo, Copy: svc.Media.CopyVideo, Export: svc.Reports.RunExport}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jobs.Stop(ctx) })

	out := filepath.Join(t.TempDir(), "summary.json")
	var stdout, stderr bytes.Buffer
	args := append(bases, "-n", "3", "-ramp", "0s", "-forwarded", "-cost", "4", "-sample", "100ms", "-json", out, "-v")
	if err := run(ctx, args, func(string) string { return "" }, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	var s Summary
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Completed != 3 || s.Videos.Identical != 3 || len(s.Failures) != 0 || s.VerdictDelayServer.Count != 3 || s.Baseline == nil {
		t.Fatalf("summary: %s", b)
	}
	for _, want := range []string{"signup", "verify", "sample_my_works", "byte-identical"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the printed summary lacks %q:\n%s", want, stdout.String())
		}
	}

	// Each consent came from its person's forwarded address: the lead's from the contestant's,
	// the other participant's from their own phone's.
	organizer := contest.User{ID: "organizer", Role: contest.RoleOrganizer}
	page, err := svc.Registration.ListSubmissions(ctx, organizer, contest.SubmissionFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	ips := map[string]bool{}
	for _, item := range page.Items {
		sub, err := svc.Registration.Submission(ctx, organizer, item.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Status != contest.StatusSubmitted {
			continue // the sampler's draft
		}
		for _, p := range sub.Participants {
			if p.Consent == nil || !strings.HasPrefix(p.Consent.IP, "10.") && !strings.HasPrefix(p.Consent.IP, "100.") {
				t.Fatalf("work %q, %s: consent %+v, want one from a forwarded address", sub.Registration.Title, p.Name, p.Consent)
			}
			ips[p.Consent.IP] = true
		}
	}
	if len(page.Items) != 4 || len(ips) != 6 {
		t.Fatalf("%d works, %d distinct consent addresses %v; want 4 and 6", len(page.Items), len(ips), ips)
	}
}
