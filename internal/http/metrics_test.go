package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/prometheus"
)

// withMetrics restarts e with the metrics served on its port behind token, the job queues
// watched, and returns them.
func withMetrics(e *env, token string) *prometheus.Metrics {
	m := prometheus.New()
	m.WatchQueues(func(ctx context.Context) ([]prometheus.QueueStat, error) {
		stats, err := e.DB.JobQueueStats(ctx)
		out := make([]prometheus.QueueStat, len(stats))
		for i, s := range stats {
			out[i] = prometheus.QueueStat{Queue: s.Queue, Kind: s.Kind, State: s.State, Count: s.Count, OldestDue: s.OldestDue}
		}
		return out, err
	})
	e.WebOptions.Metrics, e.WebOptions.MetricsHandler = m.Registry(), m.Handler(token, nil)
	e.Restart()
	return m
}

// scrape returns the metrics text, failing unless it is served.
func scrape(t testing.TB, e *env, token string) string {
	t.Helper()
	status, _, body := get(t, e.Server.URL+"/metrics", map[string]string{"Authorization": "Bearer " + token})
	if status != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", status, body)
	}
	return body
}

func TestMetrics_OnlyWithTheToken(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	if status, _, _ := get(t, e.Server.URL+"/metrics", nil); status != http.StatusNotFound {
		t.Fatalf("GET /metrics without a metrics token configured = %d, want 404", status)
	}
	withMetrics(e, "s3cret-token")
	for _, h := range []map[string]string{nil, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"}} {
		if status, _, body := get(t, e.Server.URL+"/metrics", h); status != http.StatusUnauthorized || strings.Contains(body, "contest_") {
			t.Errorf("GET /metrics with %v = %d, want 401 and no metrics", h, status)
		}
	}
	c := e.Client()
	for range 3 {
		c.Must(http.StatusOK, "GET", "/api/v1/contest", nil)
	}
	c.Do("GET", "/api/v1/submissions/no-such-id", nil)
	c.RawBody("GET", "/no/such/page?email=zhang@example.org", "", nil)
	for _, m := range []string{"FOO1", "FOO2"} {
		c.RawBody(m, "/", "", nil)
	}
	body := scrape(t, e, "s3cret-token")
	for _, want := range []string{
		`contest_http_requests_total{code="200",host="",method="GET",url="/api/v1/contest"} 4`, // the client's own first call too
		`contest_http_requests_total{code="401",host="",method="GET",url="/api/v1/submissions/:id"} 1`,
		`contest_http_request_duration_seconds_bucket{code="200",host="",method="GET",url="/api/v1/contest",le="+Inf"} 4`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "/no/such/page") || strings.Contains(body, "zhang@") {
		t.Error("an unknown URL (or its query) became a label")
	}
	if strings.Contains(body, "FOO1") || !strings.Contains(body, `method="OTHER"`) {
		t.Error("a made-up method became a label of its own")
	}
}

func TestMetrics_QueueDepthCountsWaitingChecks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		withMetrics(e, "tok")
		e.stopJobs() // nothing takes the checks
		c := e.Client().SignUp("zhang@example.org")
		for i := range 2 {
			s := c.Create(nil)
			c.Upload(s.ID, randomFile("v.mp4", contest.MinPartSize+i))
		}
		body := scrape(t, e, "tok")
		if want := `contest_job_queue_jobs{kind="video_check",queue="media",state="available"} 2`; !strings.Contains(body, want) {
			t.Fatalf("metrics lack %s:\n%s", want, grepLines(body, "contest_job"))
		}
		age := regexp.MustCompile(`contest_job_queue_oldest_available_age_seconds\{kind="video_check",queue="media"\} (\S+)`).FindStringSubmatch(body)
		if secs, err := strconv.ParseFloat(age[min(1, len(age)-1)], 64); age == nil || err != nil || secs <= 0 || secs > 600 {
			t.Fatalf("age of the oldest waiting check: %v\n%s", age, grepLines(body, "contest_job"))
		}
		if !regexp.MustCompile(`contest_upload_completed_bytes_total [1-9]`).MatchString(body) {
			t.Error("no upload byte count")
		}
	})
}

// grepLines returns the lines of s containing sub.
func grepLines(s, sub string) string {
	var out strings.Builder
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			out.WriteString(line)
		}
	}
	return out.String()
}

// TestDashboard_UsesOnlyExportedMetrics reads the Grafana dashboard in deploy/ and checks that
// every metric its queries use is one the service exports, after traffic of every kind.
func TestDashboard_UsesOnlyExportedMetrics(t *testing.T) {
	e := MustEnv(t, "sqlite+localfs")
	m := withMetrics(e, "tok")
	e.stopJobs()
	c := e.Client().SignUp("zhang@example.org")
	s := c.Create(nil)
	c.Upload(s.ID, randomFile("v.mp4", contest.MinPartSize+1))
	// What other parts of the service report through the hooks cmd/contest wires.
	m.ObserveHashWait(3 * time.Millisecond)
	m.ObserveJob("video_check", 2*time.Second, nil)
	exported := map[string]bool{}
	for line := range strings.Lines(scrape(t, e, "tok")) {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, kind, _ := strings.Cut(strings.TrimSpace(name), " ")
			exported[name] = true
			if kind == "histogram" || kind == "summary" {
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					exported[name+suffix] = true
				}
			}
		}
	}

	raw, err := os.ReadFile("../../deploy/grafana/contest-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	metric := regexp.MustCompile(`\b(contest_[a-z0-9_]+|go_[a-z0-9_]+|process_[a-z0-9_]+)`)
	var queries int
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			queries++
			names := metric.FindAllString(tg.Expr, -1)
			if len(names) == 0 {
				t.Errorf("panel %q: query %q uses no metric of the service", p.Title, tg.Expr)
			}
			for _, n := range names {
				if !exported[n] {
					t.Errorf("panel %q uses %s, which the service does not export", p.Title, n)
				}
			}
		}
	}
	if queries < 8 {
		t.Errorf("the dashboard has %d queries", queries)
	}
}
