package http

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestSlowBodyIsCutOff: a client that sends a few bytes of a body and stalls does not hold a
// connection (and a handler) past the body timeout.
func TestSlowBodyIsCutOff(t *testing.T) {
	s := New(nil, func(context.Context) error { return nil }, slog.New(slog.DiscardHandler), Options{BodyTimeout: 300 * time.Millisecond})
	srv := httptest.NewServer(s)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Sec-Fetch-Site: same-origin\r\nContent-Length: 100\r\n\r\n{\"email\":\"a", srv.Listener.Addr())
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	answer, _ := io.ReadAll(conn) // until the server closes the connection
	if held := time.Since(start); held > 5*time.Second {
		t.Fatalf("a stalled body held the connection %v (answer %q)", held, answer)
	}
	if !strings.HasPrefix(string(answer), "HTTP/1.1 4") {
		t.Errorf("answer to a stalled body: %q, want a 4xx", answer)
	}
}

// TestSecurityHeaders: pages run only their own scripts, cannot be framed, and over HTTPS the
// browser is told to stay on HTTPS.
func TestSecurityHeaders(t *testing.T) {
	s := New(nil, func(context.Context) error { return nil }, slog.New(slog.DiscardHandler), Options{BaseURL: "https://contest.example.org"})
	srv := httptest.NewServer(s)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/healthz", nil)
	req.Header.Set("X-Forwarded-Proto", "https") // as the TLS proxy in front says
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src") || strings.HasPrefix(d, "default-src") {
			if strings.Contains(d, "unsafe-inline") || strings.Contains(d, "unsafe-eval") {
				t.Errorf("%q lets scripts run inline", d)
			}
		}
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=31536000") {
		t.Errorf("Strict-Transport-Security %q, want a year", hsts)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
}
