package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestServe_MetricsAreNotPublic(t *testing.T) {
	dir := t.TempDir()
	metricsAddr := freeAddr(t)
	tokenFile := filepath.Join(dir, "metrics-token")
	if err := os.WriteFile(tokenFile, []byte("tok-789\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Without a token: /metrics only on its own address, not on the public port.
	addr, out, stop := startServe(t, map[string]string{"CONTEST_DATA_DIR": dir, "CONTEST_METRICS_ADDR": metricsAddr})
	get(t, "http://"+addr+"/api/v1/contest")
	// A sign-up waits for a password-hashing slot: the wait is measured.
	newAPIClient(t, "http://"+addr).call("POST", "/api/v1/auth/signup", map[string]string{"email": "metrics@example.org",
		"password": "metrics-pass-1", "name": "张三"}, nil)
	if code, _ := get(t, "http://"+addr+"/metrics"); code != http.StatusNotFound {
		t.Errorf("public /metrics without a token = %d, want 404", code)
	}
	code, body := get(t, "http://"+metricsAddr+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, `contest_http_requests_total{code="200",host="",method="GET",url="/api/v1/contest"}`) ||
		!strings.Contains(body, "contest_password_hash_wait_seconds_count") || strings.Contains(body, "contest_password_hash_wait_seconds_count 0\n") {
		t.Errorf("/metrics on %s = %d:\n%.600s", metricsAddr, code, body)
	}
	alertsUseExportedMetrics(t, body)
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// With a token (from a file): on both, and only with it.
	addr, out, stop = startServe(t, map[string]string{"CONTEST_DATA_DIR": dir, "CONTEST_METRICS_ADDR": metricsAddr,
		"CONTEST_METRICS_TOKEN_FILE": tokenFile})
	defer stop()
	for _, base := range []string{addr, metricsAddr} {
		if code, _ := get(t, "http://"+base+"/metrics"); code != http.StatusUnauthorized {
			t.Errorf("%s/metrics without the token = %d, want 401", base, code)
		}
		req, _ := http.NewRequest("GET", "http://"+base+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer tok-789")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s/metrics with the token = %d", base, res.StatusCode)
		}
	}
	// The liveness probe of replicas without a public port needs no token and tells nothing.
	if code, body := get(t, "http://"+metricsAddr+"/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz on the metrics address = %d %q", code, body)
	}
	if strings.Contains(out.String(), "tok-789") {
		t.Error("the metrics token reached the log")
	}
}

// alertsUseExportedMetrics checks deploy/prometheus/alerts.yml: every rule has a runbook
// section in docs/operations.md, and every metric its expression reads is one a replica exports
// (in the scrape, or one the replica registers that appears once a job has run or is queued).
func alertsUseExportedMetrics(t *testing.T, scrape string) {
	t.Helper()
	raw, err := os.ReadFile("../../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert, Expr string
				Annotations map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	runbook, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	queues, err := os.ReadFile("../../internal/prometheus/prometheus.go")
	if err != nil {
		t.Fatal(err)
	}
	metric := regexp.MustCompile(`contest_[a-z_]+`)
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			n++
			anchor := strings.ToLower(r.Alert)
			if !strings.HasSuffix(r.Annotations["runbook"], "#"+anchor) || !strings.Contains(string(runbook), "### "+r.Alert) {
				t.Errorf("alert %s: no runbook section \"### %s\" in docs/operations.md (runbook %q)", r.Alert, r.Alert, r.Annotations["runbook"])
			}
			for _, m := range metric.FindAllString(r.Expr, -1) {
				family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m, "_bucket"), "_count"), "_sum")
				rest := strings.TrimPrefix(family, "contest_")
				registered := strings.Contains(string(queues), `Namespace+"_`+rest+`"`) || strings.Contains(string(queues), `Name: "`+rest+`"`)
				if !strings.Contains(scrape, "# TYPE "+family+" ") && !registered {
					t.Errorf("alert %s reads %s, which no replica exports", r.Alert, m)
				}
			}
		}
	}
	if n < 5 {
		t.Errorf("%d alerting rules read", n)
	}
}
