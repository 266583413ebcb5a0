package http_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// TestSignUp_ABurstPastThePasswordPoolIsToldToRetry: at the deadline more contestants sign up
// than the server can hash passwords for. Those it cannot serve in time are told at once to
// come back (503 unavailable with Retry-After), no account is left half made, and each of them
// gets in when they retry.
func TestSignUp_ABurstPastThePasswordPoolIsToldToRetry(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		// One worker, a hash of a few tens of milliseconds, and a line a millisecond long.
		e.Configure(func(o *contest.Options) { o.HashWorkers, o.HashWait, o.BcryptCost = 1, time.Millisecond, 10 })
		const n = 16
		clients := make([]*client, n)
		for i := range clients {
			clients[i] = e.Client()
		}
		signUp := func(i int) response {
			return clients[i].Do("POST", "/api/v1/auth/signup",
				map[string]string{"email": fmt.Sprintf("c%d@example.org", i), "password": "secret-pass", "name": "张三"})
		}
		answers := make([]response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { answers[i] = signUp(i) })
		}
		wg.Wait()
		var busy []int
		for i, r := range answers {
			switch {
			case r.Status == http.StatusCreated:
			case r.Status == http.StatusServiceUnavailable && r.ErrorCode() == "unavailable" && r.Header.Get("Retry-After") != "":
				busy = append(busy, i)
				// Told to come back: no account was made that the client does not know of.
				if _, err := e.Stores.UserByEmail(context.Background(), fmt.Sprintf("c%d@example.org", i)); contest.ErrorCode(err) != contest.ENotFound {
					t.Errorf("sign-up %d was refused but its account exists (%v)", i, err)
				}
			default:
				t.Errorf("sign-up %d: %d %s (Retry-After %q)", i, r.Status, r.Body, r.Header.Get("Retry-After"))
			}
		}
		if len(busy) == 0 {
			t.Fatalf("all %d sign-ups through one worker were served in time; the test proves nothing", n)
		}
		for _, i := range busy {
			r := signUp(i)
			for try := 0; r.Status == http.StatusServiceUnavailable && try < 20; try++ {
				r = signUp(i)
			}
			if r.Status != http.StatusCreated {
				t.Errorf("sign-up %d retried: %d %s", i, r.Status, r.Body)
			}
		}
		for i, c := range clients {
			var me struct{ Email string }
			c.Must(http.StatusOK, "GET", "/api/v1/me", nil).JSON(t, &me)
			if me.Email != fmt.Sprintf("c%d@example.org", i) {
				t.Errorf("client %d is signed in as %q", i, me.Email)
			}
		}
		t.Logf("%d of %d sign-ups were told to retry", len(busy), n)
	})
}

// TestSignUp_AgainWithTheSamePasswordSignsIn: a contestant whose sign-up seemed to fail (the
// page timed out) presses the button again and is signed in; another password is still
// refused as a taken email.
func TestSignUp_AgainWithTheSamePasswordSignsIn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		in := map[string]string{"email": "zhang@example.org", "password": "secret-pass", "name": "张三"}
		var first, again struct{ ID string }
		e.Client().Must(http.StatusCreated, "POST", "/api/v1/auth/signup", in).JSON(t, &first)
		c := e.Client()
		c.Must(http.StatusCreated, "POST", "/api/v1/auth/signup", in).JSON(t, &again)
		if again.ID != first.ID {
			t.Fatalf("the repeated sign-up answered account %s, want the one it created (%s)", again.ID, first.ID)
		}
		c.Must(http.StatusOK, "GET", "/api/v1/me", nil)
		in["password"] = "another-pass"
		if r := e.Client().Do("POST", "/api/v1/auth/signup", in); r.Status != http.StatusUnprocessableEntity || r.FieldCodes()["email"] != "email_taken" {
			t.Fatalf("sign-up with a taken email and another password: %d %s", r.Status, r.Body)
		}
	})
}

// TestSignUp_AClientThatGivesUpLeavesNoAccount: a contestant who closes the page while the
// sign-up waits for the password worker leaves nothing behind, and signs up when they come back.
func TestSignUp_AClientThatGivesUpLeavesNoAccount(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		hashing := make(chan time.Duration, 16)
		e.Configure(func(o *contest.Options) {
			o.HashWorkers, o.HashWait, o.BcryptCost = 1, time.Minute, 13 // a hash of about half a second
			o.ObserveHashWait = func(d time.Duration) { hashing <- d }
		})
		first := e.Client()
		done := make(chan response, 1)
		go func() {
			done <- first.Do("POST", "/api/v1/auth/signup", map[string]string{"email": "first@example.org", "password": "secret-pass", "name": "张三"})
		}()
		<-hashing // the first sign-up holds the only worker

		leaver := e.Client()
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "POST", e.Server.URL+"/api/v1/auth/signup",
			bytes.NewReader([]byte(`{"email":"leaver@example.org","password":"secret-pass","name":"李四"}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", leaver.csrf)
		gone := make(chan error, 1)
		go func() {
			res, err := leaver.http.Do(req)
			if err == nil {
				res.Body.Close()
			}
			gone <- err
		}()
		time.AfterFunc(50*time.Millisecond, cancel) // while it waits in line
		if err := <-gone; err == nil {
			t.Fatal("the request was answered before its client gave up; the test proves nothing")
		}
		select { // the server sees the client go and gives up its place while the first still hashes
		case <-hashing:
		case r := <-done:
			t.Fatalf("the first sign-up (%d) finished while the leaver still held its place in line", r.Status)
		}
		if r := <-done; r.Status != http.StatusCreated {
			t.Fatalf("the first sign-up: %d %s", r.Status, r.Body)
		}
		if _, err := e.Stores.UserByEmail(context.Background(), "leaver@example.org"); contest.ErrorCode(err) != contest.ENotFound {
			t.Fatalf("the sign-up of a client that gave up made an account (%v)", err)
		}
		leaver.Must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]string{"email": "leaver@example.org", "password": "secret-pass", "name": "李四"})
		leaver.Must(http.StatusOK, "GET", "/api/v1/me", nil)
	})
}

// TestSignUp_ThePageSaysWhenToTryAgain: on the sign-up page a contestant told to come back sees
// the form again with what they typed, the message, and a Retry-After for the browser.
func TestSignUp_ThePageSaysWhenToTryAgain(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	hashing := make(chan time.Duration, 16)
	e.Configure(func(o *contest.Options) {
		o.HashWorkers, o.HashWait, o.BcryptCost = 1, time.Millisecond, 13
		o.ObserveHashWait = func(d time.Duration) { hashing <- d }
	})
	done := make(chan response, 1)
	first := e.Client()
	go func() {
		done <- first.Do("POST", "/api/v1/auth/signup", map[string]string{"email": "first@example.org", "password": "secret-pass", "name": "张三"})
	}()
	<-hashing // the first sign-up holds the only worker
	r := e.Client().Do("POST", "/signup", url.Values{"email": {"li@example.org"}, "password": {"secret-pass"}, "name": {"李四"}})
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("the sign-up page while busy: %d, Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
	doc := mustDoc(t, r)
	if msg := doc.Find("#form-error").Text(); !strings.Contains(msg, "注册登录人数较多") {
		t.Errorf("the page says %q, want that many are signing up and when to retry", msg)
	}
	if v, _ := doc.Find(`input[name=email]`).Attr("value"); v != "li@example.org" {
		t.Errorf("the email typed is gone from the form: %q", v)
	}
	if r := <-done; r.Status != http.StatusCreated {
		t.Fatalf("the first sign-up: %d %s", r.Status, r.Body)
	}
}
