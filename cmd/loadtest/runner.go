package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// runner is one run: the contestants, their shared transport and what they measured.
type runner struct {
	o           options
	lb          *balancer
	bare        *http.Client
	rec         *recorder
	password    string
	base        []byte // the MP4 every contestant's copy starts with
	salt        int
	started     time.Time
	verdictWait time.Duration
	tmp         string
	log         io.Writer

	mu                      sync.Mutex
	firstSignUp, lastSignUp time.Time
	polled, server          []time.Duration
	over10                  int
	takenAfterFailure       atomic.Int64
}

func newRunner(ctx context.Context, o options, organizerPassword string, log io.Writer) (*runner, error) {
	lb := &balancer{rt: &http.Transport{Proxy: nil, MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: 90 * time.Second}}
	var err error
	if lb.bases, err = parseBases(o.bases); err != nil {
		return nil, err
	}
	r := &runner{o: o, lb: lb, bare: &http.Client{Transport: lb.rt}, rec: newRecorder(), password: "load-" + o.run + "-密码",
		salt: int(time.Now().UnixNano() % 1e6), verdictWait: o.verdictWait, log: log}
	path := o.video
	if path == "" {
		dir, err := os.MkdirTemp("", "loadtest-")
		if err != nil {
			return nil, err
		}
		r.tmp = dir
		if path, err = makeVideo(ctx, dir); err != nil {
			r.close()
			return nil, err
		}
	}
	if r.base, err = readVideo(path); err != nil {
		r.close()
		return nil, err
	}
	if err := r.openCollection(ctx, organizerPassword); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// parseBases parses the -base URLs.
func parseBases(bases []string) ([]*url.URL, error) {
	var out []*url.URL
	for _, b := range bases {
		u, err := url.Parse(b)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, usageError{fmt.Errorf("-base %q: want http://host:port", b)}
		}
		out = append(out, u)
	}
	return out, nil
}

// client is a new browser with the run's limits, sending from addr (X-Forwarded-For).
func (r *runner) client(addr string, rec *recorder) *client {
	c := newClient(r.lb, r.bare, addr, r.o.timeout, rec)
	c.busyFor = r.o.busyFor
	return c
}

func (r *runner) close() {
	if r.tmp != "" {
		os.RemoveAll(r.tmp)
	}
}

func (r *runner) logf(format string, args ...any) {
	if r.o.verbose {
		r.mu.Lock()
		fmt.Fprintf(r.log, format+"\n", args...)
		r.mu.Unlock()
	}
}

// play measures the baseline, then starts the contestants evenly over the ramp, samples the
// site while they run, and checks every stored video once they are done.
func (r *runner) play(ctx context.Context) *Summary {
	s := &Summary{Bases: r.o.bases, Contestants: r.o.n, RampSec: r.o.ramp.Seconds()}
	if r.o.cost > 0 {
		if b, err := measureBaseline(r.o.cost, r.o.n, r.o.cores); err == nil {
			s.Baseline = &b
		}
	}
	fmt.Fprintf(r.log, "run %s: %d contestants over %s against %v\n", r.o.run, r.o.n, r.o.ramp, r.o.bases)
	cs := make([]*contestant, r.o.n)
	for i := range cs {
		addr := ""
		if r.o.forwarded {
			addr = clientAddr(i, false)
		}
		cs[i] = &contestant{i: i, run: r, email: contestantEmail(r.o.run, i), form: newForm(r.o.run, i, r.salt),
			video: newVideo(r.base, r.o.run, i), c: r.client(addr, r.rec)}
	}
	stopSampling := make(chan struct{})
	var sampling sync.WaitGroup
	if r.o.sample > 0 {
		r.startSampler(ctx, stopSampling, &sampling)
	}
	r.started = time.Now()
	slots := make(chan struct{}, cmpOr(r.o.concurrency, r.o.n))
	var wg sync.WaitGroup
	for i, ct := range cs {
		at := r.started.Add(time.Duration(int64(r.o.ramp) * int64(i) / int64(r.o.n)))
		select {
		case <-ctx.Done():
		case <-time.After(time.Until(at)):
		}
		if ctx.Err() != nil {
			break
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			ct.play(ctx)
		})
	}
	wg.Wait()
	s.ElapsedSec = round2(time.Since(r.started).Seconds())
	close(stopSampling) // the samples in flight finish: a request given up is not what is measured
	sampling.Wait()
	fmt.Fprintf(r.log, "flows done after %.1f s; checking accounts and stored videos\n", s.ElapsedSec)

	r.afterwards(ctx, cs, s)
	s.Steps, s.Failures, s.Retries = r.rec.steps(), r.rec.counts(r.rec.failures), r.rec.counts(r.rec.retries)
	r.mu.Lock()
	s.VerdictDelay, s.VerdictDelayServer, s.VerdictsOver10Min = distOf(r.polled), distOf(r.server), r.over10
	if !r.firstSignUp.IsZero() {
		s.SignUpSpanSec = round2(r.lastSignUp.Sub(r.firstSignUp).Seconds())
	}
	r.mu.Unlock()
	s.TakenAfterFailure = int(r.takenAfterFailure.Load())
	s.ToolCPUSec = round2(cpuTime().Seconds())
	if b := s.Baseline; b != nil && b.FloorSec > 0 {
		s.SignUpSpanOverFloor = round2(s.SignUpSpanSec / b.FloorSec)
		s.ElapsedOverFloor = round2(s.ElapsedSec / b.FloorSec)
	}
	s.SampleP99UnderLimit = map[string]bool{}
	for _, st := range s.Steps {
		if st.Step == sampleContest || st.Step == sampleMyWorks {
			s.SampleP99UnderLimit[st.Step] = st.P99 < 500
		}
	}
	return s
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// afterwards counts the completed contestants and the accounts left without a session, and
// compares every stored video with what was sent.
func (r *runner) afterwards(ctx context.Context, cs []*contestant, s *Summary) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(min(r.o.concurrency, 16), 16))
	for _, ct := range cs {
		if ct.completed {
			s.Completed++
		}
		if ct.uploaded {
			s.Videos.Uploaded++
		}
		if !ct.uploaded && (ct.signedUp || !ct.accountMaybe) {
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			if !ct.signedUp {
				// The sign-up failed but may have created the account: can its password sign in?
				probe := r.client(ct.c.addr, newRecorder())
				probe.tries = 3
				if _, err := probe.do(ctx, call{method: http.MethodGet, path: "/api/v1/contest", idempotent: true}); err == nil {
					body := map[string]string{"email": ct.email, "password": r.password}
					if _, err := probe.do(ctx, call{method: http.MethodPost, path: "/api/v1/auth/login", body: body}); err == nil {
						mu.Lock()
						s.AccountsNoSession++
						mu.Unlock()
					}
				}
				return
			}
			same, err := ct.verify(ctx)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				s.Videos.Unread++
				r.rec.fail(stepVerify, errCode(err))
			case same:
				s.Videos.Identical++
			default:
				s.Videos.Different++
				r.rec.fail(stepVerify, "bytes_differ")
			}
		})
	}
	wg.Wait()
}

func (r *runner) signUpStart(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.firstSignUp.IsZero() || t.Before(r.firstSignUp) {
		r.firstSignUp = t
	}
}

func (r *runner) signUpDone(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t.After(r.lastSignUp) {
		r.lastSignUp = t
	}
}

// verdictSeen records a verdict: how long after completion the polling saw it, and the
// server's own delay (uploaded_at to checked_at).
func (r *runner) verdictSeen(polled time.Duration, uploaded time.Time, checked *time.Time) {
	r.rec.time(stepVerdict, polled)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.polled = append(r.polled, polled)
	if checked != nil && !uploaded.IsZero() {
		d := checked.Sub(uploaded)
		r.server = append(r.server, d)
		if d > 10*time.Minute {
			r.over10++
		}
	}
}

// openCollection makes sure works are accepted now: when collection is closed and an
// organizer is given, it moves the windows so that collection opened an hour ago and closes
// in two days (活动设置).
func (r *runner) openCollection(ctx context.Context, password string) error {
	c := r.client("", newRecorder())
	var contest struct {
		CollectionOpen bool `json:"collection_open"`
	}
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/api/v1/contest", idempotent: true, out: &contest}); err != nil {
		return fmt.Errorf("GET /api/v1/contest: %w", err)
	}
	if contest.CollectionOpen {
		return nil
	}
	if r.o.organizer == "" || password == "" {
		return errClosed
	}
	login := map[string]string{"email": r.o.organizer, "password": password}
	if _, err := c.do(ctx, call{method: http.MethodPost, path: "/api/v1/auth/login", body: login, idempotent: true}); err != nil {
		return fmt.Errorf("organizer sign-in: %w", err)
	}
	zone := time.FixedZone("CST", 8*3600)
	now := time.Now().In(zone).Truncate(time.Second)
	end := now.Add(48 * time.Hour)
	update := map[string]string{
		"collection_start": now.Add(-time.Hour).Format(time.RFC3339), "collection_end": end.Format(time.RFC3339),
		"review_start": end.Add(time.Second).Format(time.RFC3339), "review_end": end.Add(7 * 24 * time.Hour).Format(time.RFC3339),
	}
	if _, err := c.do(ctx, call{method: http.MethodPut, path: "/api/v1/admin/contest", body: update}); err != nil {
		return fmt.Errorf("opening collection (PUT /api/v1/admin/contest): %w", err)
	}
	fmt.Fprintf(r.log, "collection opened until %s\n", end.Format(time.RFC3339))
	return nil
}
