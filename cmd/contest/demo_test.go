package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// startDemo runs `contest demo` on dir in the background and waits for /healthz: the first
// start seeds the demo (videos generated and checked) before it listens for requests.
func startDemo(t *testing.T, dir string, env map[string]string) (site string, out *syncBuffer, stop func() error) {
	t.Helper()
	addr := freeAddr(t)
	out = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "-addr", addr, "-data-dir", dir}, func(k string) string { return env[k] }, out, out)
	}()
	stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("demo did not stop")
		}
	}
	for deadline := time.Now().Add(4 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			return "http://" + addr, out, stop
		}
		select {
		case err := <-done:
			t.Fatalf("demo ended early: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("demo did not answer /healthz in 4 minutes:\n%s", out)
		}
	}
}

// demoUser is a browser-like client of the demo, signed in.
type demoUser struct {
	t    *testing.T
	site string
	http *http.Client
	csrf string
}

// signIn signs the account in through the API.
func signIn(t *testing.T, site, email, password string) *demoUser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &demoUser{t: t, site: site, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	res := u.do("POST", "/api/v1/auth/login", "application/json", fmt.Sprintf(`{"email":%q,"password":%q}`, email, password))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s signs in: %d", email, res.StatusCode)
	}
	return u
}

func (u *demoUser) do(method, path, contentType, body string) *http.Response {
	u.t.Helper()
	req, _ := http.NewRequest(method, u.site+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-CSRF-Token", u.csrf)
	res, err := u.http.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	if tok := res.Header.Get("X-CSRF-Token"); tok != "" {
		u.csrf = tok
	}
	return res
}

// get returns the status and body of a GET.
func (u *demoUser) get(path string) (int, string, http.Header) {
	u.t.Helper()
	res := u.do("GET", path, "", "")
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// getJSON decodes the answer of a GET that must be 200.
func (u *demoUser) getJSON(path string, v any) {
	u.t.Helper()
	code, body, _ := u.get(path)
	if code != http.StatusOK {
		u.t.Fatalf("GET %s = %d %s", path, code, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		u.t.Fatalf("GET %s: %v", path, err)
	}
}

// jump presses a button of the demo clock on the settings page.
func (u *demoUser) jump(step string) {
	u.t.Helper()
	res := u.do("POST", "/admin/demo/clock", "application/x-www-form-urlencoded", url.Values{"step": {step}}.Encode())
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		u.t.Fatalf("jump to %s = %d", step, res.StatusCode)
	}
}

// demoPasswords reads the passwords the demo printed and saved: the organizer's, and the one
// the judges and contestants share.
func demoPasswords(t *testing.T, dir string) (organizer, others string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "demo-accounts.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`admin@demo\.local +密码 password: (\S+)\n.*judge1@demo\.local +密码 password: (\S+)`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("accounts file:\n%s", b)
	}
	return m[1], m[2]
}

// The path a newcomer takes: `contest demo`, sign in as the printed organizer, see a complete
// contest (works, one video rejected, judges assigned), move the clock through 评审, 公示 and its
// end, publish, and download a winner's certificate.
func TestDemo_NewcomerReachesPublishedResultsAndACertificate(t *testing.T) {
	ffmpegtest.Require(t)
	dir := t.TempDir()
	// The service's own settings in the environment are not the demo's: it keeps to its folder.
	site, out, stop := startDemo(t, dir, map[string]string{"CONTEST_ADMIN_EMAIL": "boss@example.org", "CONTEST_ADMIN_PASSWORD": "production-pass"})
	defer stop()
	orgPassword, password := demoPasswords(t, dir)
	if !strings.Contains(out.String(), orgPassword) || !strings.Contains(out.String(), site+"/login") {
		t.Errorf("start-up output lacks the organizer's password or the address:\n%s", out)
	}

	// Every page says 演示, and the collection is open.
	anon := anonymous(t, site)
	if code, body, _ := anon.get("/"); code != 200 || !strings.Contains(body, "演示模式，时间可调，数据仅供体验") || !strings.Contains(body, `class="stage">征集中<`) {
		t.Fatalf("home page = %d without the demo banner or the open collection:\n%.600s", code, body)
	}
	org := signIn(t, site, "admin@demo.local", orgPassword)
	if res := org.do("POST", "/api/v1/auth/login", "application/json", `{"email":"boss@example.org","password":"production-pass"}`); res.StatusCode == http.StatusOK {
		t.Error("the demo created the organizer of CONTEST_ADMIN_EMAIL")
	}

	// The seeded contest: 8 works, 7 submitted and passed, the 640x360 one rejected and a draft.
	var list struct {
		Items []struct {
			Status        string
			ConsentsGiven int `json:"consents_given"`
			Participants  []struct{ Name string }
			Registration  struct{ Title string }
			Video         *struct{ Check struct{ State string } }
			FormalReview  *struct{ Decision string } `json:"formal_review"`
		}
	}
	org.getJSON("/api/v1/admin/submissions?limit=100", &list)
	states := map[string]int{}
	for _, w := range list.Items {
		state := w.Status + "/" + w.Video.Check.State
		if w.FormalReview != nil {
			state += "/" + w.FormalReview.Decision
		}
		states[state]++
		if w.ConsentsGiven != len(w.Participants) {
			t.Errorf("《%s》: %d of %d 授权书", w.Registration.Title, w.ConsentsGiven, len(w.Participants))
		}
	}
	if want := map[string]int{"submitted/accepted/passed": 7, "draft/rejected": 1}; fmt.Sprint(states) != fmt.Sprint(want) {
		t.Fatalf("seeded works by status/check/formal review = %v, want %v", states, want)
	}
	var ranking struct {
		Items []struct {
			Title    string
			Raw      float64
			Reviews  int
			Assigned int
			Label    string `json:"proposed_label"`
		}
	}
	org.getJSON("/api/v1/admin/ranking", &ranking)
	for _, r := range ranking.Items {
		if r.Assigned != 3 || r.Reviews != 0 {
			t.Errorf("before the review《%s》: %d judges assigned, %d reviews; want 3, 0", r.Title, r.Assigned, r.Reviews)
		}
	}
	if code, body, _ := org.get("/admin/contest"); code != 200 || !strings.Contains(body, "跳到评审期") || !strings.Contains(body, "跳到公示期满") {
		t.Fatalf("settings page = %d without the demo clock:\n%.800s", code, body)
	}

	// 评审: the judges have scored every work.
	org.jump("review")
	org.getJSON("/api/v1/admin/ranking", &ranking)
	if len(ranking.Items) != 7 || ranking.Items[0].Title != "稻田里的科研日记" || ranking.Items[0].Reviews != 3 || ranking.Items[6].Reviews != 3 {
		t.Fatalf("ranking after the jump to the review: %+v", ranking.Items)
	}
	if _, body, _ := anon.get("/"); !strings.Contains(body, "评审中") {
		t.Errorf("the banner does not say 评审中 after the jump:\n%.600s", body)
	}
	if res := org.do("POST", "/admin/demo/clock", "application/x-www-form-urlencoded", "step=review"); res.StatusCode != http.StatusConflict {
		t.Errorf("jumping back to the review = %d, want 409", res.StatusCode)
	}

	// 公示 and its end, in one jump from the review: judging closed, awards confirmed, 公示 run.
	org.jump("ready")
	var pub struct{ Publication struct{ Stage string } }
	org.getJSON("/api/v1/admin/publication", &pub)
	if pub.Publication.Stage != "ready" {
		t.Fatalf("stage after the jump past the 公示 = %q, want ready", pub.Publication.Stage)
	}
	if res := org.do("POST", "/api/v1/admin/publication/publish", "", ""); res.StatusCode != http.StatusOK {
		t.Fatalf("publish = %d", res.StatusCode)
	}
	if code, body, _ := anon.get("/results"); code != 200 || !strings.Contains(body, "稻田里的科研日记") || !strings.Contains(body, "一等奖") {
		t.Errorf("public results = %d:\n%.800s", code, body)
	}

	// The winner downloads the certificate.
	winner := signIn(t, site, "user1@demo.local", password)
	_, my, _ := winner.get("/my")
	link := regexp.MustCompile(`href="(/certificates/[^"]+)"`).FindStringSubmatch(my)
	if link == nil {
		t.Fatalf("the winner's page has no certificate link:\n%s", my)
	}
	code, pdf, h := winner.get(link[1])
	if code != 200 || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("certificate = %d %s, %d bytes", code, h.Get("Content-Type"), len(pdf))
	}

	// The jumps are in the audit log, by the organizer.
	_, audit, _ := org.get("/admin/audit")
	if n := strings.Count(audit, "调整演示时间"); n != 3 {
		t.Errorf("audit log has %d demo clock entries, want 3 (review, 公示, its end)", n)
	}

	// A restart keeps the demo where it was and seeds nothing again.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	site2, out2, stop2 := startDemo(t, dir, nil)
	defer stop2()
	if strings.Contains(out2.String(), "正在生成演示数据") || !strings.Contains(out2.String(), orgPassword) {
		t.Errorf("second start seeded again or did not print the accounts:\n%s", out2)
	}
	if _, body, _ := anonymous(t, site2).get("/"); !strings.Contains(body, "结果已发布") {
		t.Errorf("after a restart the banner does not say 结果已发布:\n%.600s", body)
	}
}

// anonymous is a visitor who has not signed in.
func anonymous(t *testing.T, site string) *demoUser {
	return &demoUser{t: t, site: site, http: http.DefaultClient}
}

// The demo never runs on the production backends or in a folder of real data.
func TestDemo_RefusesProductionStorageAndData(t *testing.T) {
	for key, v := range map[string]string{"CONTEST_DATABASE_URL": "postgres://x@127.0.0.1/db", "CONTEST_S3_ENDPOINT": "minio:9000"} {
		var out bytes.Buffer
		err := run(context.Background(), []string{"demo", "-data-dir", t.TempDir()}, func(k string) string { return map[string]string{key: v}[k] }, &out, &out)
		if err == nil || !strings.Contains(err.Error(), key) || exitCode(err) != 2 {
			t.Errorf("%s set: err = %v (exit %d), want a usage error naming it", key, err, exitCode(err))
		}
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"demo", "-database-url", "postgres://x@127.0.0.1/db"}, func(string) string { return "" }, &out, &out)
	if err == nil || exitCode(err) != 2 {
		t.Errorf("-database-url: err = %v, want a usage error", err)
	}
	// A folder `contest serve` made is not the demo's.
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "contest.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"demo", "-data-dir", data}, func(string) string { return "" }, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "演示") || exitCode(err) != 2 {
		t.Errorf("a folder of real data: err = %v, want a usage error", err)
	}
}

// `contest serve` has no demo clock: the route is absent and no page says 演示.
func TestServe_HasNoDemoClock(t *testing.T) {
	dir := t.TempDir()
	addr, _, stop := startServe(t, map[string]string{"CONTEST_DATA_DIR": dir})
	defer stop()
	saved, err := os.ReadFile(filepath.Join(dir, "organizer.txt"))
	if err != nil {
		t.Fatal(err)
	}
	password := strings.TrimSpace(strings.SplitAfter(string(saved), "password: ")[1])
	org := signIn(t, "http://"+addr, "admin@contest.local", password)
	if res := org.do("POST", "/admin/demo/clock", "application/x-www-form-urlencoded", "step=review"); res.StatusCode != http.StatusNotFound {
		t.Errorf("POST /admin/demo/clock on serve = %d, want 404", res.StatusCode)
	}
	for _, page := range []string{"/", "/admin/contest"} {
		if _, body, _ := org.get(page); strings.Contains(body, "演示模式") || strings.Contains(body, "跳到评审期") {
			t.Errorf("%s on serve shows the demo:\n%.600s", page, body)
		}
	}
}

// The demo reads none of the service's secrets, mail, SMS or metrics settings, so that a demo
// started on a production machine cannot send real mail or paid SMS.
func TestDemoEnv_LeavesOutProductionSettings(t *testing.T) {
	prod := map[string]string{"CONTEST_SECRET_KEY": "k", "CONTEST_SECRET_KEY_FILE": "/run/k", "CONTEST_ADMIN_EMAIL": "a@b",
		"CONTEST_SMTP_HOST": "smtp.example.org", "CONTEST_SMS_PROVIDER": "tencent", "CONTEST_SMS_SECRET_KEY_FILE": "/run/s",
		"CONTEST_METRICS_ADDR": ":9100", "CONTEST_ADDR": ":9090"}
	env := demoEnv(func(k string) string { return prod[k] })
	for k := range prod {
		if got := env(k); k != "CONTEST_ADDR" && got != "" {
			t.Errorf("the demo reads %s = %q", k, got)
		}
	}
	if env("CONTEST_ADDR") != ":9090" {
		t.Error("the demo does not read its listen address")
	}
}
