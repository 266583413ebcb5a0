package prometheus_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/prometheus"
)

func scrape(t *testing.T, h http.Handler, auth string) (int, string) {
	t.Helper()
	r := httptest.NewRequest("GET", "/metrics", nil)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

func TestMetrics_ADatabaseOutageLeavesTheRestOfTheScrape(t *testing.T) {
	m := prometheus.New()
	m.WatchQueues(func(context.Context) ([]prometheus.QueueStat, error) { return nil, errors.New("database is down") })
	m.ObserveJob("video_check", 1500*time.Millisecond, nil)
	m.ObserveJob("video_check", time.Second, errors.New("ffprobe failed"))
	code, body := scrape(t, m.Handler("", nil), "")
	if code != http.StatusOK {
		t.Fatalf("scrape with the queues unreadable = %d", code)
	}
	for _, want := range []string{
		`contest_job_duration_seconds_count{kind="video_check",outcome="ok"} 1`,
		`contest_job_duration_seconds_count{kind="video_check",outcome="error"} 1`,
		`contest_password_hash_wait_seconds_count 0`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}

func TestMetrics_TokenIsRequiredWhenSet(t *testing.T) {
	h := prometheus.New().Handler("tok", nil)
	for _, auth := range []string{"", "Bearer", "Bearer to", "Bearer tok2", "Basic dG9r", "tok"} {
		if code, body := scrape(t, h, auth); code != http.StatusUnauthorized || strings.Contains(body, "go_") {
			t.Errorf("Authorization %q: %d", auth, code)
		}
	}
	if code, _ := scrape(t, h, "Bearer tok"); code != http.StatusOK {
		t.Errorf("with the token: %d", code)
	}
}
