package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestSignUp_LostAnswerThenEmailTakenSignsIn: the first sign-up's connection drops after the
// server made the account; the second answers email_taken; the contestant then signs in with
// the same password and goes on, and the orphaned account is counted.
func TestSignUp_LostAnswerThenEmailTakenSignsIn(t *testing.T) {
	var signups, logins int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/auth/signup":
			signups++
			if signups == 1 {
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return
			}
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"error":{"code":"invalid","message":"x","fields":{"email":{"code":"email_taken","message":"该邮箱已注册"}}}}`)
		case "/api/v1/auth/login":
			logins++
			http.SetCookie(w, &http.Cookie{Name: "contest_session", Value: "s", Path: "/"})
			fmt.Fprint(w, `{"id":"u","email":"e","name":"n","role":"contestant","must_change_password":false}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, _ := testClient(t, srv.URL)
	r := &runner{rec: c.rec, password: "pw-12345678"}
	ct := &contestant{run: r, c: c, email: "a@example.org", form: newForm("t", 0, 0)}
	start := time.Now()
	if err := ct.signUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !ct.signedUp || signups != 2 || logins != 1 || r.takenAfterFailure.Load() != 1 || time.Since(start) < time.Second {
		t.Fatalf("signed up %v after %d sign-ups and %d sign-ins; taken after failure %d", ct.signedUp, signups, logins, r.takenAfterFailure.Load())
	}
}
