package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestCertificateBase_RefusesThisMachinesAddressInProduction(t *testing.T) {
	prod, embedded := config{DatabaseURL: "postgres://db/contest"}, config{}
	for _, tc := range []struct {
		cfg        config
		url, want  string
		mustWarn   bool
		whyTheCase string
	}{
		{embedded, "http://localhost:8080", "http://localhost:8080", true, "a trial on one machine uses where it listens"},
		{config{BaseURL: "http://127.0.0.1:8080"}, "http://127.0.0.1:8080", "http://127.0.0.1:8080", false, "a trial may name itself"},
		{config{DatabaseURL: prod.DatabaseURL, BaseURL: "https://contest.example.org"}, "https://contest.example.org", "https://contest.example.org", false, "the public address"},
		{config{DatabaseURL: prod.DatabaseURL, BaseURL: "http://localhost:8080"}, "http://localhost:8080", "", true, "the compose file's old default"},
		{config{DatabaseURL: prod.DatabaseURL, BaseURL: "http://127.0.0.2"}, "http://127.0.0.2", "", true, "loopback range"},
		{config{DatabaseURL: prod.DatabaseURL, BaseURL: "http://[::1]:8080"}, "http://[::1]:8080", "", true, "IPv6 loopback"},
		{prod, "http://localhost:8080", "", true, "no address at all"},
	} {
		got, warning := certificateBase(tc.cfg, tc.url)
		if got != tc.want || (warning != "") != tc.mustWarn {
			t.Errorf("%s: base %q, warning %q; want %q, warning %v", tc.whyTheCase, got, warning, tc.want, tc.mustWarn)
		}
	}
}

// TestCompose_SafeDefaults reads docker-compose.yml (no Docker engine here to run it) and checks
// what the security review found: the app is not published to the network directly, it does not
// use MinIO's administrator, images are pinned, and the public address has no default.
func TestCompose_SafeDefaults(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image       string
			Ports       []string
			Environment map[string]string
		}
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatal(err)
	}
	for name, s := range compose.Services {
		if s.Image == "" || !strings.Contains(s.Image, ":") || strings.HasSuffix(s.Image, ":latest") {
			t.Errorf("service %s: image %q is not pinned", name, s.Image)
		}
	}
	app := compose.Services["app"]
	for _, p := range app.Ports {
		if !strings.HasPrefix(p, "127.0.0.1:") {
			t.Errorf("app port %q is published beyond this host: the proxy goes in front", p)
		}
	}
	root := compose.Services["minio"].Environment["MINIO_ROOT_USER"]
	if key := app.Environment["CONTEST_S3_ACCESS_KEY"]; key == "" || key == root || strings.Contains(key, "MINIO_ROOT") {
		t.Errorf("the app's S3 key %q is MinIO's administrator (%q)", key, root)
	}
	if base := app.Environment["CONTEST_BASE_URL"]; !strings.Contains(base, ":?") {
		t.Errorf("CONTEST_BASE_URL %q has a default: certificates would point at it if it were forgotten", base)
	}
}

// TestCompose_UpWhereAContainerEngineRuns brings docker-compose.yml up where a container
// engine answers and checks that the app becomes ready behind it. Without an engine (this
// project's CI machine) it says so and skips: the compose file is then checked by
// TestCompose_SafeDefaults, and the same topology without containers by
// TestServe_ProductionOnPostgresAndMinIO and the replica tests (docs/operations.md).
func TestCompose_UpWhereAContainerEngineRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	docker, err := exec.LookPath("docker")
	if err == nil {
		probe, stop := context.WithTimeout(ctx, 20*time.Second)
		err = exec.CommandContext(probe, docker, "info").Run()
		stop()
	}
	if err != nil {
		t.Skipf("NOTICE: no container engine here (%v): docker-compose.yml is not brought up", err)
	}
	compose := func(args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, docker, append([]string{"compose", "-f", "../../docker-compose.yml", "-p", "contest-test"}, args...)...)
		cmd.Env = append(os.Environ(), "CONTEST_SECRET_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
			"CONTEST_MINIO_ROOT_PASSWORD=compose-test-root", "CONTEST_S3_SECRET_KEY=compose-test-app-secret",
			"CONTEST_BASE_URL=https://contest.example.org", "CONTEST_ADMIN_EMAIL=admin@example.org", "CONTEST_ADMIN_PASSWORD=a-long-password")
		return cmd
	}
	t.Cleanup(func() { _ = compose("down", "-v").Run() })
	if out, err := compose("up", "-d", "--build", "--wait").CombinedOutput(); err != nil {
		t.Fatalf("docker compose up: %v\n%s", err, out)
	}
	if code, body := get(t, "http://127.0.0.1:8080/readyz"); code != http.StatusOK {
		t.Errorf("/readyz behind compose = %d %s", code, body)
	}
}
