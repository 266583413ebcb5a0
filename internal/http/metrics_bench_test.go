package http_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkMetrics measures what counting every request costs: /healthz (the middleware alone:
// it is counted but not logged) and the contest's public settings (GET /api/v1/contest, a cheap
// route) with the metrics off, the baseline, and on, in the same run, served in process so that
// the network's noise does not hide the middleware's cost. Request IDs and the access line are
// on in both.
//
//	go test -run '^$' -bench Metrics -benchtime 20000x -cpu 2 -count 5 ./internal/http/
func BenchmarkMetrics(b *testing.B) {
	e := MustEnv(b, "sqlite+localfs")
	e.stopJobs()
	run := func(path string) func(b *testing.B) {
		return func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w := httptest.NewRecorder()
					r := httptest.NewRequest("GET", path, nil)
					r.RemoteAddr = "192.0.2.1:1234"
					e.web.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Fatalf("GET %s = %d", path, w.Code)
					}
				}
			})
		}
	}
	paths := []string{"/healthz", "/api/v1/contest"}
	for _, p := range paths {
		b.Run("off"+p, run(p))
	}
	withMetrics(e, "tok")
	e.stopJobs()
	for _, p := range paths {
		b.Run("on"+p, run(p))
	}
}
