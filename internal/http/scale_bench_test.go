package http_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/jskx/contest/internal/db/dbtest"
)

// BenchmarkPagesAsTheContestFills measures what a contestant with one work and an organizer
// open, in a contest with 200 other works and in one with 10 000, on both backends, over real
// HTTP from parallel clients. A contestant's pages should not depend on other people's works,
// nor the organizer's page of 50 on the total: compare req/s between the two sizes. The other
// works are copies of the contestant's, each with its own owner, stored in bulk. The sizes are
// measured in turn, round after round (-count would seed again), so that load from elsewhere
// on the machine falls on both alike; take the best round of each.
//
//	go test -run '^$' -bench PagesAsTheContestFills -benchtime 200x ./internal/http/
func BenchmarkPagesAsTheContestFills(b *testing.B) {
	const rounds = 8
	sizes := []int{200, 10000}
	for _, backend := range []string{"sqlite+localfs", "postgres+minio"} {
		b.Run(backend, func(b *testing.B) {
			type site struct {
				e     *env
				pages []benchPage
			}
			sites := make([]site, len(sizes))
			for i, n := range sizes {
				e := MustEnv(b, backend)
				e.stopJobs()
				sites[i] = site{e, contestantAndOrganizerPages(b, e, n)}
			}
			for round := range rounds {
				for i, n := range sizes {
					for _, p := range sites[i].pages {
						b.Run(fmt.Sprintf("others=%d/%s/round=%d", n, p.name, round+1), func(b *testing.B) {
							benchGet(b, p.c.http, sites[i].e.Server.URL+p.path)
						})
					}
				}
			}
		})
	}
}

type benchPage struct {
	name, path string
	c          *client
}

// contestantAndOrganizerPages stores a contestant's work and n other works, and returns the
// pages the contestant and the organizer open.
func contestantAndOrganizerPages(b *testing.B, e *env, n int) []benchPage {
	me := e.Client().SignUp("zhang@example.org")
	work := me.Create(nil)
	org := e.Organizer()
	link, err := url.Parse(work.Participants[1].ConsentURL)
	if err != nil {
		b.Fatal(err)
	}
	dbtest.MustCloneWorks(b, e.DB, work.ID, 1, n)
	return []benchPage{
		{"home", "/", me},
		{"my", "/my", me},
		{"api-my", "/api/v1/submissions", me},
		{"work", "/submissions/" + work.ID, me},
		{"api-work", "/api/v1/submissions/" + work.ID, me},
		{"consent-link", link.Path, e.Client()},
		{"results", "/results", me},
		{"org-list-50", "/admin/submissions", org},
		{"api-org-list-50", "/api/v1/admin/submissions", org},
	}
}

// benchGet GETs url from parallel goroutines and reports requests per second, and the CPU time
// this process spent per request (server and client; on PostgreSQL the database's own CPU is
// in its processes, not here). CPU time does not count waiting for a core, so it varies less
// than req/s on a busy machine.
func benchGet(b *testing.B, c *http.Client, url string) {
	cpu0 := cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := c.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Fatalf("%s = %d", url, res.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/req")
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
