package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	"github.com/jskx/contest/internal/storagetest"
)

// childEnv marks a re-run of this test binary as the contest program itself (see TestMain), so
// a test can kill a real server process.
const childEnv = "CONTEST_TEST_RUN_AS_MAIN"

// TestJobs_AnotherReplicaTakesOverTheCheckOfAKilledOne runs two replicas on one database and
// kills the one whose ffprobe is checking a video with SIGKILL: the other replica takes the
// check over and records the verdict within 2 minutes of the kill.
func TestJobs_AnotherReplicaTakesOverTheCheckOfAKilledOne(t *testing.T) {
	ffmpegtest.Require(t)
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	t.Run("sqlite+localfs", func(t *testing.T) {
		killOneReplica(t, map[string]string{"CONTEST_DATA_DIR": t.TempDir()}) // one folder, as on one machine
	})
	t.Run("postgres+minio", func(t *testing.T) {
		endpoint, access, secret := storagetest.MinIOConfigFromEnv(t)
		pg := dbtest.MustOpen(t, db.Postgres, dbtest.MustBox(t))
		// Production seeds the notice's dates; this contest is open now.
		if _, err := contest.New(pg.Stores(), nil, contest.Options{}).Contests.SeedContest(context.Background(), contest.DemoContest(time.Now())); err != nil {
			t.Fatal(err)
		}
		killOneReplica(t, map[string]string{
			"CONTEST_DATA_DIR": t.TempDir(), "CONTEST_DATABASE_URL": pg.URL(),
			"CONTEST_S3_ENDPOINT": endpoint, "CONTEST_S3_ACCESS_KEY": access, "CONTEST_S3_SECRET_KEY": secret,
			"CONTEST_S3_BUCKET":  fmt.Sprintf("test-kill-%d", time.Now().UnixNano()),
			"CONTEST_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		})
	})
}

func killOneReplica(t *testing.T, env map[string]string) {
	// A shorter verdict timeout than production's keeps the test short; River's rescuer still
	// looks only every 30 s, as in production (TestJobDefaults_AKilledReplicasCheckIsTakenOverWithin2Minutes).
	env["CONTEST_CHECK_TIMEOUT"] = "3s"
	env["CONTEST_JOB_RETRY_BASE"] = "200ms"
	env["CONTEST_LOG_LEVEL"] = "warn"

	// ffprobe that says it started, then hangs: the job is caught mid-run.
	realProbe, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Fatal(err)
	}
	slow, marker := t.TempDir(), filepath.Join(t.TempDir(), "ffprobe-started")
	script := fmt.Sprintf("#!/bin/sh\ntouch %q\nsleep 600\nexec %q \"$@\"\n", marker, realProbe)
	if err := os.WriteFile(filepath.Join(slow, "ffprobe"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	addr := freeAddr(t)
	first := startProcess(t, addr, env, slow+string(os.PathListSeparator)+os.Getenv("PATH"))
	c := newAPIClient(t, "http://"+addr)
	c.call("POST", "/api/v1/auth/signup", map[string]string{"email": "kill@example.org", "password": "secret-pass", "name": "张三"}, nil)
	var sub struct{ ID string }
	c.call("POST", "/api/v1/submissions", map[string]any{"registration": map[string]any{"title": "断电之后"}}, &sub)
	video, err := os.ReadFile(ffmpegtest.MustVideo(t, ffmpegtest.Video{Audio: true}))
	if err != nil {
		t.Fatal(err)
	}
	c.upload(sub.ID, "作品.mp4", video)

	started := waitFor(t, 20*time.Second, func() bool { _, err := os.Stat(marker); return err == nil })
	if !started {
		t.Fatalf("the check never started ffprobe; server output:\n%s", first.out)
	}
	// The second replica runs beside the first, with a working ffprobe.
	addr2 := freeAddr(t)
	second := startProcess(t, addr2, env, os.Getenv("PATH"))
	defer second.kill()
	if got := checkState(c, sub.ID); got.State != "checking" {
		t.Fatalf("mid-check the check is %+v, want checking", got)
	}
	first.kill()
	killed := time.Now()

	c.base = "http://" + addr2 // the load balancer sends the contestant to the live replica
	var got check
	if !waitFor(t, 2*time.Minute, func() bool { got = checkState(c, sub.ID); return got.State != "checking" }) {
		t.Fatalf("2 minutes after the kill the check is still %+v; second replica's output:\n%s", got, second.out)
	}
	if got.State != "accepted" || got.Attempts != 2 {
		t.Fatalf("check after the kill = %+v, want accepted on the second attempt", got)
	}
	t.Logf("verdict %.1f s after the kill", time.Since(killed).Seconds())
}

type check struct {
	State    string
	Attempts int
}

func checkState(c *apiClient, id string) check {
	var s struct{ Video struct{ Check check } }
	c.call("GET", "/api/v1/submissions/"+id, nil, &s)
	return s.Video.Check
}

func waitFor(t *testing.T, d time.Duration, ok func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ok() {
			return true
		}
	}
	return false
}

// process is the contest program running as a child process, in its own process group.
type process struct {
	cmd *exec.Cmd
	out *syncBuffer
}

func startProcess(t *testing.T, addr string, env map[string]string, path string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--addr", addr)
	cmd.Env = []string{childEnv + "=1", "PATH=" + path, "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &process{cmd: cmd, out: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	if !waitFor(t, 30*time.Second, func() bool {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
		}
		return err == nil
	}) {
		t.Fatalf("server did not start:\n%s", p.out)
	}
	return p
}

// kill sends SIGKILL to the server and everything it started (the hanging ffprobe), as a
// power cut or the OOM killer would.
func (p *process) kill() {
	if p.cmd.Process == nil || p.cmd.ProcessState != nil {
		return
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	p.cmd.Wait()
}

// apiClient speaks the JSON API with a session cookie and the CSRF token.
type apiClient struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newAPIClient(t *testing.T, base string) *apiClient {
	jar, _ := cookiejar.New(nil)
	c := &apiClient{t: t, base: base, http: &http.Client{Jar: jar}}
	c.call("GET", "/api/v1/contest", nil, nil)
	return c
}

func (c *apiClient) call(method, path string, in, out any) {
	c.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	if tok := res.Header.Get("X-CSRF-Token"); tok != "" {
		c.csrf = tok
	}
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		c.t.Fatalf("%s %s = %d: %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// upload sends a video of one part, as the page's uploader does.
func (c *apiClient) upload(subID, name string, b []byte) {
	c.t.Helper()
	var u struct {
		ID        string
		PartCount int `json:"part_count"`
	}
	c.call("POST", "/api/v1/submissions/"+subID+"/video/uploads",
		map[string]any{"name": name, "size": len(b), "type": "video/mp4", "last_modified": 1652580000000}, &u)
	if u.PartCount != 1 {
		c.t.Fatalf("upload plan has %d parts, want 1", u.PartCount)
	}
	sum := sha256.Sum256(b)
	sumB64 := base64.StdEncoding.EncodeToString(sum[:])
	var targets struct {
		Parts []struct {
			Method, URL string
			Headers     map[string]string
		}
	}
	c.call("POST", "/api/v1/uploads/"+u.ID+"/parts", map[string]any{"parts": []map[string]any{{"n": 1, "sha256": sumB64}}}, &targets)
	p := targets.Parts[0]
	url, own := p.URL, strings.HasPrefix(p.URL, "/") // the local folder's own part route
	if own {
		url = c.base + url
	}
	req, err := http.NewRequest(p.Method, url, bytes.NewReader(b))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range p.Headers {
		req.Header.Set(k, v)
	}
	if own {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("part = %d", res.StatusCode)
	}
	composite := sha256.Sum256(sum[:])
	c.call("POST", "/api/v1/uploads/"+u.ID+"/complete",
		map[string]string{"checksum": base64.StdEncoding.EncodeToString(composite[:]) + "-1"}, nil)
}
