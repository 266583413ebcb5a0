package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	"github.com/jskx/contest/internal/storagetest"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs `contest serve` in the background and waits for /healthz.
func startServe(t *testing.T, env map[string]string) (addr string, out *syncBuffer, stop func() error) {
	t.Helper()
	addr = freeAddr(t)
	out = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() { done <- run(ctx, []string{"serve", "--addr", addr}, getenv, out, out) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer /healthz: %v\n%s", err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return addr, out, func() error {
		cancel() // what SIGTERM does through signal.NotifyContext
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("serve did not stop")
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return res.StatusCode, b.String()
}

func TestServe_EmbeddedDefaultStartsWithDemoContestAndOrganizer(t *testing.T) {
	dir := t.TempDir()
	addr, out, stop := startServe(t, map[string]string{"CONTEST_DATA_DIR": dir})
	if code, _ := get(t, "http://"+addr+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d", code)
	}
	code, body := get(t, "http://"+addr+"/")
	if code != 200 || !strings.Contains(body, "创新争先、自立自强") || !strings.Contains(body, `class="stage">征集中<`) {
		t.Errorf("home page = %d, demo contest not open:\n%.400s", code, body)
	}
	saved, err := os.ReadFile(filepath.Join(dir, "organizer.txt"))
	if err != nil {
		t.Fatal(err)
	}
	password := strings.TrimSpace(strings.SplitAfter(string(saved), "password: ")[1])
	if !strings.Contains(out.String(), "http://"+addr) || !strings.Contains(out.String(), password) {
		t.Errorf("start-up output lacks the URL or the organizer's password:\n%s", out)
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	for _, f := range []string{"contest.db", "secret.key", "files"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("data folder lacks %s: %v", f, err)
		}
	}
	// The database, its journal, the key and the first password are the owner's alone, even in
	// a folder others may read.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"contest.db", "contest.db-wal", "secret.key", "organizer.txt"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err == nil && st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want -rw-------", f, st.Mode().Perm())
		} else if err != nil && f != "contest.db-wal" {
			t.Errorf("%s: %v", f, err)
		}
	}

	// A second start keeps the data, the key and the organizer, and prints no new password.
	addr2, out2, stop2 := startServe(t, map[string]string{"CONTEST_DATA_DIR": dir})
	if strings.Contains(out2.String(), "password") {
		t.Errorf("second start made another organizer:\n%s", out2)
	}
	if _, err := os.Stat(filepath.Join(dir, "organizer.txt")); err != nil {
		t.Errorf("organizer.txt gone while its password is still the organizer's: %v", err)
	}
	// The organizer chooses a password: the file that held the first one is deleted.
	changePassword(t, "http://"+addr2, "admin@contest.local", password, "a-new-organizer-pass")
	if err := stop2(); err != nil {
		t.Fatal(err)
	}
	_, _, stop3 := startServe(t, map[string]string{"CONTEST_DATA_DIR": dir})
	if _, err := os.Stat(filepath.Join(dir, "organizer.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("organizer.txt still there after the password was changed: %v", err)
	}
	if err := stop3(); err != nil {
		t.Fatal(err)
	}
}

// changePassword signs in at site and changes the account's password through the API.
func changePassword(t *testing.T, site, email, current, next string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path string, body map[string]string, csrf string) *http.Response {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, site+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("X-CSRF-Token", csrf)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	res := post("/api/v1/auth/login", map[string]string{"email": email, "password": current}, "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign-in = %d", res.StatusCode)
	}
	if res = post("/api/v1/me/password", map[string]string{"current_password": current, "new_password": next}, res.Header.Get("X-CSRF-Token")); res.StatusCode != http.StatusNoContent {
		t.Fatalf("change password = %d", res.StatusCode)
	}
}

func TestServe_ProductionOnPostgresAndMinIO(t *testing.T) {
	endpoint, access, secret := storagetest.MinIOConfigFromEnv(t)
	pg := dbtest.MustOpen(t, db.Postgres, dbtest.MustBox(t)) // a fresh database; serve migrates it again (no-op)
	env := map[string]string{
		"CONTEST_DATABASE_URL":   pg.URL(),
		"CONTEST_S3_ENDPOINT":    endpoint,
		"CONTEST_S3_ACCESS_KEY":  access,
		"CONTEST_S3_SECRET_KEY":  secret,
		"CONTEST_S3_BUCKET":      "test-serve-" + strings.ToLower(strings.ReplaceAll(t.Name(), "_", "-"))[:20],
		"CONTEST_SECRET_KEY":     "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"CONTEST_ADMIN_EMAIL":    "org@example.org",
		"CONTEST_ADMIN_PASSWORD": "a-long-password",
		"CONTEST_DATA_DIR":       t.TempDir(),
	}
	addr, out, stop := startServe(t, env)
	if code, body := get(t, "http://"+addr+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d %s\n%s", code, body, out)
	}
	if !strings.Contains(out.String(), "org@example.org") {
		t.Errorf("organizer not created from the environment:\n%s", out)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestConfig_ProductionNeedsASharedSecretKey(t *testing.T) {
	getenv := func(k string) string {
		return map[string]string{"CONTEST_DATABASE_URL": "postgres://x@127.0.0.1/db"}[k]
	}
	err := run(context.Background(), []string{"serve"}, getenv, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "CONTEST_SECRET_KEY") || exitCode(err) != 2 {
		t.Fatalf("err = %v (exit %d)", err, exitCode(err))
	}
}

func TestConfig_UploadSettings(t *testing.T) {
	cfg, _, err := loadConfig("serve", nil, func(k string) string {
		return map[string]string{"CONTEST_UPLOAD_GRACE": "45m", "CONTEST_UPLOAD_PART_BYTES": "16777216"}[k]
	})
	if err != nil || cfg.UploadGrace != 45*time.Minute || cfg.UploadPartBytes != 16<<20 || cfg.UploadAbandon != 24*time.Hour {
		t.Fatalf("grace %v, part %d, abandon %v, err %v; want 45m, 16 MiB, the default 24h", cfg.UploadGrace, cfg.UploadPartBytes, cfg.UploadAbandon, err)
	}
	for key, bad := range map[string]string{
		"CONTEST_UPLOAD_GRACE":         "half an hour",
		"CONTEST_UPLOAD_PART_BYTES":    "1048576", // below S3's 5 MiB minimum
		"CONTEST_UPLOAD_ABANDON_AFTER": "10m",
	} {
		err := run(context.Background(), []string{"serve"}, func(k string) string { return map[string]string{key: bad}[k] },
			&bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), key) || exitCode(err) != 2 {
			t.Errorf("%s=%s: err = %v (exit %d), want a usage error naming it", key, bad, err, exitCode(err))
		}
	}
}

// On the night an operator sizes the password-hash line: how many at once, how long one waits.
func TestConfig_HashPool(t *testing.T) {
	cfg, _, err := loadConfig("serve", nil, func(k string) string {
		return map[string]string{"CONTEST_HASH_WORKERS": "3", "CONTEST_HASH_WAIT": "20s"}[k]
	})
	if err != nil || cfg.HashWorkers != 3 || cfg.HashWait != 20*time.Second {
		t.Fatalf("hash workers %d, wait %v, err %v; want 3, 20s", cfg.HashWorkers, cfg.HashWait, err)
	}
	o, err := serviceOptions(cfg, slog.New(slog.DiscardHandler), contest.Options{})
	if err != nil || o.HashWorkers != 3 || o.HashWait != 20*time.Second {
		t.Fatalf("the services get %d workers and %v, err %v", o.HashWorkers, o.HashWait, err)
	}
	for key, bad := range map[string]string{"CONTEST_HASH_WORKERS": "0", "CONTEST_HASH_WAIT": "forever"} {
		err := run(context.Background(), []string{"serve"}, func(k string) string { return map[string]string{key: bad}[k] },
			&bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), key) || exitCode(err) != 2 {
			t.Errorf("%s=%s: err = %v (exit %d), want a usage error naming it", key, bad, err, exitCode(err))
		}
	}
}

func TestConfig_StringMasksSecrets(t *testing.T) {
	cfg, _, err := loadConfig("serve", nil, func(k string) string {
		return map[string]string{"CONTEST_DATABASE_URL": "postgres://user:pw-123@db/contest", "CONTEST_SECRET_KEY": "c2VjcmV0",
			"CONTEST_S3_ENDPOINT": "minio:9000", "CONTEST_S3_ACCESS_KEY": "ak", "CONTEST_S3_SECRET_KEY": "sk-456"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.String()
	for _, secret := range []string{"pw-123", "c2VjcmV0", "sk-456"} {
		if strings.Contains(s, secret) {
			t.Errorf("config string shows %q: %s", secret, s)
		}
	}
}

func TestSeed_ReplicasStartingTogetherOnAnEmptyDatabase(t *testing.T) {
	pg := dbtest.MustOpen(t, db.Postgres, dbtest.MustBox(t))
	env := map[string]string{
		"CONTEST_DATABASE_URL": pg.URL(), "CONTEST_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"CONTEST_ADMIN_EMAIL": "org@example.org", "CONTEST_ADMIN_PASSWORD": "a-long-password", "CONTEST_DATA_DIR": t.TempDir(),
	}
	cfg, _, err := loadConfig("serve", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	const replicas = 4
	errs := make(chan error, replicas)
	for range replicas {
		go func() {
			a, err := openApp(context.Background(), cfg, newLogger(cfg, &bytes.Buffer{}), contest.Options{})
			if err == nil {
				defer a.close()
				err = a.seed(context.Background(), &bytes.Buffer{})
			}
			errs <- err
		}()
	}
	for range replicas {
		if err := <-errs; err != nil {
			t.Errorf("replica: %v", err)
		}
	}
	rows, err := pg.Stores().CountContests(context.Background())
	if err != nil || rows != 1 {
		t.Fatalf("contests after %d replicas started = %d (%v), want 1", replicas, rows, err)
	}
}

func TestOrganizer_CommandNeedsTheSecretKeyWithPostgres(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"organizer", "-email", "o@example.org", "-database-url", "postgres://x@127.0.0.1:1/db"},
		func(string) string { return "" }, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "CONTEST_SECRET_KEY") || strings.Contains(out.String(), "password") {
		t.Fatalf("err = %v, output %q", err, out.String())
	}
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" { // a killable server for TestJobs_AnotherReplicaTakesOverTheCheckOfAKilledOne
		main()
		os.Exit(0)
	}
	code := m.Run()
	ffmpegtest.Cleanup() // generated video fixtures
	os.Exit(code)
}

func TestServe_SaysClearlyWhenFFmpegIsMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no ffprobe, no ffmpeg
	_, out, stop := startServe(t, map[string]string{"CONTEST_DATA_DIR": t.TempDir()})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"未找到 ffprobe", "未找到 ffmpeg", "apt-get install ffmpeg"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start-up output lacks %q:\n%s", want, out)
		}
	}
}

// A replica that runs no jobs (CONTEST_WORKERS=0) still deletes the organizer.txt it wrote once
// that password is changed: the file is on its machine, whoever leads the housekeeping.
func TestServe_WithoutWorkersForgetsTheFirstPassword(t *testing.T) {
	dir := t.TempDir()
	addr, _, stop := startServe(t, map[string]string{"CONTEST_DATA_DIR": dir, "CONTEST_WORKERS": "0", "CONTEST_HOUSEKEEPING_INTERVAL": "1s"})
	defer stop()
	saved, err := os.ReadFile(filepath.Join(dir, "organizer.txt"))
	if err != nil {
		t.Fatal(err)
	}
	password := strings.TrimSpace(strings.SplitAfter(string(saved), "password: ")[1])
	changePassword(t, "http://"+addr, "admin@contest.local", password, "a-new-organizer-pass")
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "organizer.txt")); errors.Is(err, os.ErrNotExist) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("organizer.txt still there 15 s after the password was changed")
		}
	}
}

// E-mail: the SMTP settings, the password from a file (a Docker secret), and a bad setting
// refused at start-up rather than at the first mail.
func TestConfig_SMTP(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "smtp_password")
	if err := os.WriteFile(pw, []byte("授权码-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"CONTEST_SMTP_HOST": "smtp.example.org", "CONTEST_SMTP_PORT": "465", "CONTEST_SMTP_TLS": "tls",
		"CONTEST_SMTP_USER": "noreply@example.org", "CONTEST_SMTP_PASSWORD_FILE": pw,
		"CONTEST_SMTP_FROM": "大赛组委会 <noreply@example.org>", "CONTEST_SMTP_TIMEOUT": "10s", "CONTEST_MAIL_WORKERS": "8"}
	cfg, _, err := loadConfig("serve", nil, func(k string) string { return base[k] })
	if err != nil || cfg.SMTPHost != "smtp.example.org" || cfg.SMTPPort != 465 || cfg.SMTPTLS != "tls" ||
		cfg.SMTPUser != "noreply@example.org" || cfg.SMTPPassword != "授权码-123" || cfg.SMTPFrom != "大赛组委会 <noreply@example.org>" ||
		cfg.smtpSettings().Timeout != 10*time.Second || cfg.Jobs.MailWorkers != 8 {
		t.Fatalf("cfg = %+v, err %v", cfg, err)
	}
	// An attempt outlives the client's two timeouts (connection, then the commands): one
	// killed mid-send is counted lost only after that.
	if cfg.Jobs.MailTimeout <= 2*cfg.smtpSettings().Timeout {
		t.Errorf("an e-mail job times out after %v, within its SMTP client's %v twice", cfg.Jobs.MailTimeout, cfg.smtpSettings().Timeout)
	}
	if strings.Contains(cfg.String(), "授权码-123") {
		t.Errorf("config string shows the SMTP password: %s", cfg.String())
	}
	for key, bad := range map[string]string{"CONTEST_SMTP_TLS": "ssl3", "CONTEST_SMTP_PORT": "smtp", "CONTEST_SMTP_FROM": "",
		"CONTEST_SMTP_TIMEOUT": "0s", "CONTEST_MAIL_WORKERS": "0"} {
		env := maps.Clone(base)
		env[key] = bad
		err := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !(strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "CONTEST_SMTP_*")) || exitCode(err) != 2 {
			t.Errorf("%s=%q: err = %v (exit %d), want a usage error naming it", key, bad, err, exitCode(err))
		}
	}
}
