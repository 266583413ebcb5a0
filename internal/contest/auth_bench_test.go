package contest

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// BenchmarkPasswordCheck measures one sign-in's password check at the production cost (12)
// against the minimum cost, to size sign-in capacity per core.
func BenchmarkPasswordCheck(b *testing.B) {
	for _, cost := range []int{bcrypt.MinCost, 12} {
		hash, _ := bcrypt.GenerateFromPassword([]byte("secret-pass"), cost)
		b.Run(map[int]string{bcrypt.MinCost: "cost4-baseline", 12: "cost12"}[cost], func(b *testing.B) {
			for b.Loop() {
				_ = bcrypt.CompareHashAndPassword(hash, []byte("secret-pass"))
			}
		})
	}
}

// BenchmarkSignUpCrush: n contestants press 注册 at once (accounts in memory: the hashes are the
// whole cost). Each run is preceded by its baseline, the CPU floor of the same n hashes: bare
// bcrypt on one goroutine per core, n ÷ cores each (n × one hash ÷ cores, under whatever else
// the machine runs at that moment). Reported:
//
//	signups/s       sign-ups served per second
//	floor/s         the baseline's hashes per second
//	x-floor         the baseline's time ÷ the sign-ups' time: 1 is every core hashing all along
//	p50-s, p99-s    how long a contestant waited for the answer
//
// "pool" is the service as built (HashWorkers = cores); "unbounded" lets every hash run at once,
// as before issue 14. What the crush does to the rest of the site is measured through the real
// server: BenchmarkSignUpCrushSite in internal/http.
func BenchmarkSignUpCrush(b *testing.B) {
	const cost = 10 // about 50 ms a hash; the ratios do not depend on the cost
	cores := runtime.GOMAXPROCS(0)
	hash, _ := bcrypt.GenerateFromPassword([]byte("secret-pass"), cost)
	for _, n := range []int{50, 200} {
		for _, mode := range []string{"pool", "unbounded"} {
			b.Run(fmt.Sprintf("n=%d/%s", n, mode), func(b *testing.B) {
				workers := cores
				if mode == "unbounded" {
					workers = n
				}
				var took, floor time.Duration
				var waits []time.Duration
				for b.Loop() {
					floor += hashFloor(hash, n, cores)
					d, w := signUpCrush(b, n, cost, workers)
					took += d
					waits = append(waits, w...)
				}
				b.ReportMetric(float64(n*b.N)/took.Seconds(), "signups/s")
				b.ReportMetric(float64(n*b.N)/floor.Seconds(), "floor/s")
				b.ReportMetric(floor.Seconds()/took.Seconds(), "x-floor")
				b.ReportMetric(quantile(waits, 0.5).Seconds(), "p50-s")
				b.ReportMetric(quantile(waits, 0.99).Seconds(), "p99-s")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// hashFloor checks n passwords against hash on one goroutine per core and returns how long it took.
func hashFloor(hash []byte, n, cores int) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	for c := range cores {
		wg.Go(func() {
			for i := c; i < n; i += cores {
				_ = bcrypt.CompareHashAndPassword(hash, []byte("secret-pass"))
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// signUpCrush signs up n contestants at once and returns how long all took and each one's wait.
func signUpCrush(b *testing.B, n, cost, workers int) (took time.Duration, waits []time.Duration) {
	reg := New(newMemAccounts(), nil, Options{BcryptCost: cost, HashWorkers: workers, HashWait: time.Hour}).Registration
	waits = make([]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			in := SignUpInput{Email: fmt.Sprintf("c%d@example.org", i), Password: "secret-pass", Name: "张三"}
			if _, _, err := reg.SignUp(context.Background(), in); err != nil {
				b.Error(err)
			}
			waits[i] = time.Since(start)
		})
	}
	wg.Wait()
	return time.Since(start), waits
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}
