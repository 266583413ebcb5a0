package main

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPercentile_NearestRank(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, c := range []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{nil, 50, 0},
		{[]time.Duration{7}, 99, 7},
		{[]time.Duration{1, 2}, 50, 1},
		{[]time.Duration{1, 2}, 99, 2},
		{hundred, 50, 50 * time.Millisecond},
		{hundred, 99, 99 * time.Millisecond},
		{hundred, 100, 100 * time.Millisecond},
		{hundred[:10], 99, 10 * time.Millisecond}, // few samples: p99 is the worst
	} {
		if got := percentile(c.sorted, c.p); got != c.want {
			t.Errorf("p%v of %d values = %v, want %v", c.p, len(c.sorted), got, c.want)
		}
	}
	d := distOf([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond})
	if d != (Dist{Count: 3, P50: 2, P99: 3, Max: 3}) {
		t.Errorf("distOf unsorted = %+v", d)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		header string
		want   time.Duration
	}{
		{"", time.Second},        // missing: a second
		{"3", 3 * time.Second},   // seconds
		{" 7 ", 7 * time.Second}, // with spaces
		{"0", time.Second},       // at least a second
		{"3600", time.Minute},    // at most a minute
		{"soon", time.Second},    // unreadable
		{now.Add(20 * time.Second).Format(http.TimeFormat), 20 * time.Second}, // an HTTP date
		{now.Add(-time.Hour).Format(http.TimeFormat), time.Second},            // a date passed
	} {
		if got := retryAfter(c.header, now); got != c.want {
			t.Errorf("Retry-After %q = %v, want %v", c.header, got, c.want)
		}
	}
}

// TestClient_WaitsRetryAfterThenSucceeds: a 503 with Retry-After is sent again after the wait,
// and counted as a retry; a 422 is not.
func TestClient_WaitsRetryAfterThenSucceeds(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		switch {
		case r.URL.Path == "/bad":
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"error":{"code":"invalid","message":"x","fields":{"email":{"code":"email_taken","message":"y"}}}}`)
		case calls == 1:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":{"code":"unavailable","message":"服务繁忙，请稍后重试"}}`)
		default:
			w.Header().Set("X-CSRF-Token", "tok")
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()
	c, rec := testClient(t, srv.URL)
	start := time.Now()
	var out struct{ OK bool }
	if _, err := c.do(t.Context(), call{step: "s", method: "POST", path: "/x", body: map[string]int{}, out: &out}); err != nil || !out.OK {
		t.Fatalf("do = %v, %+v", err, out)
	}
	if waited := time.Since(start); waited < time.Second || calls != 2 || rec.retries["s"]["unavailable"] != 1 || c.token() != "tok" {
		t.Fatalf("waited %v, %d calls, retries %v, csrf %q", waited, calls, rec.retries, c.token())
	}
	_, err := c.do(t.Context(), call{step: "s", method: "POST", path: "/bad", body: map[string]int{}})
	if errCode(err) != "invalid/email_taken" || calls != 3 {
		t.Fatalf("422: %v after %d calls", err, calls)
	}
}

func testClient(t *testing.T, base string) (*client, *recorder) {
	lb := &balancer{rt: http.DefaultTransport}
	var bases baseList
	_ = bases.Set(base)
	r, err := parseBases(bases)
	if err != nil {
		t.Fatal(err)
	}
	lb.bases = r
	rec := newRecorder()
	return newClient(lb, http.DefaultClient, "", 5*time.Second, rec), rec
}

// TestVideo_PartsAndComposite: the parts put together are the file, and the composite checksum
// is base64(sha256(sha256(p1)‖…‖sha256(pN)))-N.
func TestVideo_PartsAndComposite(t *testing.T) {
	base := []byte("\x00\x00\x00\x10ftypisom" + strings.Repeat("m", 1000))
	v := newVideo(base, "r", 7)
	const partSize = 300
	count := int((v.size() + partSize - 1) / partSize)
	var whole []byte
	all := sha256.New()
	for n := range count {
		p := v.part(int64(n)*partSize, min(partSize, v.size()-int64(n)*partSize))
		whole = append(whole, p...)
		s := sha256.Sum256(p)
		all.Write(s[:])
	}
	if sum := sha256.Sum256(whole); int64(len(whole)) != v.size() || sum != v.sha256() {
		t.Fatalf("parts make %d bytes, want %d (or differ)", len(whole), v.size())
	}
	tail := whole[len(base):]
	if string(tail[4:8]) != "free" || int(tail[3]) != len(tail) || !strings.Contains(string(tail), "contestant 7") {
		t.Fatalf("tail %q is not a free box naming the contestant", tail)
	}
	_, composite := v.plan(partSize, count)
	if want := fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(all.Sum(nil)), count); composite != want {
		t.Fatalf("composite %s, want %s", composite, want)
	}
	if other := newVideo(base, "r", 8); other.sha256() == v.sha256() {
		t.Fatal("two contestants' videos are alike")
	}
}
