package http_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// BenchmarkSignUpCrushSite: 100 contestants press 注册 at once on the real server (SQLite, the
// password cost 10), while a visitor reads GET /api/v1/contest over and over. The baseline,
// in the same run, is the same visitor's reads on the idle server just before. "pool" is the
// server as built (as many hashes at once as cores); "unbounded" runs every hash at once, as
// before issue 14. It reports the sign-ups per second and the visitor's read latency (p50,
// p99) idle and during the crush.
//
//	go test -run '^$' -bench SignUpCrushSite -benchtime 3x ./internal/http/
func BenchmarkSignUpCrushSite(b *testing.B) {
	const n, cost = 100, 10
	for _, mode := range []string{"pool", "unbounded"} {
		b.Run(mode, func(b *testing.B) {
			e := MustEnv(b, "sqlite+localfs")
			e.Configure(func(o *contest.Options) {
				o.BcryptCost, o.HashWait = cost, time.Hour
				if mode == "unbounded" {
					o.HashWorkers = n
				}
			})
			var idle, busy []time.Duration
			var took time.Duration
			round := 0
			for b.Loop() {
				e.Restart() // a fresh per-address budget: every sign-up comes from 127.0.0.1
				round++
				visitor := e.Client()
				clients := make([]*client, n)
				for i := range clients {
					clients[i] = e.Client()
				}
				for range 50 {
					idle = append(idle, timeRead(visitor))
				}
				var done atomic.Bool
				reads := make(chan []time.Duration)
				go func() {
					var ds []time.Duration
					for !done.Load() {
						ds = append(ds, timeRead(visitor))
					}
					reads <- ds
				}()
				var wg sync.WaitGroup
				start := time.Now()
				for i, c := range clients {
					wg.Go(func() {
						in := map[string]string{"email": fmt.Sprintf("r%d-c%d@example.org", round, i), "password": "secret-pass", "name": "张三"}
						if r := c.Do("POST", "/api/v1/auth/signup", in); r.Status != http.StatusCreated {
							b.Errorf("sign-up: %d %s", r.Status, r.Body)
						}
					})
				}
				wg.Wait()
				took += time.Since(start)
				done.Store(true)
				busy = append(busy, <-reads...)
			}
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(float64(n*b.N)/took.Seconds(), "signups/s")
			b.ReportMetric(ms(durationQuantile(idle, 0.5)), "idle-p50-ms")
			b.ReportMetric(ms(durationQuantile(idle, 0.99)), "idle-p99-ms")
			b.ReportMetric(ms(durationQuantile(busy, 0.5)), "crush-p50-ms")
			b.ReportMetric(ms(durationQuantile(busy, 0.99)), "crush-p99-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// timeRead times one GET /api/v1/contest.
func timeRead(c *client) time.Duration {
	start := time.Now()
	if r := c.Do("GET", "/api/v1/contest", nil); r.Status != http.StatusOK {
		c.t.Errorf("GET /api/v1/contest: %d", r.Status)
	}
	return time.Since(start)
}

func durationQuantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}
