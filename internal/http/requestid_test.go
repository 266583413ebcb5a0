package http_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// get sends a GET with header outside the spec's validation (for /metrics, which is not the
// API, and headers the spec does not describe).
func get(t testing.TB, url string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(body)
}

func TestRequestID_InTheHeaderAndEveryLineOfItsRequest(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	c := e.Client().SignUp("zhang@example.org")
	r := c.Must(http.StatusOK, "GET", "/api/v1/me", nil)
	id := r.Header.Get("X-Request-ID")
	if id == "" {
		t.Fatal("no X-Request-ID in the answer")
	}
	lines := e.LogLines("request_id=" + id)
	if !strings.Contains(lines, "msg=request") || !strings.Contains(lines, "route=/api/v1/me") || !strings.Contains(lines, "status=200") {
		t.Fatalf("the access line of request %s is missing; its lines:\n%s", id, lines)
	}
	if other := c.Do("GET", "/api/v1/me", nil).Header.Get("X-Request-ID"); other == id || other == "" {
		t.Fatalf("two requests got the IDs %q and %q", id, other)
	}

	// A request whose database is gone: what the error handler logs carries the ID too.
	before := e.Log.Len()
	if err := e.DB.Close(); err != nil {
		t.Fatal(err)
	}
	r = c.Do("GET", "/api/v1/submissions", nil)
	if r.Status < 500 {
		t.Fatalf("with the database closed: %d %s", r.Status, r.Body)
	}
	id = r.Header.Get("X-Request-ID")
	var n int
	for line := range strings.Lines(e.Log.String()[before:]) {
		if strings.Contains(line, "/api/v1/submissions") {
			n++
			if !strings.Contains(line, "request_id="+id) {
				t.Errorf("a line of request %s lacks its ID: %s", id, line)
			}
		}
	}
	if n < 2 { // the error and the access line
		t.Errorf("request %s logged %d lines, want the error and the access line:\n%s", id, n, e.Log.String()[before:])
	}
}

func TestRequestID_KeptOnlyFromATrustedProxyAndWhenSane(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	send := func(id string) string {
		_, h, _ := get(t, e.Server.URL+"/healthz", map[string]string{"X-Request-ID": id})
		return h.Get("X-Request-ID")
	}
	if got := send("proxy-7f3a"); got == "proxy-7f3a" || got == "" {
		t.Fatalf("a client chose its request ID: %q", got)
	}
	e.WebOptions.TrustedProxies = []*net.IPNet{{IP: net.IPv4(127, 0, 0, 1), Mask: net.CIDRMask(32, 32)}}
	e.Restart()
	if got := send("proxy-7f3a"); got != "proxy-7f3a" {
		t.Fatalf("the trusted proxy's request ID became %q", got)
	}
	for _, bad := range []string{strings.Repeat("a", 65), "two words", `quote"d`, "中文"} {
		if got := send(bad); got == bad || got == "" {
			t.Errorf("request ID %q kept as %q", bad, got)
		}
	}
}
