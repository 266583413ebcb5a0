package http_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
)

func TestAccess_RolesAndOwnershipOnEveryEndpoint(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		owner := e.Client().SignUp("owner@example.org")
		s := owner.Create(nil)
		anon := e.Client()
		other := e.Client().SignUp("other@example.org")
		org := e.Organizer()
		sub := "/api/v1/submissions/" + s.ID
		consent := sub + "/participants/" + s.Participants[0].ID + "/consent"
		body := map[string]any{"name": "张三", "id_number": idZhang, "agreed": true}

		for _, tc := range []struct {
			who          string
			c            *client
			method, path string
			body         any
			want         int
		}{
			{"anonymous", anon, "GET", "/api/v1/me", nil, 401},
			{"anonymous", anon, "GET", "/api/v1/submissions", nil, 401},
			{"anonymous", anon, "POST", "/api/v1/submissions", validInput(), 401},
			{"anonymous", anon, "GET", sub, nil, 401},
			{"anonymous", anon, "GET", "/api/v1/admin/submissions", nil, 401},
			{"another contestant", other, "GET", sub, nil, 404},
			{"another contestant", other, "PUT", sub, validInput(), 404},
			{"another contestant", other, "DELETE", sub, nil, 404},
			{"another contestant", other, "POST", sub + "/finalize", nil, 404},
			{"another contestant", other, "POST", consent, body, 404},
			{"another contestant", other, "GET", sub + "/scan", nil, 404},
			{"contestant", owner, "GET", "/api/v1/admin/submissions", nil, 403},
			{"contestant", owner, "PUT", "/api/v1/admin/contest", map[string]any{}, 403},
			{"organizer", org, "PUT", sub, validInput(), 404},
			{"organizer", org, "POST", "/api/v1/submissions", validInput(), 403},
			{"organizer", org, "GET", "/api/v1/admin/submissions", nil, 200},
		} {
			if r := tc.c.Do(tc.method, tc.path, tc.body); r.Status != tc.want {
				t.Errorf("%s: %s %s = %d, want %d: %s", tc.who, tc.method, tc.path, r.Status, tc.want, r.Body)
			}
		}
		var others struct{ Items []submission }
		other.Must(http.StatusOK, "GET", "/api/v1/submissions", nil).JSON(t, &others)
		if len(others.Items) != 0 {
			t.Errorf("another contestant's list shows %d submissions", len(others.Items))
		}
		// The organizer reads the work with masked numbers and no consent links.
		r := org.Must(http.StatusOK, "GET", sub, nil)
		for _, secret := range []string{idZhang, idLi, "13800138000", "/consent/"} {
			if strings.Contains(string(r.Body), secret) {
				t.Errorf("organizer's view contains %q", secret)
			}
		}
	})
}

func TestCSRF_FormPostWithoutTokenIsRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		c.csrf = "forged"
		if r := c.Do("POST", "/api/v1/submissions", validInput()); r.Status != http.StatusForbidden {
			t.Fatalf("POST with a forged CSRF token = %d, want 403", r.Status)
		}
	})
}

func TestAuth_SignInSignOutAndWrongPassword(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		c.Must(http.StatusOK, "GET", "/api/v1/me", nil)
		c.Must(http.StatusNoContent, "POST", "/api/v1/auth/logout", nil)
		c.Must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		if r := c.Do("POST", "/api/v1/auth/login", map[string]string{"email": "zhang@example.org", "password": "wrong-pass"}); r.ErrorCode() != "unauthorized" {
			t.Errorf("wrong password: %d %s", r.Status, r.Body)
		}
		if r := c.Do("POST", "/api/v1/auth/login", map[string]string{"email": "nobody@example.org", "password": "wrong-pass"}); r.ErrorCode() != "unauthorized" {
			t.Errorf("unknown email: %d %s", r.Status, r.Body)
		}
		c.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": "ZHANG@example.org", "password": "secret-pass"})
		if r := e.Client().Do("POST", "/api/v1/auth/signup", map[string]string{"email": "zhang@example.org", "password": "other-pass", "name": "张三"}); r.FieldCodes()["email"] != "email_taken" {
			t.Errorf("second sign-up with the same email and another password: %d %s", r.Status, r.Body)
		}
		if r := e.Client().Do("POST", "/api/v1/auth/signup", map[string]string{"email": "a@example.org", "password": "short", "name": "甲"}); r.FieldCodes()["password"] != "password_short" {
			t.Errorf("short password: %d %s", r.Status, r.Body)
		}
	})
}

func TestScan_UploadReplaceAndDownload(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		upload := func(name string, data []byte) response { return c.PutScan(s.ID, name, data) }
		pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("签字版授权书"), 1000)...)
		if r := upload("../../授权书.pdf", pdf); r.Status != http.StatusOK {
			t.Fatalf("upload = %d %s", r.Status, r.Body)
		}
		r := c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID+"/scan", nil)
		if !bytes.Equal(r.Body, pdf) {
			t.Fatal("downloaded scan differs from the upload")
		}
		// At rest the scan (it shows ID numbers) is sealed: the stored object is unreadable.
		stored, err := e.Stores.SubmissionByID(context.Background(), s.ID)
		if err != nil || stored.Scan == nil {
			t.Fatalf("stored scan: %v", err)
		}
		obj, err := e.Storage.Get(context.Background(), stored.Scan.Key)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(obj)
		obj.Close()
		if bytes.Contains(raw, []byte("%PDF")) || bytes.Contains(raw, []byte("签字版授权书")) || len(raw) <= len(pdf) {
			t.Errorf("the stored scan is in clear (%d bytes)", len(raw))
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "%E6%8E%88%E6%9D%83%E4%B9%A6.pdf") || strings.Contains(cd, "..") {
			t.Errorf("Content-Disposition = %q", cd)
		}
		// The scan shows ID numbers, the owner's view of the work carries them in full: no cache
		// (a shared computer's browser, a proxy) may keep either.
		for _, path := range []string{"/api/v1/submissions/" + s.ID + "/scan", "/submissions/" + s.ID + "/scan", "/api/v1/submissions/" + s.ID} {
			if cc := c.Must(http.StatusOK, "GET", path, nil).Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("GET %s: Cache-Control %q, want no-store", path, cc)
			}
		}
		if r := upload("virus.pdf", []byte("MZ\x90\x00 not a pdf at all")); r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["scan"] != "scan_type" {
			t.Errorf("non-PDF upload = %d %s", r.Status, r.Body)
		}
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
		if r := upload("scan.png", png); r.Status != http.StatusOK {
			t.Fatalf("replace = %d %s", r.Status, r.Body)
		}
		if r := c.Must(http.StatusOK, "GET", "/api/v1/submissions/"+s.ID+"/scan", nil); !bytes.Equal(r.Body, png) {
			t.Fatal("replaced scan not served")
		}
	})
}

func TestLogs_NeverContainPersonalNumbers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		c.ConsentAll(s)
		c.Do("POST", "/api/v1/submissions", map[string]any{"registration": map[string]any{"title": "x", "contact_id_number": "110105194912310021", "mobile": "13912345678"}})
		e.Organizer().Do("GET", "/api/v1/admin/submissions?id_number="+idLi+"&mobile=13800138000", nil)
		log := e.Log.String()
		if !strings.Contains(log, "route=/api/v1/submissions") {
			t.Fatalf("the request log is empty; the test would prove nothing: %q", log)
		}
		for _, secret := range []string{idZhang, idLi, "110105194912310021", "13800138000", "13912345678"} {
			if strings.Contains(log, secret) {
				t.Errorf("log contains %s", secret)
			}
		}
	})
}

func TestAuth_SignInIsRateLimited(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	e.Client().SignUp("other@example.org")
	c := e.Client()
	limited := false
	for i := 0; i < 40 && !limited; i++ {
		r := c.Do("POST", "/api/v1/auth/login", map[string]string{"email": "organizer@example.org", "password": "guess"})
		limited = r.Status == http.StatusTooManyRequests && r.ErrorCode() == "too_many_requests"
	}
	if !limited {
		t.Fatal("40 wrong passwords in a row were all answered")
	}
	// The guessing slowed that account only: another one signs in from the same address.
	c.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": "other@example.org", "password": "secret-pass"})
}

// TestAuth_ACampusBehindOneAddressSignsIn: at the deadline a university's contestants sign up
// and in from one NAT address; many different accounts are not throttled like one guesser, and
// their sign-ups do not use up their sign-ins.
func TestAuth_ACampusBehindOneAddressSignsIn(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	for i := range 100 {
		email := fmt.Sprintf("student%d@example.edu.cn", i)
		e.Client().SignUp(email)
		e.Client().Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "secret-pass"})
	}
}

// TestAuth_ForwardedForIsBelievedOnlyFromTrustedProxies: a client cannot escape the address
// limit by sending a different X-Forwarded-For each time, unless the peer is a trusted proxy.
func TestAuth_ForwardedForIsBelievedOnlyFromTrustedProxies(t *testing.T) {
	rotate := func(e *env) (refused int) {
		for i := range 150 {
			req, _ := http.NewRequest("POST", e.Server.URL+"/api/v1/auth/login",
				strings.NewReader(fmt.Sprintf(`{"email":"nobody%d@example.org","password":"guess-guess"}`, i)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.7", i/250, i%250))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode == http.StatusTooManyRequests {
				refused++
			}
		}
		return refused
	}
	if refused := rotate(MustEnv(t, "sqlite+localfs")); refused == 0 {
		t.Error("150 sign-ins with a new X-Forwarded-For each were all answered: the header was believed from an untrusted peer")
	}
	e := MustEnv(t, "sqlite+localfs")
	e.WebOptions.TrustedProxies = []*net.IPNet{{IP: net.IPv4(127, 0, 0, 0), Mask: net.CIDRMask(8, 32)}}
	e.Restart()
	if refused := rotate(e); refused != 0 {
		t.Errorf("behind a trusted proxy, %d of 150 distinct clients were refused", refused)
	}
}

func TestLimits_OversizedBodyIsRefusedWithACode(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	c := e.Client().SignUp("z@example.org")
	in := validInput()
	in["registration"].(map[string]any)["description"] = strings.Repeat("长", 1<<20)
	if r := c.Do("POST", "/api/v1/submissions", in); r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != "too_large" {
		t.Fatalf("3 MB JSON body = %d %s", r.Status, r.Body)
	}
}

func TestLimits_ScanBodyIsCutBeforeTheCSRFCheckReadsIt(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	body := strings.NewReader(strings.Repeat("x", 40<<20))
	req, _ := http.NewRequest("POST", e.Server.URL+"/submissions/abc/scan", body)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=zzz")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("anonymous 40 MB scan post = %d, want 413 before anything reads it", res.StatusCode)
	}
}

func TestLogin_NextStaysOnThisSite(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	for next, want := range map[string]string{
		"/my": "/my", "//evil.example": "/admin/submissions", "/\t/evil.example": "/admin/submissions",
		"https://evil.example/": "/admin/submissions", "/\\evil.example": "/admin/submissions",
	} {
		c := e.Client()
		r := c.Do("POST", "/login", url.Values{"email": {"organizer@example.org"}, "password": {"organizer-pass"}, "next": {next}})
		if got := r.Header.Get("Location"); got != want {
			t.Errorf("next=%q → %q, want %q", next, got, want)
		}
	}
}

func TestPassword_ChangeSignsOutOtherBrowsers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		phone := e.Client().SignUp("z@example.org")
		laptop := e.Client()
		laptop.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": "z@example.org", "password": "secret-pass"})
		if r := phone.Do("POST", "/api/v1/me/password", map[string]string{"current_password": "wrong-one", "new_password": "new-secret-1"}); r.FieldCodes()["current_password"] != "wrong_password" {
			t.Fatalf("wrong current password: %d %s", r.Status, r.Body)
		}
		phone.Must(http.StatusNoContent, "POST", "/api/v1/me/password", map[string]string{"current_password": "secret-pass", "new_password": "new-secret-1"})
		phone.Must(http.StatusOK, "GET", "/api/v1/me", nil)
		laptop.Must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		e.Client().Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": "z@example.org", "password": "new-secret-1"})
	})
}

func TestPassword_OrganizerResetsAContestantsPassword(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		old := e.Client().SignUp("forgot@example.org")
		org := e.Organizer()
		e.Client().SignUp("other@example.org").Must(http.StatusForbidden, "POST", "/api/v1/admin/password-resets", map[string]string{"email": "forgot@example.org"})
		var res struct{ Password string }
		org.Must(http.StatusOK, "POST", "/api/v1/admin/password-resets", map[string]string{"email": " Forgot@example.org"}).JSON(t, &res)
		if len(res.Password) < 8 {
			t.Fatalf("new password %q", res.Password)
		}
		old.Must(http.StatusUnauthorized, "GET", "/api/v1/me", nil)
		back := e.Client()
		var me struct {
			MustChange bool `json:"must_change_password"`
		}
		back.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": "forgot@example.org", "password": res.Password}).JSON(t, &me)
		// The temporary password does nothing but let the contestant choose their own, which the
		// organizer never learns.
		if r := back.Do("GET", "/api/v1/submissions", nil); !me.MustChange || r.Status != http.StatusForbidden || r.ErrorCode() != "password_change_required" {
			t.Fatalf("with the temporary password: must change %v, list = %d %s", me.MustChange, r.Status, r.Body)
		}
		if loc := back.Must(http.StatusSeeOther, "GET", "/my", nil).Header.Get("Location"); loc != "/account/password" {
			t.Errorf("a page with the temporary password goes to %q", loc)
		}
		if doc := mustDoc(t, back.Must(http.StatusOK, "GET", "/account/password", nil)); doc.Find("#temporary-password").Length() != 1 {
			t.Error("the password page does not say the password is temporary")
		}
		if r := back.Do("POST", "/api/v1/me/password", map[string]string{"current_password": res.Password, "new_password": res.Password}); r.FieldCodes()["new_password"] != "same_password" {
			t.Errorf("keeping the temporary password = %d %s, want same_password", r.Status, r.Body)
		}
		back.Must(http.StatusNoContent, "POST", "/api/v1/me/password", map[string]string{"current_password": res.Password, "new_password": "my-own-secret"})
		back.Must(http.StatusOK, "GET", "/api/v1/submissions", nil)
		back.Must(http.StatusOK, "GET", "/api/v1/me", nil).JSON(t, &me)
		if me.MustChange {
			t.Error("still asked to change the password after choosing one")
		}
		// Every reset is in the audit log: who reset whose password, when.
		var log struct {
			Items []struct {
				Entity, Action, After string
				ActorName             string `json:"actor_name"`
			}
		}
		org.Must(http.StatusOK, "GET", "/api/v1/admin/audit", nil).JSON(t, &log)
		if len(log.Items) == 0 || log.Items[0].Entity != "user" || log.Items[0].Action != "reset_password" ||
			log.Items[0].ActorName != "组织者" || !strings.Contains(log.Items[0].After, "forgot@example.org") || strings.Contains(log.Items[0].After, res.Password) {
			t.Errorf("audit after the reset: %+v", log.Items)
		}
		// A temporary password not used in time stops working, and so does a session opened
		// with it and left without choosing a password.
		var again struct{ Password string }
		org.Must(http.StatusOK, "POST", "/api/v1/admin/password-resets", map[string]string{"email": "forgot@example.org"}).JSON(t, &again)
		lingering := e.Client()
		lingering.Must(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": "forgot@example.org", "password": again.Password})
		e.Clock.Set(e.Clock.Now().Add(contest.TemporaryPasswordTTL + time.Minute))
		if r := lingering.Do("GET", "/api/v1/me", nil); r.Status != http.StatusUnauthorized {
			t.Errorf("a session on an expired temporary password = %d, want 401", r.Status)
		}
		if r := e.Client().Do("POST", "/api/v1/auth/login", map[string]string{"email": "forgot@example.org", "password": again.Password}); r.Status != http.StatusUnauthorized || !strings.Contains(r.ErrorMessage(), "临时密码已过期") {
			t.Errorf("an expired temporary password = %d %s", r.Status, r.Body)
		}
		if r := org.Do("POST", "/api/v1/admin/password-resets", map[string]string{"email": "organizer@example.org"}); r.Status != http.StatusForbidden {
			t.Errorf("resetting an organizer = %d", r.Status)
		}
		// A judge whose invitation expired gets a new temporary password the same way.
		e.InviteJudge(org, "judge@example.org", "王评委", "省科技馆")
		org.Must(http.StatusOK, "POST", "/api/v1/admin/password-resets", map[string]string{"email": "judge@example.org"})
		if r := org.Do("POST", "/api/v1/admin/password-resets", map[string]string{"email": "nobody@example.org"}); r.FieldCodes()["email"] != "no_account" {
			t.Errorf("unknown email = %d %s", r.Status, r.Body)
		}
		// The page shows the password once.
		org.Must(http.StatusOK, "GET", "/admin/password-reset", nil)
		doc := mustDoc(t, org.Must(http.StatusOK, "POST", "/admin/password-reset", url.Values{"email": {"forgot@example.org"}}))
		if pw := doc.Find("#new-password").Text(); len(pw) < 8 {
			t.Errorf("reset page shows %q", pw)
		}
	})
}
